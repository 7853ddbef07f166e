"""Django admin: every model is there, searchable, and the immutable ones stay read-only."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client, RequestFactory

from apps.audit import services as audit
from tests.conftest import World

INTERNAL = {"AuditChainHead"}  # the chain's lock row, not a record anyone browses
INLINE = {"SendBackItem"}  # shown inside its send-back


def test_every_domain_model_is_registered() -> None:
    labels = ["accounts", "audit", "storage", "crates", "requests", "notifications", "reports", "core", "emails"]
    missing = [
        model.__name__
        for label in labels
        for model in apps.get_app_config(label).get_models()
        if model.__name__ not in INTERNAL | INLINE and not admin.site.is_registered(model)
    ]
    assert missing == []


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/?q=viewer",
        "/admin/accounts/unit/",
        "/admin/storage/storagelocation/?q=shelf",
        "/admin/crates/crate/",
        "/admin/requests/request/",
        "/admin/audit/auditevent/?q=probe",
        "/admin/reports/report/",
        "/admin/core/numbersequence/",
    ],
)
def test_admin_pages_open_for_a_superuser(world: World, url: str) -> None:
    world.user("sysadmin").is_superuser = True
    world.user("sysadmin").is_staff = True
    world.user("sysadmin").save()
    audit.record(action="probe", entity_type="test")
    client = Client()
    client.force_login(world.user("sysadmin"))
    assert client.get(url).status_code == 200


def test_audit_events_cannot_be_changed_in_admin(world: World) -> None:
    sysadmin = world.user("sysadmin")
    sysadmin.is_superuser = sysadmin.is_staff = True
    sysadmin.save()
    event = audit.record(action="probe", entity_type="test")
    client = Client()
    client.force_login(sysadmin)
    response = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"comment": "rewritten"})
    assert response.status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.comment == ""


# Records only the services write: the admin lets a superuser read them, never add, change or delete.
SERVICE_WRITTEN = [
    "accounts.RevokedSession",
    "audit.AuditEvent",
    "audit.AuditReview",
    "core.NumberSequence",
    "emails.EmailDelivery",
    "notifications.Notification",
    "reports.Report",
    "requests.Request",
    "requests.SendBack",
    "signatures.Signature",
]


@pytest.mark.parametrize("model_label", SERVICE_WRITTEN)
def test_service_written_records_are_read_only_in_admin(world: World, model_label: str) -> None:
    sysadmin = world.user("sysadmin")
    sysadmin.is_superuser = sysadmin.is_staff = True
    sysadmin.save()
    model = apps.get_model(model_label)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = sysadmin
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request, None) is False
    assert model_admin.has_delete_permission(request, None) is False
    assert model_admin.has_view_permission(request, None) is True
    assert set(model_admin.get_readonly_fields(request, None)) == {field.name for field in model._meta.fields}
    client = Client()
    client.force_login(sysadmin)
    add_url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
    assert client.get(add_url).status_code == 403
