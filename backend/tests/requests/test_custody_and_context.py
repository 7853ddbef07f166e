"""Custody (who has what, out to me, overdue) and the approval context (docs/workflows.md)."""

import datetime
from typing import Any

from pytest_django import DjangoAssertNumQueries

from apps.requests.models import Request
from apps.retention.models import LegalHold
from apps.storage.models import StorageLocation
from tests.conftest import World
from tests.requests.conftest import approved_request, in_future, stored_crate


def issue(world: World, body: dict[str, Any], requester: str = "docmanager") -> dict[str, Any]:
    request = approved_request(world, body, requester=requester)
    response = world.client("storehead").post(f"/api/requests/{request['id']}/execute/", {}, format="json")
    assert response.status_code == 200, response.content
    return response.data  # type: ignore[no-any-return]


def submitted(world: World, body: dict[str, Any]) -> dict[str, Any]:
    """A submitted request (a draft is its author's alone, docs/roles.md)."""
    created = world.client("docmanager").post("/api/requests/", body, format="json")
    assert created.status_code == 201, created.content
    response = world.client("docmanager").post(f"/api/requests/{created.json()['id']}/submit/")
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def withdrawal(*items: dict[str, Any]) -> dict[str, Any]:
    return {"request_type": "withdrawal", "purpose": "Audit", "expected_return_date": in_future(), "items": list(items)}


def test_custody_lists_what_is_out_by_person_with_due_dates_and_overdue(world: World) -> None:
    whole = stored_crate(world)
    partly = stored_crate(world, documents=2)
    late = issue(world, withdrawal({"crate": whole.pk}))
    three_days_ago = datetime.date.today() - datetime.timedelta(days=3)
    Request.objects.filter(pk=late["id"]).update(expected_return_date=three_days_ago)
    document = partly.documents.order_by("number").first()
    assert document is not None
    on_time = issue(world, withdrawal({"crate": partly.pk, "document": document.pk}), requester="sysadmin")
    kur = stored_crate(world, unit=world.kur, location=world.kur_shelf)  # never seen from GOA
    assert kur.pk

    rows = world.client("viewer").get("/api/custody/").json()["results"]
    assert [
        (row["request_number"], row["crate_number"], row["document_number"], row["is_overdue"]) for row in rows
    ] == [
        (late["number"], whole.number, None, True),
        (on_time["number"], partly.number, document.number, False),
    ]
    assert rows[0]["requester_username"] == "docmanager"
    assert rows[0]["taken_from"] == world.shelf.path

    mine = world.client("docmanager").get("/api/custody/?mine=true").json()["results"]
    assert [row["request_number"] for row in mine] == [late["number"]]
    overdue = world.client("viewer").get("/api/custody/?overdue=true").json()["results"]
    assert [row["request_number"] for row in overdue] == [late["number"]]
    assert world.client("storehead2").get("/api/custody/").json()["results"] == []

    people = world.client("approver").get("/api/custody/people/").json()
    assert [(p["requester_username"], p["crates"], p["documents"], p["overdue"], p["next_due"]) for p in people] == [
        ("docmanager", 1, 0, 1, three_days_ago.isoformat()),
        ("sysadmin", 0, 1, 0, in_future()),
    ]


def test_custody_list_runs_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    crates = [stored_crate(world) for _ in range(3)]
    issue(world, withdrawal(*({"crate": crate.pk} for crate in crates)))
    client = world.client("viewer")
    client.get("/api/custody/")
    for size in (1, 50):
        with django_assert_num_queries(2):  # count + page (request, requester, unit, crate, document, location)
            response = client.get(f"/api/custody/?page_size={size}")
        assert len(response.json()["results"]) == min(size, 3)
    with django_assert_num_queries(1):
        assert len(client.get("/api/custody/people/").json()) == 1


def test_approval_context_shows_each_crates_documents_retention_and_hold(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    past = datetime.date.today() - datetime.timedelta(days=10)
    due = stored_crate(world, retention_until=past, documents=2)
    held = stored_crate(world, retention_until=past, legal_hold=True)
    body = {"request_type": "destruction", "purpose": "Retention reached", "items": [{"crate": due.pk}]}
    created = submitted(world, body)
    client = world.client("approver")
    client.get(f"/api/requests/{created['id']}/context/")
    with django_assert_num_queries(5):  # request, items, signatures; crates; documents
        crates = client.get(f"/api/requests/{created['id']}/context/").json()["crates"]
    assert [(c["number"], c["due_for_destruction"], c["legal_hold"], c["whole_crate"]) for c in crates] == [
        (due.number, True, False, True)
    ]
    assert [(d["number"], d["retention_until"], d["in_request"]) for d in crates[0]["documents"]] == [
        (f"BMR-{due.pk}-1", past.isoformat(), True),
        (f"BMR-{due.pk}-2", past.isoformat(), True),
    ]
    assert crates[0]["location_path"] == world.shelf.path

    # A document withdrawal names one document: the context shows its crate's others too.
    two = stored_crate(world, documents=2)
    first = two.documents.order_by("number").first()
    assert first is not None
    created = submitted(world, withdrawal({"crate": two.pk, "document": first.pk}))
    crates = client.get(f"/api/requests/{created['id']}/context/").json()["crates"]
    assert [d["in_request"] for d in crates[0]["documents"]] == [True, False]
    assert (crates[0]["whole_crate"], crates[0]["due_for_destruction"]) == (False, False)
    # A held crate says so (and is not due, whatever its retention).
    body = {"request_type": "withdrawal", "purpose": "x", "expected_return_date": in_future(),
            "items": [{"crate": held.pk}]}  # fmt: skip
    created = submitted(world, body)
    crates = client.get(f"/api/requests/{created['id']}/context/").json()["crates"]
    assert (crates[0]["legal_hold"], crates[0]["legal_hold_reason"], crates[0]["due_for_destruction"]) == (
        True,
        f"{LegalHold.objects.get(crates=held).number}: litigation",
        False,
    )
    # Another unit's request is 404.
    assert world.client("docmanager2").get(f"/api/requests/{created['id']}/context/").status_code == 404


def test_crate_neighbours_and_location_subtree(world: World, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    shelf3 = StorageLocation.objects.create(
        unit=world.goa, parent=world.room, kind="shelf", code="GOA-S3", name="Shelf 3", capacity=5,
        path="Archive Room 1 / Shelf 3",
    )  # fmt: skip
    here = stored_crate(world, location=world.shelf2)
    beside = stored_crate(world, location=world.shelf2)
    left = stored_crate(world, location=world.shelf)
    right = stored_crate(world, location=shelf3)
    client = world.client("viewer")
    client.get(f"/api/crates/{here.pk}/neighbours/")
    with django_assert_num_queries(3):  # the crate; sibling locations; their crates
        body = client.get(f"/api/crates/{here.pk}/neighbours/").json()
    assert body["location"]["id"] == world.shelf2.pk
    assert [c["number"] for c in body["same_location"]] == [beside.number]
    assert [(a["code"], [c["number"] for c in a["crates"]]) for a in body["adjacent"]] == [
        ("GOA-S1", [left.number]),
        ("GOA-S3", [right.number]),
    ]
    assert world.client("docmanager2").get(f"/api/crates/{here.pk}/neighbours/").status_code == 404

    # A room's crates: everything on its shelves.
    numbers = [c["number"] for c in client.get(f"/api/crates/?within={world.room.pk}").json()["results"]]
    assert sorted(numbers) == sorted([here.number, beside.number, left.number, right.number])
    numbers = [c["number"] for c in client.get(f"/api/crates/?within={world.shelf2.pk}").json()["results"]]
    assert sorted(numbers) == sorted([here.number, beside.number])
    assert client.get(f"/api/crates/?within={world.kur_shelf.pk}").json()["results"] == []
