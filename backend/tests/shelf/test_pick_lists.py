"""Pick lists: GET /api/requests/{id}/pick-list/ and GET /api/pick-list/?requests= (docs/workflows.md)."""

import io
from typing import Any

from pypdf import PdfReader
from pytest_django import DjangoAssertNumQueries

from apps.crates.models import Document
from apps.storage.models import StorageLocation
from tests.conftest import World
from tests.requests.conftest import approved_request, create_request, in_future, make_crate, stored_crate
from tests.shelf.barcodes import code128_values


def _shelf(world: World, name: str, code: str) -> StorageLocation:
    return StorageLocation.objects.create(
        unit=world.goa,
        parent=world.room,
        kind="shelf",
        code=code,
        name=name,
        capacity=10,
        path=f"Archive Room 1 / {name}",
    )


def _withdrawal(world: World, items: list[dict[str, Any]]) -> dict[str, Any]:
    body = {"request_type": "withdrawal", "purpose": "audit", "expected_return_date": in_future(), "items": items}
    return approved_request(world, body)


def test_pick_list_is_in_shelf_order_shelf_2_before_shelf_10(world: World) -> None:
    shelf10 = _shelf(world, "Shelf 10", "GOA-S10")
    on_10 = stored_crate(world, location=shelf10)
    on_2b, on_2a = stored_crate(world, location=world.shelf2), stored_crate(world, location=world.shelf2)
    on_1 = stored_crate(world, documents=2)
    first, second = Document.objects.filter(crate=on_1).order_by("number")
    request = _withdrawal(
        world,
        [
            {"crate": on_10.pk},
            {"crate": on_2b.pk},
            {"crate": on_1.pk, "document": second.pk},
            {"crate": on_2a.pk},
            {"crate": on_1.pk, "document": first.pk},
        ],
    )
    response = world.client("storehead").get(f"/api/requests/{request['id']}/pick-list/")
    assert response.status_code == 200, response.content
    rows = response.json()
    assert [(row["number"], row["location_path"]) for row in rows] == [
        (on_1.number, "Archive Room 1 / Shelf 1"),
        (on_1.number, "Archive Room 1 / Shelf 1"),
        (min(on_2a.number, on_2b.number), "Archive Room 1 / Shelf 2"),
        (max(on_2a.number, on_2b.number), "Archive Room 1 / Shelf 2"),
        (on_10.number, "Archive Room 1 / Shelf 10"),
    ]
    assert rows[0] == {
        "request": request["id"],
        "request_number": request["number"],
        "crate": on_1.pk,
        "number": on_1.number,
        "location": world.shelf.pk,
        "location_path": "Archive Room 1 / Shelf 1",
        "document": {"id": first.pk, "number": first.number, "title": first.title},
    }
    assert rows[1]["document"]["id"] == second.pk
    assert rows[2]["document"] is None


def test_a_storage_request_is_a_put_away_list_of_crates_without_a_place_yet(world: World) -> None:
    crates = [make_crate(world), make_crate(world)]
    request = approved_request(
        world, {"request_type": "storage", "purpose": "p", "items": [{"crate": c.pk} for c in reversed(crates)]}
    )
    rows = world.client("storehead").get(f"/api/requests/{request['id']}/pick-list/").json()
    assert [(row["number"], row["location"], row["location_path"]) for row in rows] == [
        (crates[0].number, None, None),
        (crates[1].number, None, None),
    ]
    response = world.client("storehead").get(f"/api/requests/{request['id']}/pick-list/?format=pdf")
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Put-away list" in text and "To be allocated" in text


def test_pick_list_pdf_has_every_crate_with_its_barcode_in_shelf_order(world: World) -> None:
    crates = [stored_crate(world, location=world.shelf2), stored_crate(world)]
    request = _withdrawal(world, [{"crate": c.pk} for c in crates])
    response = world.client("storehead").get(f"/api/requests/{request['id']}/pick-list/", {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="pick-list-{request["number"]}.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Pick list" in text and request["number"] in text
    assert text.index(crates[1].number) < text.index(crates[0].number)  # Shelf 1, then Shelf 2
    assert code128_values(reader.pages[0]) == [crates[1].number, crates[0].number]  # one barcode a row
    assert reader.metadata is not None and reader.metadata.subject == request["number"]


def test_pick_list_of_a_request_that_is_not_approved_is_409(world: World) -> None:
    crate = stored_crate(world)
    draft = create_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "p",
            "expected_return_date": in_future(),
            "items": [{"crate": crate.pk}],
        },
    )
    # A draft is its author's own (docs/roles.md); submitted, the unit's staff see it.
    response = world.client("docmanager").get(f"/api/requests/{draft['id']}/pick-list/")
    assert response.status_code == 409
    assert response.json()["detail"] == f"A pick list is for approved requests: {draft['number']} is draft."
    assert world.client("docmanager").post(f"/api/requests/{draft['id']}/submit/").status_code == 200
    for fmt in ("json", "pdf"):
        response = world.client("storehead").get(f"/api/requests/{draft['id']}/pick-list/", {"format": fmt})
        assert response.status_code == 409
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "detail": f"A pick list is for approved requests: {draft['number']} is submitted.",
            "code": "invalid_transition",
        }


def test_several_requests_of_one_unit_make_one_walk(world: World) -> None:
    a, b, c = (
        stored_crate(world, location=world.shelf2),
        stored_crate(world),
        stored_crate(world, location=world.shelf2),
    )
    first = _withdrawal(world, [{"crate": a.pk}])
    second = _withdrawal(world, [{"crate": b.pk}, {"crate": c.pk}])
    response = world.client("storehead").get("/api/pick-list/", {"requests": f"{first['id']},{second['id']}"})
    assert response.status_code == 200, response.content
    rows = response.json()
    assert [(row["number"], row["request_number"]) for row in rows] == [
        (b.number, second["number"]),
        *sorted([(a.number, first["number"]), (c.number, second["number"])]),
    ]
    pdf = world.client("storehead").get(
        "/api/pick-list/", {"requests": f"{first['id']},{second['id']}", "format": "pdf"}
    )
    assert pdf.status_code == 200
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert first["number"] in text and second["number"] in text


def test_merged_pick_list_refuses_bad_ids_other_units_states_and_mixed_units(world: World) -> None:
    mine = _withdrawal(world, [{"crate": stored_crate(world).pk}])
    kur_crate = stored_crate(world, unit=world.kur, location=world.kur_shelf)
    theirs = approved_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "p",
            "expected_return_date": in_future(),
            "items": [{"crate": kur_crate.pk}],
        },
        requester="docmanager2",
        approver="approver2",
    )
    client = world.client("storehead")
    assert client.get("/api/pick-list/").json() == {"requests": ["Give the requests to pick, e.g. ?requests=12,15."]}
    bad = client.get("/api/pick-list/", {"requests": "1,x"})
    assert (bad.status_code, bad.json()) == (400, {"requests": ["Request ids are whole numbers separated by commas."]})
    too_many = client.get("/api/pick-list/", {"requests": ",".join(str(n) for n in range(1, 52))})
    assert too_many.status_code == 400
    other = client.get("/api/pick-list/", {"requests": f"{mine['id']},{theirs['id']}"})
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    assert str(theirs["id"]) in other.json()["detail"]
    mixed = world.client("sysadmin").get("/api/pick-list/", {"requests": f"{mine['id']},{theirs['id']}"})
    assert mixed.status_code == 400
    assert mixed.json() == {"requests": ["A pick list walks one unit's archive: give requests of one unit."]}


def test_pick_list_runs_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    small = _withdrawal(world, [{"crate": stored_crate(world).pk}])
    big = _withdrawal(world, [{"crate": stored_crate(world).pk} for _ in range(6)])
    client = world.client("storehead")
    client.get(f"/api/requests/{small['id']}/pick-list/")
    for request in (small, big):
        with django_assert_num_queries(3):  # the request, its items (crate, location, document), signatures
            assert client.get(f"/api/requests/{request['id']}/pick-list/").status_code == 200
    with django_assert_num_queries(3):
        assert client.get("/api/pick-list/", {"requests": f"{small['id']},{big['id']}"}).status_code == 200
