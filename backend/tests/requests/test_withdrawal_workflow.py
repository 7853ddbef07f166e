import datetime

from apps.audit.models import AuditEvent
from apps.crates.models import Crate, Document
from apps.requests.models import Request, RequestItem, SendBack
from tests.requests.conftest import approved_request, create_request, in_future, occupied, stored_crate


def _actions_since(sequence):
    return list(AuditEvent.objects.filter(sequence__gt=sequence).order_by("sequence").values_list("action", flat=True))


def _last_sequence():
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0


def test_whole_crate_withdrawal_and_send_back_to_previous_location(world):
    crate = stored_crate(world, documents=2)
    assert occupied(world.shelf) == 1
    request = approved_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "Audit",
            "expected_return_date": in_future(),
            "items": [{"crate": crate.pk}],
        },
    )
    storehead, docmanager = world.login("storehead"), world.login("docmanager")

    mark = _last_sequence()
    response = storehead.post(f"/api/requests/{request['id']}/execute/", {}, format="json")
    assert response.status_code == 200, response.content
    body = response.data
    assert body["status"] == "issued"
    assert body["is_overdue"] is False
    assert body["items"][0]["source_location"] == world.shelf.pk
    assert body["items"][0]["is_open"] is True
    crate.refresh_from_db()
    assert crate.status == Crate.Status.WITHDRAWN
    assert crate.location_id is None
    assert crate.previous_location_id == world.shelf.pk
    assert occupied(world.shelf) == 0
    assert set(crate.documents.values_list("status", flat=True)) == {"withdrawn"}
    assert _actions_since(mark) == ["crate.withdrawn", "document.withdrawn", "document.withdrawn", "request.executed"]
    assert docmanager.get(f"/api/requests/{request['id']}/").data["allowed_actions"] == [
        "create_sendback",
        "request_extension",
    ]

    mark = _last_sequence()
    response = docmanager.post(
        "/api/sendbacks/",
        {"request": request["id"], "items": [{"crate": crate.pk}], "condition_notes": "intact"},
        format="json",
    )
    assert response.status_code == 201, response.content
    sendback = response.data
    assert sendback["status"] == "pending"
    assert sendback["number"].startswith("SB-")
    assert sendback["request_number"] == request["number"]
    assert [(i["crate"], i["document"]) for i in sendback["items"]] == [(crate.pk, None)]
    assert _actions_since(mark) == ["sendback.created"]
    assert Request.objects.get(pk=request["id"]).status == "issued"

    mark = _last_sequence()
    response = storehead.post(f"/api/sendbacks/{sendback['id']}/receive/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.data["status"] == "received"
    assert response.data["received_by"] == world.user("storehead").pk
    assert response.data["items"][0]["location"] == world.shelf.pk
    crate.refresh_from_db()
    assert crate.status == Crate.Status.STORED
    assert crate.location_id == world.shelf.pk
    assert occupied(world.shelf) == 1
    assert set(crate.documents.values_list("status", flat=True)) == {"in_storage"}
    item = RequestItem.objects.get(request_id=request["id"])
    assert item.is_open is False and item.returned_at is not None
    assert Request.objects.get(pk=request["id"]).status == "completed"
    assert _actions_since(mark) == [
        "crate.returned",
        "document.in_storage",
        "document.in_storage",
        "sendback.received",
        "request.completed",
    ]


def test_document_withdrawal_returns_in_two_send_backs(world):
    crate = stored_crate(world, documents=3)
    first, second, third = crate.documents.order_by("number")
    request = approved_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "Investigation",
            "expected_return_date": in_future(),
            "items": [{"crate": crate.pk, "document": first.pk}, {"crate": crate.pk, "document": second.pk}],
        },
    )
    storehead, docmanager = world.client("storehead"), world.client("docmanager")
    response = storehead.post(f"/api/requests/{request['id']}/execute/", {}, format="json")
    assert response.status_code == 200, response.content
    assert [i["document_number"] for i in response.data["items"]] == [first.number, second.number]
    crate.refresh_from_db()
    assert crate.status == "stored" and crate.location_id == world.shelf.pk
    assert occupied(world.shelf) == 1
    assert dict(Document.objects.values_list("pk", "status")) == {
        first.pk: "withdrawn",
        second.pk: "withdrawn",
        third.pk: "in_storage",
    }

    # The third document may go out under another request; the crate as a whole may not.
    response = docmanager.post(
        "/api/requests/",
        {
            "request_type": "withdrawal",
            "purpose": "x",
            "expected_return_date": in_future(),
            "items": [{"crate": crate.pk}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "documents out" in response.data["items"][0]
    create_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "x",
            "expected_return_date": in_future(),
            "items": [{"crate": crate.pk, "document": third.pk}],
        },
    )

    response = docmanager.post(
        "/api/sendbacks/",
        {"request": request["id"], "items": [{"crate": crate.pk, "document": first.pk}]},
        format="json",
    )
    assert response.status_code == 201
    sendback_id = response.data["id"]
    # The same item cannot go on a second send-back while the first is pending.
    response = docmanager.post(
        "/api/sendbacks/",
        {"request": request["id"], "items": [{"crate": crate.pk, "document": first.pk}]},
        format="json",
    )
    assert response.status_code == 400
    assert storehead.post(f"/api/sendbacks/{sendback_id}/receive/", {}, format="json").status_code == 200
    assert Document.objects.get(pk=first.pk).status == "in_storage"
    assert Request.objects.get(pk=request["id"]).status == "issued"

    response = docmanager.post(
        "/api/sendbacks/",
        {"request": request["id"], "items": [{"crate": crate.pk, "document": second.pk}]},
        format="json",
    )
    assert storehead.post(f"/api/sendbacks/{response.data['id']}/receive/", {}, format="json").status_code == 200
    assert Document.objects.get(pk=second.pk).status == "in_storage"
    assert Request.objects.get(pk=request["id"]).status == "completed"
    assert occupied(world.shelf) == 1


def test_withdrawal_needs_a_future_expected_return_date(world):
    crate = stored_crate(world)
    client = world.client("docmanager")
    body = {"request_type": "withdrawal", "purpose": "x", "items": [{"crate": crate.pk}]}
    response = client.post("/api/requests/", body, format="json")
    assert response.status_code == 400
    assert "expected_return_date" in response.data
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    response = client.post("/api/requests/", {**body, "expected_return_date": yesterday}, format="json")
    assert response.status_code == 400
    assert "expected_return_date" in response.data
    assert Request.objects.count() == 0


def test_overdue_withdrawals_are_flagged_and_filterable(world):
    crate, other = stored_crate(world), stored_crate(world)
    overdue = approved_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "x",
            "expected_return_date": in_future(1),
            "items": [{"crate": crate.pk}],
        },
    )
    on_time = approved_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "y",
            "expected_return_date": in_future(30),
            "items": [{"crate": other.pk}],
        },
    )
    storehead = world.client("storehead")
    for request in (overdue, on_time):
        assert storehead.post(f"/api/requests/{request['id']}/execute/", {}, format="json").status_code == 200
    Request.objects.filter(pk=overdue["id"]).update(
        expected_return_date=datetime.date.today() - datetime.timedelta(days=3)
    )

    response = world.client("viewer").get("/api/requests/?overdue=true")
    assert [r["number"] for r in response.data["results"]] == [overdue["number"]]
    assert response.data["results"][0]["is_overdue"] is True
    response = world.client("viewer").get("/api/requests/?overdue=false&request_type=withdrawal")
    assert [r["number"] for r in response.data["results"]] == [on_time["number"]]


def test_send_back_receive_asks_for_allocation_when_previous_location_is_full(world, audit_count):
    world.shelf2.capacity = 1
    world.shelf2.save()
    crate = stored_crate(world, location=world.shelf2)
    request = approved_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "x",
            "expected_return_date": in_future(),
            "items": [{"crate": crate.pk}],
        },
    )
    storehead = world.client("storehead")
    storehead.post(f"/api/requests/{request['id']}/execute/", {}, format="json")
    stored_crate(world, location=world.shelf2)  # someone else took the place meanwhile
    sendback = world.client("docmanager").post(
        "/api/sendbacks/", {"request": request["id"], "items": [{"crate": crate.pk}]}, format="json"
    )
    before = audit_count()

    response = storehead.post(f"/api/sendbacks/{sendback.data['id']}/receive/", {}, format="json")
    assert response.status_code == 400
    assert "give an allocation" in response.data["allocations"][0]
    assert SendBack.objects.get().status == "pending"
    assert audit_count() == before
    assert Crate.objects.get(pk=crate.pk).status == "withdrawn"

    response = storehead.post(
        f"/api/sendbacks/{sendback.data['id']}/receive/",
        {"allocations": [{"crate": crate.pk, "location": world.shelf2.pk}]},
        format="json",
    )
    assert response.status_code == 409
    assert response.data["code"] == "capacity_exceeded"
    assert audit_count() == before

    response = storehead.post(
        f"/api/sendbacks/{sendback.data['id']}/receive/",
        {"allocations": [{"crate": crate.pk, "location": world.shelf.pk}]},
        format="json",
    )
    assert response.status_code == 200
    assert Crate.objects.get(pk=crate.pk).location_id == world.shelf.pk
    assert occupied(world.shelf) == 1 and occupied(world.shelf2) == 1
    assert Request.objects.get(pk=request["id"]).status == "completed"


def test_received_send_back_cannot_be_received_again(world):
    crate = stored_crate(world)
    request = approved_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "x",
            "expected_return_date": in_future(),
            "items": [{"crate": crate.pk}],
        },
    )
    storehead = world.client("storehead")
    storehead.post(f"/api/requests/{request['id']}/execute/", {}, format="json")
    sendback = world.client("docmanager").post(
        "/api/sendbacks/", {"request": request["id"], "items": [{"crate": crate.pk}]}, format="json"
    )
    assert storehead.post(f"/api/sendbacks/{sendback.data['id']}/receive/", {}, format="json").status_code == 200
    response = storehead.post(f"/api/sendbacks/{sendback.data['id']}/receive/", {}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "invalid_transition"
    assert occupied(world.shelf) == 1


def test_send_back_only_for_issued_withdrawal_items(world):
    crate, other = stored_crate(world), stored_crate(world)
    request = approved_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "x",
            "expected_return_date": in_future(),
            "items": [{"crate": crate.pk}],
        },
    )
    docmanager = world.client("docmanager")
    response = docmanager.post(
        "/api/sendbacks/", {"request": request["id"], "items": [{"crate": crate.pk}]}, format="json"
    )
    assert response.status_code == 409
    assert response.data["code"] == "invalid_transition"
    world.client("storehead").post(f"/api/requests/{request['id']}/execute/", {}, format="json")
    response = docmanager.post(
        "/api/sendbacks/", {"request": request["id"], "items": [{"crate": other.pk}]}, format="json"
    )
    assert response.status_code == 400
    assert SendBack.objects.count() == 0
