"""Cycle counts through the API (docs/workflows.md, "Cycle counts"; docs/api.md)."""

import io
from typing import Any

import pytest
from pypdf import PdfReader

from apps.audit.models import AuditEvent
from apps.crates.models import Crate
from apps.inventory.models import CountScan, InventoryCount
from apps.notifications.models import Notification
from apps.signatures.models import Signature
from apps.storage.models import StorageLocation
from tests.conftest import DEMO_PASSWORD, World
from tests.crates.conftest import CrateMaker
from tests.inventory.conftest import open_count, scan

pytestmark = pytest.mark.django_db


def _crates(make: CrateMaker, world: World) -> dict[str, Crate]:
    """a, b on Shelf 1; c on Shelf 2; w withdrawn-like elsewhere (KUR's crate is another unit's)."""
    return {
        "a": make.stored(location=world.shelf),
        "b": make.stored(location=world.shelf),
        "c": make.stored(location=world.shelf2),
    }


def test_open_freezes_the_expected_set_and_numbers_the_count(world: World, make: CrateMaker):
    crates = _crates(make, world)
    count = open_count(world)
    assert count["number"].startswith("CNT-GOA-")
    assert len(count["number"].rsplit("-", 1)[1]) == 4
    assert count["status"] == "open"
    # Blind: nothing about what is expected while counting.
    assert count["expected_count"] is None
    assert count["missing"] == []
    assert InventoryCount.objects.get(pk=count["id"]).expected_count == 3
    # A crate stored after the count opened is not expected.
    later = make.stored(location=world.shelf)
    assert scan(world, count["id"], world.shelf, later.number).status_code == 201
    world.client("storehead").post(f"/api/counts/{count['id']}/submit/")
    detail = world.client("approver").get(f"/api/counts/{count['id']}/").data
    assert detail["expected_count"] == 3
    assert [line["number"] for line in detail["unexpected"]] == [later.number]
    assert sorted(line["number"] for line in detail["missing"]) == sorted(c.number for c in crates.values())
    assert AuditEvent.objects.filter(action="count.opened", entity_id=str(count["id"])).count() == 1


def test_classification_found_misplaced_missing_unexpected_unknown(world: World, make: CrateMaker):
    crates = _crates(make, world)
    kur_crate = make.stored(location=world.kur_shelf, username="docmanager2")
    count = open_count(world)
    cid = count["id"]
    assert scan(world, cid, world.shelf, crates["a"].number).status_code == 201
    assert scan(world, cid, world.shelf, crates["c"].number).status_code == 201  # expected on Shelf 2
    assert scan(world, cid, world.shelf, "GARBAGE-123").status_code == 201
    # Another unit's crate is just an unknown code here: nothing about it is revealed.
    response = scan(world, cid, world.shelf2, kur_crate.number)
    assert response.status_code == 201
    assert response.data["crate"] is None

    blind = world.client("storehead").get(f"/api/counts/{cid}/").data
    assert blind["scanned_count"] == 4
    assert [line["number"] for line in blind["found"]] == [crates["a"].number]
    assert blind["missing"] == [] and blind["expected_count"] is None

    assert world.client("storehead").post(f"/api/counts/{cid}/submit/").status_code == 200
    detail = world.client("approver").get(f"/api/counts/{cid}/").data
    assert detail["status"] == "submitted"
    assert detail["expected_count"] == 3
    assert [line["number"] for line in detail["found"]] == [crates["a"].number]
    assert detail["misplaced"] == [
        {
            "crate": crates["c"].pk,
            "number": crates["c"].number,
            "expected_location": world.shelf2.pk,
            "expected_location_path": "Archive Room 1 / Shelf 2",
            "found_location": world.shelf.pk,
            "found_location_path": "Archive Room 1 / Shelf 1",
            "status": "stored",
        }
    ]
    assert [line["number"] for line in detail["missing"]] == [crates["b"].number]
    assert detail["unexpected"] == []
    assert sorted(detail["unknown"]) == sorted(["GARBAGE-123", kur_crate.number])
    assert detail["allowed_actions"] == ["review"]
    assert world.client("storehead").get(f"/api/counts/{cid}/").data["allowed_actions"] == ["cancel"]


def test_same_crate_scanned_twice_keeps_the_last_scan(world: World, make: CrateMaker):
    crates = _crates(make, world)
    cid = open_count(world)["id"]
    assert scan(world, cid, world.shelf2, crates["a"].number).data["replaced"] is False
    second = scan(world, cid, world.shelf, crates["a"].number.lower())
    assert second.status_code == 201 and second.data["replaced"] is True
    assert CountScan.objects.filter(count_id=cid).count() == 1
    detail = second.data["count"]
    assert [line["number"] for line in detail["found"]] == [crates["a"].number]
    assert detail["misplaced"] == []


def test_scan_outside_the_counted_subtree_is_refused(world: World, make: CrateMaker):
    crates = _crates(make, world)
    cid = open_count(world, location=world.shelf)["id"]
    before = AuditEvent.objects.count()
    response = scan(world, cid, world.shelf2, crates["a"].number)
    assert response.status_code == 400
    assert "location" in response.data
    response = scan(world, cid, world.kur_shelf, crates["a"].number)
    assert response.status_code == 400
    assert CountScan.objects.filter(count_id=cid).count() == 0
    assert AuditEvent.objects.count() == before


def test_scan_after_submit_is_409_and_changes_nothing(world: World, make: CrateMaker):
    crates = _crates(make, world)
    cid = open_count(world)["id"]
    world.client("storehead").post(f"/api/counts/{cid}/submit/")
    before = AuditEvent.objects.count()
    response = scan(world, cid, world.shelf, crates["a"].number)
    assert response.status_code == 409
    assert response.data["code"] == "invalid_transition"
    assert CountScan.objects.filter(count_id=cid).count() == 0
    assert AuditEvent.objects.count() == before


def test_one_open_count_per_location_subtree(world: World):
    open_count(world, location=world.shelf)
    for location in (world.room, world.shelf):
        response = world.client("storehead").post("/api/counts/", {"location": location.pk}, format="json")
        assert response.status_code == 409
        assert response.data["code"] == "conflict"
    # A sibling shelf is another subtree.
    assert (
        world.client("storehead").post("/api/counts/", {"location": world.shelf2.pk}, format="json").status_code == 201
    )
    assert InventoryCount.objects.filter(status="open").count() == 2


def test_who_may_count_and_another_units_count_is_404(world: World):
    for username in ("docmanager", "approver", "viewer"):
        response = world.client(username).post("/api/counts/", {"location": world.room.pk}, format="json")
        assert response.status_code == 403
    response = world.client("storehead").post("/api/counts/", {"location": world.kur_shelf.pk}, format="json")
    assert response.status_code == 400
    cid = open_count(world)["id"]
    assert world.client("storehead2").get(f"/api/counts/{cid}/").status_code == 404
    assert world.client("storehead2").post(f"/api/counts/{cid}/submit/").status_code == 404
    assert world.client("viewer").get(f"/api/counts/{cid}/").status_code == 200
    assert InventoryCount.objects.count() == 1


def test_cancel(world: World):
    cid = open_count(world)["id"]
    response = world.client("storehead").post(f"/api/counts/{cid}/cancel/", {"comment": "wrong room"}, format="json")
    assert response.status_code == 200
    assert response.data["status"] == "cancelled"
    assert world.client("storehead").post(f"/api/counts/{cid}/cancel/").status_code == 409
    # The subtree is free again.
    assert world.client("storehead").post("/api/counts/", {"location": world.room.pk}, format="json").status_code == 201


def test_submit_notifies_the_units_approvers(world: World):
    cid = open_count(world)["id"]
    world.client("storehead").post(f"/api/counts/{cid}/submit/")
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["approver"]


def test_detail_and_list_cost_fixed_queries(world: World, make: CrateMaker, django_assert_max_num_queries: Any):
    crates = _crates(make, world)
    cid = open_count(world)["id"]
    for crate in crates.values():
        scan(world, cid, world.shelf, crate.number)
    client = world.client("storehead")
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/counts/{cid}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/api/counts/").status_code == 200


def test_report_csv_and_pdf(world: World, make: CrateMaker):
    crates = _crates(make, world)
    cid = open_count(world)["id"]
    scan(world, cid, world.shelf, crates["a"].number)
    scan(world, cid, world.shelf, "=cmd|' /C calc'!A0")
    world.client("storehead").post(f"/api/counts/{cid}/submit/")
    response = world.client("approver").get(f"/api/counts/{cid}/report/?format=csv")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0] == "class,crate or code,expected location,found location,crate status,resolution"
    assert lines[1] == f"found,{crates['a'].number},Archive Room 1 / Shelf 1,Archive Room 1 / Shelf 1,stored,"
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["found", "missing", "missing", "unknown"]
    assert "unknown,'=cmd|' /C calc'!A0,,,," in lines
    pdf = world.client("approver").get(f"/api/counts/{cid}/report/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == 1
    assert f"Inventory count {response_number(world, cid)}" in text
    assert crates["a"].number in text and crates["b"].number in text
    assert "found 1" in text and "missing 2" in text and "unknown 1" in text
    assert AuditEvent.objects.filter(action="count.report_exported").count() == 2


def test_missing_crate_may_not_be_requested(world: World, make: CrateMaker):
    crate = make.stored(location=world.shelf)
    Crate.objects.filter(pk=crate.pk).update(status="missing", location=None)
    StorageLocation.objects.filter(pk=world.shelf.pk).update(occupied=0)
    response = world.client("docmanager").post(
        "/api/requests/",
        {
            "request_type": "withdrawal",
            "purpose": "audit",
            "expected_return_date": "2099-01-01",
            "items": [{"crate": crate.pk}],
        },
        format="json",
    )
    assert response.status_code in (400, 409), response.content
    assert "missing" in str(response.data)


def test_mark_missing_frees_the_place_and_a_relocation_that_finds_it_stores_it(world: World, make: CrateMaker):
    from apps.crates import services as crate_services

    crate = make.stored(location=world.shelf)
    approver = world.user("approver")
    crate_services.crate_mark_missing(actor=approver, crate=crate, comment="count CNT-X")
    crate.refresh_from_db()
    assert (crate.status, crate.location_id, crate.previous_location_id) == ("missing", None, world.shelf.pk)
    assert StorageLocation.objects.get(pk=world.shelf.pk).occupied == 0
    event = AuditEvent.objects.filter(action="crate.marked_missing").get()
    assert event.changes["status"] == ["stored", "missing"]

    response = world.client("storehead").post(
        f"/api/crates/{crate.pk}/relocate/", {"location": world.shelf2.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    crate.refresh_from_db()
    assert (crate.status, crate.location_id) == ("stored", world.shelf2.pk)
    assert StorageLocation.objects.get(pk=world.shelf2.pk).occupied == 1
    assert AuditEvent.objects.filter(action="crate.found").get().changes["status"] == ["missing", "stored"]


def _submitted_with_discrepancies(world: World, make: CrateMaker) -> tuple[int, dict[str, Crate]]:
    """a found on Shelf 1, c misplaced (expected Shelf 2, found Shelf 1), b missing."""
    crates = _crates(make, world)
    cid = open_count(world)["id"]
    scan(world, cid, world.shelf, crates["a"].number)
    scan(world, cid, world.shelf, crates["c"].number)
    world.client("storehead").post(f"/api/counts/{cid}/submit/")
    return cid, crates


def _review(world: World, cid: int, resolutions: list[dict[str, Any]], username: str = "approver", **extra: Any) -> Any:
    body = {"password": DEMO_PASSWORD, "comment": "checked", "resolutions": resolutions, **extra}
    return world.client(username).post(f"/api/counts/{cid}/review/", body, format="json")


def test_review_signs_and_applies_the_resolutions(world: World, make: CrateMaker):
    cid, crates = _submitted_with_discrepancies(world, make)
    Notification.objects.all().delete()
    response = _review(
        world,
        cid,
        [{"crate": crates["c"].pk, "action": "relocate"}, {"crate": crates["b"].pk, "action": "mark_missing"}],
    )
    assert response.status_code == 200, response.content
    assert response.data["status"] == "reviewed"
    assert response.data["reviewed_by_name"] == world.user("approver").full_name
    assert response.data["resolutions"] == sorted(
        [
            {"crate": crates["c"].pk, "number": crates["c"].number, "action": "relocate"},
            {"crate": crates["b"].pk, "number": crates["b"].number, "action": "mark_missing"},
        ],
        key=lambda row: str(row["number"]),
    )
    c = Crate.objects.get(pk=crates["c"].pk)
    b = Crate.objects.get(pk=crates["b"].pk)
    assert (c.status, c.location_id) == ("stored", world.shelf.pk)
    assert (b.status, b.location_id) == ("missing", None)
    # a and c on Shelf 1 (b freed its place), nothing left on Shelf 2.
    assert StorageLocation.objects.get(pk=world.shelf.pk).occupied == 2
    assert StorageLocation.objects.get(pk=world.shelf2.pk).occupied == 0
    signature = Signature.objects.get(meaning="count_reviewed")
    assert (signature.subject_id, signature.subject_number) == (cid, response.data["number"])
    assert signature.content["missing"] == [crates["b"].number]
    assert signature.content["resolutions"] == [
        {"crate": crates["b"].number, "action": "mark_missing"},
        {"crate": crates["c"].number, "action": "relocate"},
    ] or signature.content["resolutions"] == [
        {"crate": crates["c"].number, "action": "relocate"},
        {"crate": crates["b"].number, "action": "mark_missing"},
    ]
    assert AuditEvent.objects.filter(action="count.reviewed", entity_id=str(cid)).count() == 1
    assert AuditEvent.objects.filter(action="crate.marked_missing").count() == 1
    assert AuditEvent.objects.filter(action="crate.relocated", entity_id=str(crates["c"].pk)).count() == 1
    # The unit's Approvers and Document Managers hear of the missing crate (not the reviewer).
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["docmanager"]
    # Reviewed twice: 409, nothing more.
    events = AuditEvent.objects.count()
    again = _review(world, cid, [])
    assert (again.status_code, again.data["code"]) == (409, "invalid_transition")
    assert AuditEvent.objects.count() == events
    assert Signature.objects.filter(meaning="count_reviewed").count() == 1


@pytest.mark.django_db(transaction=True)  # the refused signature is recorded in its own transaction
def test_wrong_password_changes_nothing_but_is_audited(world: World, make: CrateMaker):
    cid, crates = _submitted_with_discrepancies(world, make)
    response = _review(world, cid, [{"crate": crates["b"].pk, "action": "mark_missing"}], password="wrong")
    assert (response.status_code, response.data["code"]) == (403, "invalid_signature")
    assert InventoryCount.objects.get(pk=cid).status == "submitted"
    assert Crate.objects.get(pk=crates["b"].pk).status == "stored"
    assert Signature.objects.count() == 0
    assert AuditEvent.objects.filter(action="signature.failed").count() == 1


def test_a_resolution_that_does_not_fit_is_400_and_changes_nothing(world: World, make: CrateMaker):
    cid, crates = _submitted_with_discrepancies(world, make)
    events = AuditEvent.objects.count()
    for resolutions in (
        [{"crate": crates["a"].pk, "action": "ignore"}],  # found: nothing to resolve
        [{"crate": crates["b"].pk, "action": "relocate"}],  # missing: nowhere to relocate to
        [{"crate": crates["c"].pk, "action": "ignore"}, {"crate": crates["c"].pk, "action": "relocate"}],
    ):
        response = _review(world, cid, resolutions)
        assert response.status_code == 400, response.content
        assert "resolutions" in response.data
    assert InventoryCount.objects.get(pk=cid).status == "submitted"
    assert AuditEvent.objects.filter(action__startswith="signature.").count() == 0
    assert AuditEvent.objects.count() == events


def test_relocating_into_a_full_shelf_is_409_and_the_review_rolls_back(world: World, make: CrateMaker):
    cid, crates = _submitted_with_discrepancies(world, make)
    StorageLocation.objects.filter(pk=world.shelf.pk).update(capacity=2)  # holds a and b already
    response = _review(
        world, cid, [{"crate": crates["b"].pk, "action": "ignore"}, {"crate": crates["c"].pk, "action": "relocate"}]
    )
    assert (response.status_code, response.data["code"]) == (409, "capacity_exceeded")
    assert InventoryCount.objects.get(pk=cid).status == "submitted"
    assert Crate.objects.get(pk=crates["c"].pk).location_id == world.shelf2.pk
    assert Signature.objects.count() == 0
    assert AuditEvent.objects.filter(action="count.reviewed").count() == 0


def test_whoever_counted_cannot_review(world: World, make: CrateMaker):
    crates = _crates(make, world)
    cid = open_count(world, username="sysadmin")["id"]
    scan(world, cid, world.shelf, crates["a"].number, username="sysadmin")
    world.client("sysadmin").post(f"/api/counts/{cid}/submit/")
    response = _review(world, cid, [], username="sysadmin")
    assert (response.status_code, response.data["code"]) == (403, "segregation_of_duties")
    assert AuditEvent.objects.filter(action="signature.failed").count() == 0
    for username in ("storehead", "docmanager", "viewer"):
        assert _review(world, cid, [], username=username).status_code == 403
    assert _review(world, cid, [], username="approver2").status_code == 404
    assert InventoryCount.objects.get(pk=cid).status == "submitted"


def test_a_later_count_that_finds_a_missing_crate_stores_it_again(world: World, make: CrateMaker):
    cid, crates = _submitted_with_discrepancies(world, make)
    assert _review(world, cid, [{"crate": crates["b"].pk, "action": "mark_missing"}]).status_code == 200
    later = open_count(world)["id"]
    response = scan(world, later, world.shelf2, crates["b"].number)
    assert response.status_code == 201
    world.client("storehead").post(f"/api/counts/{later}/submit/")
    detail = world.client("approver").get(f"/api/counts/{later}/").data
    assert [(line["number"], line["status"]) for line in detail["unexpected"]] == [(crates["b"].number, "missing")]
    assert _review(world, later, []).status_code == 200
    b = Crate.objects.get(pk=crates["b"].pk)
    assert (b.status, b.location_id) == ("stored", world.shelf2.pk)
    found = AuditEvent.objects.get(action="crate.found")
    assert found.changes["status"] == ["missing", "stored"]


def response_number(world: World, count_id: int) -> str:
    return str(InventoryCount.objects.get(pk=count_id).number)
