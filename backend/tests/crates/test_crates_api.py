import datetime
from collections.abc import Callable

import pytest
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.crates.models import Crate
from apps.requests.models import Request, RequestItem
from tests.conftest import World
from tests.crates.conftest import CrateMaker
from tests.requests.conftest import place_hold

READ_FIELDS = {
    "id",
    "number",
    "unit",
    "unit_code",
    "department",
    "department_code",
    "department_name",
    "location",
    "location_path",
    "previous_location",
    "status",
    "description",
    "retention_until",
    "retention_extended_until",
    "legal_hold",
    "document_count",
    "created_by",
    "created_by_name",
    "allowed_actions",
    "created_at",
    "updated_at",
}


def test_document_manager_creates_a_draft_crate_in_their_own_unit(world: World, audit_count: Callable[[], int]) -> None:
    before = audit_count()
    response = world.client("docmanager").post(
        "/api/crates/", {"unit": world.kur.pk, "department": world.qa.pk, "description": "QA BMRs 2024"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == READ_FIELDS | {"documents", "holds"}
    assert body["number"] == f"CRT-GOA-{timezone.localdate().year}-000001"
    assert body["unit"] == world.goa.pk  # the body's unit is ignored for anyone but a System Administrator
    assert body["unit_code"] == "GOA"
    assert body["department_name"] == "Quality Assurance"
    assert body["status"] == "draft"
    assert body["location"] is None
    assert body["location_path"] is None
    assert body["retention_until"] is None
    assert body["document_count"] == 0
    assert body["documents"] == []
    assert body["created_by_name"] == "Docmanager"
    assert body["allowed_actions"] == ["edit", "delete"]
    assert audit_count() == before + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.entity_type, event.entity_id) == ("crate.created", "crate", str(body["id"]))
    assert event.changes["status"] == [None, "draft"]
    assert event.changes["description"] == [None, "QA BMRs 2024"]
    assert event.unit_id == world.goa.pk


def test_system_administrator_chooses_the_unit_of_a_new_crate(world: World) -> None:
    response = world.client("sysadmin").post("/api/crates/", {"unit": world.kur.pk, "department": world.kur_qa.pk})
    assert response.status_code == 201, response.content
    assert response.json()["unit_code"] == "KUR"
    assert response.json()["number"].startswith("CRT-KUR-")


def test_crate_department_must_belong_to_the_crates_unit(world: World, audit_count: Callable[[], int]) -> None:
    before = audit_count()
    response = world.client("docmanager").post("/api/crates/", {"department": world.kur_qa.pk})
    assert response.status_code == 400
    assert response.json() == {"department": ["The department belongs to another unit."]}
    assert Crate.objects.count() == 0
    assert audit_count() == before


@pytest.mark.parametrize("username", ["viewer", "approver", "storehead", "unitadmin"])
def test_roles_without_crate_editing_cannot_create_crates(world: World, username: str) -> None:
    response = world.client(username).post("/api/crates/", {"department": world.qa.pk})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Crate.objects.count() == 0


@pytest.mark.parametrize("username", ["viewer", "approver", "storehead"])
def test_roles_without_crate_editing_cannot_update_or_delete(
    world: World, make: CrateMaker, username: str, audit_count: Callable[[], int]
) -> None:
    crate = make.crate()
    before = audit_count()
    client = world.client(username)
    assert client.patch(f"/api/crates/{crate.pk}/", {"description": "x"}).status_code == 403
    assert client.delete(f"/api/crates/{crate.pk}/").status_code == 403
    crate.refresh_from_db()
    assert crate.description == "BMRs 2024"
    assert audit_count() == before


def test_another_units_crate_is_not_found(world: World, make: CrateMaker, audit_count: Callable[[], int]) -> None:
    crate = make.crate()
    before = audit_count()
    client = world.client("docmanager2")
    assert client.get(f"/api/crates/{crate.pk}/").status_code == 404
    assert client.patch(f"/api/crates/{crate.pk}/", {"description": "x"}).status_code == 404
    assert client.delete(f"/api/crates/{crate.pk}/").status_code == 404
    assert client.get(f"/api/crates/{crate.pk}/history/").status_code == 404
    assert client.get(f"/api/crates/{crate.pk}/label/").status_code == 404
    assert client.get("/api/crates/").json()["count"] == 0
    assert Crate.objects.filter(pk=crate.pk, description="BMRs 2024").exists()
    assert audit_count() == before


def test_draft_crate_update_changes_description_and_department(world: World, make: CrateMaker) -> None:
    from apps.auth.models import Department

    production = Department.objects.create(unit=world.goa, code="PRD", name="Production")
    crate = make.crate()
    response = world.client("docmanager").patch(
        f"/api/crates/{crate.pk}/",
        {"description": "Moved to production", "department": production.pk, "reason": "Filed by production"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["department_name"] == "Production"
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.comment) == ("crate.updated", "Filed by production")
    assert event.changes == {
        "department": [world.qa.pk, production.pk],
        "description": ["BMRs 2024", "Moved to production"],
    }


def test_crate_update_to_another_units_department_is_refused(world: World, make: CrateMaker) -> None:
    crate = make.crate()
    response = world.client("docmanager").patch(f"/api/crates/{crate.pk}/", {"department": world.kur_qa.pk})
    assert response.status_code == 400
    assert response.json() == {"department": ["The department belongs to another unit."]}
    crate.refresh_from_db()
    assert crate.department_id == world.qa.pk


def test_stored_crate_cannot_be_edited_or_deleted(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    crate = make.stored()
    before = audit_count()
    client = world.client("docmanager")
    response = client.patch(f"/api/crates/{crate.pk}/", {"description": "changed"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    response = client.delete(f"/api/crates/{crate.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    crate.refresh_from_db()
    assert (crate.status, crate.description, crate.location_id) == ("stored", "BMRs 2024", world.shelf.pk)
    world.shelf.refresh_from_db()
    assert world.shelf.occupied == 1
    assert audit_count() == before


def test_deleting_a_draft_crate_deletes_its_documents_and_audits_both(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    crate = make.crate()
    document = make.document(crate)
    before = audit_count()
    response = world.client("docmanager").delete(f"/api/crates/{crate.pk}/")
    assert response.status_code == 204
    assert not Crate.objects.filter(pk=crate.pk).exists()
    assert audit_count() == before + 2
    actions = list(AuditEvent.objects.order_by("-sequence").values_list("action", "entity_id")[:2])
    assert actions == [("crate.deleted", str(crate.pk)), ("document.deleted", str(document.pk))]


def test_draft_crate_in_a_request_cannot_be_deleted(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    crate = make.crate()
    make.document(crate)
    request = Request.objects.create(
        number="REQ-T-1", request_type="storage", unit=world.goa, requester=world.user("docmanager"), purpose="store"
    )
    RequestItem.objects.create(request=request, crate=crate)
    before = audit_count()
    response = world.client("docmanager").delete(f"/api/crates/{crate.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert Crate.objects.filter(pk=crate.pk).exists()
    assert crate.documents.count() == 1
    assert audit_count() == before


def test_crate_list_filters(world: World, make: CrateMaker) -> None:
    draft = make.crate(description="Validation files")
    make.document(draft, number="VAL-77")
    due = make.stored(number="OLD-1", record_date=datetime.date(2000, 1, 1))
    held = make.stored(number="OLD-2", record_date=datetime.date(2000, 1, 1), location=world.shelf2)
    place_hold(world, held)
    kur = make.crate(username="docmanager2")
    client = world.client("sysadmin")

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/crates/?{query}")
        assert response.status_code == 200, response.content
        return sorted(row["id"] for row in response.json()["results"])

    assert ids("") == sorted([draft.pk, due.pk, held.pk, kur.pk])
    assert ids("status=draft") == sorted([draft.pk, kur.pk])
    assert ids(f"location={world.shelf2.pk}") == [held.pk]
    assert ids(f"unit={world.kur.pk}") == [kur.pk]
    assert ids(f"department={world.qa.pk}") == sorted([draft.pk, due.pk, held.pk])
    assert ids("legal_hold=true") == [held.pk]
    assert ids("due_for_destruction=true") == [due.pk]
    assert ids("search=VAL-77") == [draft.pk]
    assert ids("search=validation") == [draft.pk]
    assert ids(f"search={due.number}") == [due.pk]
    assert world.client("docmanager").get("/api/crates/").json()["count"] == 3


def test_crate_detail_includes_documents_and_location_path(world: World, make: CrateMaker) -> None:
    crate = make.stored(number="BMR-9")
    body = world.client("viewer").get(f"/api/crates/{crate.pk}/").json()
    assert body["location"] == world.shelf.pk
    assert body["location_path"] == "Archive Room 1 / Shelf 1"
    assert body["document_count"] == 1
    assert [(d["number"], d["crate_number"], d["document_type_code"], d["status"]) for d in body["documents"]] == [
        ("BMR-9", crate.number, "BMR", "in_storage")
    ]


@pytest.mark.parametrize(
    ("request_status", "expected"), [("draft", 200), ("submitted", 409), ("approved", 409), ("rejected", 200)]
)
def test_draft_crate_is_frozen_while_its_storage_request_awaits_decision_or_execution(
    world: World, make: CrateMaker, request_status: str, expected: int, audit_count: Callable[[], int]
) -> None:
    crate = make.crate()
    document = make.document(crate)
    request = Request.objects.create(
        number="REQ-T-3",
        request_type="storage",
        unit=world.goa,
        status=request_status,
        requester=world.user("docmanager"),
        purpose="store",
    )
    RequestItem.objects.create(request=request, crate=crate, is_open=request_status != "rejected")
    before = audit_count()
    client = world.client("docmanager")
    crate_response = client.patch(f"/api/crates/{crate.pk}/", {"description": "changed", "reason": "typo"})
    document_response = client.patch(f"/api/documents/{document.pk}/", {"title": "changed", "reason": "typo"})
    assert (crate_response.status_code, document_response.status_code) == (expected, expected)
    if expected == 409:
        assert crate_response.json() == {
            "detail": f"{crate.number} is in request REQ-T-3, submitted or approved: it cannot change until the "
            "request is decided or executed.",
            "code": "invalid_transition",
        }
        assert Crate.objects.get(pk=crate.pk).description == "BMRs 2024"
        assert audit_count() == before
