from typing import Any

import pytest
from django.test import Client

from apps.audit.models import AuditEvent
from apps.auth.models import User
from apps.core import broadcast
from apps.crates import services
from apps.crates.models import Crate
from tests.conftest import World
from tests.crates.conftest import CrateMaker


@pytest.fixture
def admin_client(world: World) -> Client:
    superuser = User.objects.create_superuser(username="root", password="Root@123456789", email="r@test.local")
    client = Client()
    client.force_login(superuser)
    return client


def test_admin_browses_crates_and_documents_but_cannot_add_or_delete(
    world: World, make: CrateMaker, admin_client: Client
) -> None:
    crate = make.stored(number="BMR-42")
    document = crate.documents.get()
    assert admin_client.get("/admin/crates/crate/?q=BMR-42").status_code == 200
    assert crate.number in admin_client.get("/admin/crates/crate/?status__exact=stored").content.decode()
    assert admin_client.get("/admin/crates/document/?q=BMR-42").status_code == 200
    assert admin_client.get("/admin/crates/crate/add/").status_code == 403
    assert admin_client.get("/admin/crates/document/add/").status_code == 403
    assert admin_client.post(f"/admin/crates/crate/{crate.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(f"/admin/crates/document/{document.pk}/delete/", {"post": "yes"}).status_code == 403


def test_admin_cannot_change_a_stored_crate(world: World, make: CrateMaker, admin_client: Client) -> None:
    crate = make.stored()
    count = AuditEvent.objects.count()
    response = admin_client.post(
        f"/admin/crates/crate/{crate.pk}/change/", {"department": world.qa.pk, "description": "changed"}
    )
    assert response.status_code == 403
    crate.refresh_from_db()
    assert (crate.status, crate.description) == ("stored", "BMRs 2024")
    assert AuditEvent.objects.count() == count


def test_admin_edits_a_draft_crate_through_the_service(world: World, make: CrateMaker, admin_client: Client) -> None:
    crate = make.crate()
    response = admin_client.post(
        f"/admin/crates/crate/{crate.pk}/change/",
        {
            "department": world.qa.pk,
            "description": "corrected",
            "status": "stored",
            "number": "HACKED",
            "reason": "Description corrected",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    crate.refresh_from_db()
    assert (crate.description, crate.status, crate.number.startswith("CRT-GOA-")) == ("corrected", "draft", True)
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.changes, event.comment) == (
        "crate.updated",
        {"description": ["BMRs 2024", "corrected"]},
        "Description corrected",
    )


def test_every_crate_write_is_broadcast_to_the_crates_unit(
    world: World, make: CrateMaker, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(broadcast, "entity_changed", lambda **kwargs: calls.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        crate = make.crate()
        make.document(crate)
        services.crate_delete(actor=world.user("docmanager"), crate=Crate.objects.get(pk=crate.pk))
    assert [(c["entity"], c["action"], c["status"]) for c in calls] == [
        ("crate", "created", "draft"),
        ("crate", "updated", "draft"),  # retention recomputed after the document
        ("crate", "deleted", "draft"),
    ]
    assert {c["obj_id"] for c in calls} == {crate.pk}
    assert {tuple(c["unit_ids"]) for c in calls} == {(world.goa.pk,)}
    assert {c["number"] for c in calls} == {crate.number}
