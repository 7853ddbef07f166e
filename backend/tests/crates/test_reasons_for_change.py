"""Reason for change (EU GMP Annex 11 §9; docs/audit.md): master data that affects records and
corrections of crates and documents need `reason`, through the API and the Django admin alike;
without one (or with only spaces) nothing changes; the audit event keeps it."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from apps.audit.models import AuditEvent
from apps.auth.models import Unit
from apps.crates.models import Crate, Document, DocumentType
from apps.policy import reasons
from apps.storage.models import StorageLocation
from tests.conftest import World
from tests.crates.conftest import CrateMaker

MISSING = {"reason": ["Give the reason for this change."]}


def last_event() -> AuditEvent:
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    return event


def staff_client(world: World, username: str) -> Client:
    user = world.user(username)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


# --- The rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity", "changes", "needed"),
    [
        ("document_type", {"name": ["a", "b"]}, True),
        ("document_type", {}, False),
        ("location", {"capacity": [10, 12]}, True),
        ("location", {"parent": [1, 2]}, True),
        ("location", {"name": ["Shelf 1", "Shelf A"]}, False),
        ("location", {"is_active": [True, False]}, False),
        ("unit", {"is_active": [True, False]}, True),
        ("unit", {"is_active": [False, True]}, False),
        ("unit", {"name": ["Goa", "Goa Plant"]}, False),
        ("crate", {"description": ["a", "b"]}, True),
        ("document", {"title": ["a", "b"]}, True),
        ("department", {"name": ["QA", "Quality"]}, False),
    ],
)
def test_which_changes_need_a_reason(entity: str, changes: dict[str, list[Any]], needed: bool) -> None:
    assert reasons.needs_reason(entity, changes) is needed


def test_a_reason_of_only_spaces_is_no_reason() -> None:
    assert reasons.require_reason("crate", {"description": ["a", "b"]}, "  why  ") == "why"
    with pytest.raises(Exception) as refused:
        reasons.require_reason("crate", {"description": ["a", "b"]}, " \t ")
    assert getattr(refused.value, "fields", None) == MISSING


# --- Through the API ----------------------------------------------------------------------------


def test_document_type_change_needs_a_reason_and_keeps_it(world: World, audit_count: Callable[[], int]) -> None:
    client = world.client("sysadmin")
    before = audit_count()
    for body in ({"name": "Batch Record"}, {"name": "Batch Record", "reason": "   "}):
        response = client.patch(f"/api/document-types/{world.bmr.pk}/", body, format="json")
        assert (response.status_code, response.json()) == (400, MISSING)
    assert DocumentType.objects.get(pk=world.bmr.pk).name == "Batch Manufacturing Record"
    assert audit_count() == before

    response = client.patch(
        f"/api/document-types/{world.bmr.pk}/", {"is_active": False, "reason": " Superseded by MBR "}, format="json"
    )
    assert response.status_code == 200, response.content
    event = last_event()
    assert (event.action, event.changes, event.comment) == (
        "document_type.updated",
        {"is_active": [True, False]},
        "Superseded by MBR",
    )


def test_location_capacity_and_parent_need_a_reason_its_name_does_not(
    world: World, audit_count: Callable[[], int]
) -> None:
    client = world.client("unitadmin")
    url = f"/api/locations/{world.shelf.pk}/"
    before = audit_count()
    assert (client.patch(url, {"capacity": 12}, format="json").json()) == MISSING
    response = client.patch(url, {"parent": None, "reason": ""}, format="json")
    assert (response.status_code, response.json()) == (400, MISSING)
    world.shelf.refresh_from_db()
    assert (world.shelf.capacity, world.shelf.parent_id, world.shelf.path) == (
        10,
        world.room.pk,
        "Archive Room 1 / Shelf 1",
    )
    assert audit_count() == before

    assert client.patch(url, {"name": "Shelf A"}, format="json").status_code == 200
    assert last_event().comment == ""
    response = client.patch(url, {"capacity": 12, "reason": "Extra shelf board fitted"}, format="json")
    assert response.status_code == 200, response.content
    event = last_event()
    assert (event.action, event.changes, event.comment) == (
        "location.updated",
        {"capacity": [10, 12]},
        "Extra shelf board fitted",
    )


def test_unit_deactivation_needs_a_reason(world: World, audit_count: Callable[[], int]) -> None:
    client = world.client("sysadmin")
    before = audit_count()
    response = client.patch(f"/api/units/{world.kur.pk}/", {"is_active": False}, format="json")
    assert (response.status_code, response.json()) == (400, MISSING)
    assert Unit.objects.get(pk=world.kur.pk).is_active is True
    assert audit_count() == before

    response = client.patch(
        f"/api/units/{world.kur.pk}/", {"is_active": False, "reason": "Site closed (CC-2026-017)"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert "reason" not in response.json()
    event = last_event()
    assert (event.action, event.changes, event.comment) == (
        "unit.updated",
        {"is_active": [True, False]},
        "Site closed (CC-2026-017)",
    )
    # Reactivating it says why too, if given, but needs no reason.
    assert client.patch(f"/api/units/{world.kur.pk}/", {"is_active": True}, format="json").status_code == 200


def test_crate_and_document_corrections_need_a_reason(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    crate = make.crate()
    document = make.document(crate)
    client = world.client("docmanager")
    before = audit_count()
    crate_response = client.patch(f"/api/crates/{crate.pk}/", {"description": "BMRs 2025"}, format="json")
    document_response = client.patch(
        f"/api/documents/{document.pk}/", {"record_date": "2024-06-01", "reason": " "}, format="json"
    )
    assert [(r.status_code, r.json()) for r in (crate_response, document_response)] == [(400, MISSING)] * 2
    assert Crate.objects.get(pk=crate.pk).description == "BMRs 2024"
    assert str(Document.objects.get(pk=document.pk).record_date) == "2024-05-01"
    assert audit_count() == before

    response = client.patch(
        f"/api/documents/{document.pk}/", {"record_date": "2024-06-01", "reason": "Date misread"}, format="json"
    )
    assert response.status_code == 200, response.content
    corrected = AuditEvent.objects.get(action="document.updated")
    assert (corrected.comment, corrected.changes["record_date"]) == ("Date misread", ["2024-05-01", "2024-06-01"])
    recomputed = last_event()
    assert (recomputed.action, recomputed.comment) == (
        "crate.retention_recomputed",
        "document BMR-001 changed: Date misread",
    )


def test_an_edit_that_changes_nothing_needs_no_reason(world: World, make: CrateMaker) -> None:
    crate = make.crate()
    before = AuditEvent.objects.count()
    response = world.client("docmanager").patch(f"/api/crates/{crate.pk}/", {"description": "BMRs 2024"})
    assert response.status_code == 200
    assert AuditEvent.objects.count() == before


# --- Through the Django admin ------------------------------------------------------------------


def test_admin_change_without_a_reason_is_refused_and_changes_nothing(
    world: World, audit_count: Callable[[], int]
) -> None:
    client = staff_client(world, "sysadmin")
    before = audit_count()
    unit_form: dict[str, Any] = {"code": "KUR", "name": "Kurkumbh Plant", "address": ""}  # is_active unticked
    location_form: dict[str, Any] = {
        "unit": world.shelf.unit_id,
        "parent": world.room.pk,
        "kind": "shelf",
        "code": "GOA-S1",
        "name": "Shelf 1",
        "capacity": 4,
        "is_active": "on",
    }
    type_form: dict[str, Any] = {
        "code": "BMR",
        "name": "Batch Record",
        "retention_years": 7,
        "retention_trigger": "record_date",
    }
    for url, form in [
        (f"/admin/accounts/unit/{world.kur.pk}/change/", unit_form),
        (f"/admin/storage/storagelocation/{world.shelf.pk}/change/", location_form),
        (f"/admin/crates/documenttype/{world.bmr.pk}/change/", {**type_form, "is_active": "on"}),
    ]:
        assert "reason" in client.get(url).content.decode()
        response = client.post(url, {**form, "reason": "  "}, follow=True)
        assert "Reason: Give the reason for this change." in response.content.decode()
    assert Unit.objects.get(pk=world.kur.pk).is_active is True
    assert StorageLocation.objects.get(pk=world.shelf.pk).capacity == 10
    assert DocumentType.objects.get(pk=world.bmr.pk).name == "Batch Manufacturing Record"
    assert audit_count() == before


def test_admin_change_with_a_reason_is_audited_like_the_api(world: World) -> None:
    client = staff_client(world, "sysadmin")
    response = client.post(
        f"/admin/accounts/unit/{world.kur.pk}/change/",
        {"code": "KUR", "name": "Kurkumbh Plant", "address": "", "reason": "Site closed"},
    )
    assert response.status_code == 302
    event = last_event()
    assert (event.action, event.changes, event.comment, event.actor_username) == (
        "unit.updated",
        {"is_active": [True, False]},
        "Site closed",
        "sysadmin",
    )
    # The add page asks for no reason: a creation is not a change.
    assert 'name="reason"' not in client.get("/admin/accounts/unit/add/").content.decode()


def test_admin_crate_and_document_corrections_need_a_reason(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    crate = make.crate()
    document = make.document(crate)
    client = staff_client(world, "sysadmin")
    crate_form = {
        "department": world.qa.pk,
        "description": "BMRs 2025",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
    }
    before = audit_count()
    response = client.post(f"/admin/crates/crate/{crate.pk}/change/", crate_form, follow=True)
    page = response.content.decode()
    assert "Give the reason for this change." in page
    assert "changed successfully" not in page
    assert Crate.objects.get(pk=crate.pk).description == "BMRs 2024"
    assert audit_count() == before

    response = client.post(f"/admin/crates/crate/{crate.pk}/change/", {**crate_form, "reason": "Year was wrong"})
    assert response.status_code == 302
    assert (last_event().action, last_event().comment) == ("crate.updated", "Year was wrong")
    response = client.post(
        f"/admin/crates/document/{document.pk}/change/",
        {
            "number": "BMR-001",
            "title": "Batch 1 record",
            "document_type": world.bmr.pk,
            "record_date": "2024-05-01",
            "reason": "Title as on the cover",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="document.updated")
    assert (event.changes, event.comment) == ({"title": ["Record BMR-001", "Batch 1 record"]}, "Title as on the cover")
