from apps.audit.models import AuditEvent
from apps.crates.models import Crate
from apps.requests.models import Request, RequestItem
from apps.signatures.models import Signature
from tests.requests.conftest import PASSWORD, create_request, make_crate, occupied


def test_storage_request_end_to_end(world, audit_count):
    crate = make_crate(world, documents=2)
    docmanager, approver, storehead = (world.login(u) for u in ("docmanager", "approver", "storehead"))

    start = audit_count()
    response = docmanager.post(
        "/api/requests/",
        {"request_type": "storage", "purpose": "Archive Q1 batch records", "items": [{"crate": crate.pk}]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.data
    request_id = body["id"]
    assert body["status"] == "draft"
    assert body["number"].startswith("REQ-")
    assert body["request_type"] == "storage"
    assert body["unit"] == world.goa.pk and body["unit_code"] == "GOA"
    assert body["requester"] == world.user("docmanager").pk
    assert body["requester_name"] == "Docmanager"
    assert [(i["crate"], i["crate_number"], i["document"], i["is_open"]) for i in body["items"]] == [
        (crate.pk, crate.number, None, True)
    ]
    assert body["allowed_actions"] == ["submit", "cancel", "edit", "delete"]
    assert body["signatures"] == []
    assert audit_count() == start + 1
    assert AuditEvent.objects.latest("sequence").action == "request.created"

    response = docmanager.post(f"/api/requests/{request_id}/submit/")
    assert response.status_code == 200, response.content
    assert response.data["status"] == "submitted"
    assert response.data["allowed_actions"] == ["cancel"]
    assert audit_count() == start + 2

    assert approver.get(f"/api/requests/{request_id}/").data["allowed_actions"] == ["approve", "reject"]
    response = approver.post(
        f"/api/requests/{request_id}/approve/", {"password": PASSWORD, "comment": "Fine"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.data
    assert body["status"] == "approved"
    assert body["decided_by"] == world.user("approver").pk
    assert body["decided_by_name"] == "Approver"
    assert body["decision_comment"] == "Fine"
    assert [(s["meaning"], s["full_name"], s["username"]) for s in body["signatures"]] == [
        ("approved", "Approver", "approver")
    ]
    assert body["signatures"][0]["signed_at"]
    assert audit_count() == start + 4  # request.approved + signature.signed
    assert list(AuditEvent.objects.order_by("-sequence").values_list("action", flat=True)[:2]) == [
        "signature.signed",
        "request.approved",
    ]

    assert storehead.get(f"/api/requests/{request_id}/").data["allowed_actions"] == ["execute"]
    response = storehead.post(
        f"/api/requests/{request_id}/execute/",
        {"allocations": [{"crate": crate.pk, "location": world.shelf.pk}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.data
    assert body["status"] == "completed"
    assert body["executed_by"] == world.user("storehead").pk
    assert body["executed_by_name"] == "Storehead"
    assert body["completed_at"] is not None
    assert body["items"][0]["allocated_location"] == world.shelf.pk
    assert body["items"][0]["location_path"] == "Archive Room 1 / Shelf 1"
    assert body["items"][0]["is_open"] is False
    assert body["allowed_actions"] == []
    crate.refresh_from_db()
    assert crate.status == Crate.Status.STORED
    assert crate.location_id == world.shelf.pk
    assert occupied(world.shelf) == 1
    assert not RequestItem.objects.filter(is_open=True).exists()
    actions = list(
        AuditEvent.objects.filter(sequence__gt=start + 4).order_by("sequence").values_list("action", flat=True)
    )
    assert actions == ["crate.stored", "request.executed"]


def test_storage_execution_must_allocate_every_crate_once(world, audit_count):
    first, second = make_crate(world), make_crate(world)
    request = create_request(
        world, {"request_type": "storage", "purpose": "p", "items": [{"crate": first.pk}, {"crate": second.pk}]}
    )
    world.client("docmanager").post(f"/api/requests/{request['id']}/submit/")
    world.client("approver").post(f"/api/requests/{request['id']}/approve/", {"password": PASSWORD}, format="json")
    before = audit_count()
    storehead = world.client("storehead")

    response = storehead.post(
        f"/api/requests/{request['id']}/execute/",
        {"allocations": [{"crate": first.pk, "location": world.shelf.pk}]},
        format="json",
    )
    assert response.status_code == 400
    assert "allocations" in response.data
    response = storehead.post(
        f"/api/requests/{request['id']}/execute/",
        {
            "allocations": [
                {"crate": first.pk, "location": world.shelf.pk},
                {"crate": first.pk, "location": world.shelf.pk},
                {"crate": second.pk, "location": world.shelf.pk},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    response = storehead.post(
        f"/api/requests/{request['id']}/execute/",
        {
            "allocations": [
                {"crate": first.pk, "location": world.shelf.pk},
                {"crate": second.pk, "location": world.kur_shelf.pk},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    response = storehead.post(
        f"/api/requests/{request['id']}/execute/",
        {
            "allocations": [
                {"crate": first.pk, "location": world.shelf.pk},
                {"crate": second.pk, "location": world.room.pk},
            ]
        },
        format="json",
    )
    assert response.status_code == 400  # a room of capacity 0 is not a place for crates

    assert Request.objects.get(pk=request["id"]).status == "approved"
    assert audit_count() == before
    assert occupied(world.shelf) == 0
    assert set(Crate.objects.values_list("status", flat=True)) == {"draft"}


def test_storage_execution_over_capacity_changes_nothing(world, audit_count):
    world.shelf2.capacity = 1
    world.shelf2.save()
    first, second = make_crate(world), make_crate(world)
    request = create_request(
        world, {"request_type": "storage", "purpose": "p", "items": [{"crate": first.pk}, {"crate": second.pk}]}
    )
    world.client("docmanager").post(f"/api/requests/{request['id']}/submit/")
    world.client("approver").post(f"/api/requests/{request['id']}/approve/", {"password": PASSWORD}, format="json")
    before = audit_count()

    response = world.client("storehead").post(
        f"/api/requests/{request['id']}/execute/",
        {
            "allocations": [
                {"crate": first.pk, "location": world.shelf2.pk},
                {"crate": second.pk, "location": world.shelf2.pk},
            ]
        },
        format="json",
    )

    assert response.status_code == 409
    assert response.data["code"] == "capacity_exceeded"
    assert Request.objects.get(pk=request["id"]).status == "approved"
    assert occupied(world.shelf2) == 0
    assert set(Crate.objects.values_list("status", flat=True)) == {"draft"}
    assert audit_count() == before
    assert Signature.objects.count() == 1


def test_storage_request_refuses_crates_that_are_not_draft_or_empty(world):
    empty = make_crate(world, documents=0)
    from tests.requests.conftest import stored_crate

    stored = stored_crate(world)
    kur = make_crate(world, unit=world.kur)
    client = world.client("docmanager")
    for crate in (empty, stored, kur):
        response = client.post(
            "/api/requests/", {"request_type": "storage", "purpose": "p", "items": [{"crate": crate.pk}]}, format="json"
        )
        assert response.status_code == 400, crate
        assert "items" in response.data
    assert Request.objects.count() == 0


def test_crate_in_an_open_request_cannot_join_another(world, audit_count):
    crate = make_crate(world)
    create_request(world, {"request_type": "storage", "purpose": "p", "items": [{"crate": crate.pk}]})
    before = audit_count()

    response = world.client("docmanager").post(
        "/api/requests/", {"request_type": "storage", "purpose": "again", "items": [{"crate": crate.pk}]}, format="json"
    )

    assert response.status_code == 400
    assert "already in open request" in response.data["items"][0]
    assert Request.objects.count() == 1
    assert audit_count() == before


def test_cancelled_request_frees_its_crates(world):
    crate = make_crate(world)
    request = create_request(world, {"request_type": "storage", "purpose": "p", "items": [{"crate": crate.pk}]})
    response = world.client("docmanager").post(
        f"/api/requests/{request['id']}/cancel/", {"comment": "mistake"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["status"] == "cancelled"
    assert response.data["cancelled_at"] is not None
    assert response.data["items"][0]["is_open"] is False
    create_request(world, {"request_type": "storage", "purpose": "again", "items": [{"crate": crate.pk}]})


def test_draft_can_be_edited_and_deleted_only_in_draft(world, audit_count):
    first, second = make_crate(world), make_crate(world)
    request = create_request(world, {"request_type": "storage", "purpose": "p", "items": [{"crate": first.pk}]})
    client = world.client("docmanager")

    response = client.patch(
        f"/api/requests/{request['id']}/", {"purpose": "new", "items": [{"crate": second.pk}]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.data["purpose"] == "new"
    assert [i["crate"] for i in response.data["items"]] == [second.pk]
    event = AuditEvent.objects.latest("sequence")
    assert event.action == "request.updated"
    assert event.changes["items"] == [[[first.pk, None]], [[second.pk, None]]]

    client.post(f"/api/requests/{request['id']}/submit/")
    before = audit_count()
    response = client.patch(f"/api/requests/{request['id']}/", {"purpose": "late"}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "invalid_transition"
    response = client.delete(f"/api/requests/{request['id']}/")
    assert response.status_code == 409
    assert Request.objects.get(pk=request["id"]).purpose == "new"
    assert audit_count() == before

    draft = create_request(world, {"request_type": "storage", "purpose": "p", "items": [{"crate": first.pk}]})
    response = client.delete(f"/api/requests/{draft['id']}/")
    assert response.status_code == 204
    assert not Request.objects.filter(pk=draft["id"]).exists()
    assert AuditEvent.objects.latest("sequence").action == "request.deleted"
