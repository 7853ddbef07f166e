"""Every forbidden move answers the right code and changes nothing."""

import pytest

from apps.audit.models import AuditEvent
from apps.auth import roles
from apps.requests.models import Request
from apps.signatures.models import Signature
from tests.conftest import make_user
from tests.requests.conftest import PASSWORD, approved_request, create_request, make_crate, occupied, stored_crate


def _submitted(world, requester="docmanager"):
    crate = make_crate(world)
    request = create_request(
        world, {"request_type": "storage", "purpose": "p", "items": [{"crate": crate.pk}]}, requester
    )
    assert world.client(requester).post(f"/api/requests/{request['id']}/submit/").status_code == 200
    return request


@pytest.mark.parametrize("username", ["viewer", "approver", "storehead", "unitadmin"])
def test_roles_without_the_capability_cannot_raise_requests(world, username, audit_count):
    crate = make_crate(world)
    before = audit_count()
    response = world.client(username).post(
        "/api/requests/", {"request_type": "storage", "purpose": "p", "items": [{"crate": crate.pk}]}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert Request.objects.count() == 0
    assert audit_count() == before


@pytest.mark.parametrize(
    ("username", "action"),
    [
        ("viewer", "approve"),
        ("docmanager", "approve"),
        ("storehead", "approve"),
        ("unitadmin", "reject"),
        ("viewer", "execute"),
        ("approver", "execute"),
        ("docmanager", "execute"),
        ("viewer", "submit"),
        ("storehead", "cancel"),
    ],
)
def test_wrong_role_gets_403_and_nothing_changes(world, username, action, audit_count):
    request = _submitted(world)
    before = audit_count()
    response = world.client(username).post(
        f"/api/requests/{request['id']}/{action}/", {"password": PASSWORD, "comment": "c"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert Request.objects.get(pk=request["id"]).status == "submitted"
    assert audit_count() == before


def test_other_unit_gets_404(world, audit_count):
    request = _submitted(world)
    before = audit_count()
    assert world.client("approver2").get(f"/api/requests/{request['id']}/").status_code == 404
    response = world.client("approver2").post(
        f"/api/requests/{request['id']}/approve/", {"password": PASSWORD}, format="json"
    )
    assert response.status_code == 404
    assert world.client("docmanager2").post(f"/api/requests/{request['id']}/cancel/").status_code == 404
    assert world.client("docmanager2").get("/api/requests/").data["count"] == 0
    assert Request.objects.get(pk=request["id"]).status == "submitted"
    assert audit_count() == before


def test_other_units_crate_cannot_be_requested(world):
    crate = stored_crate(world, unit=world.kur, location=world.kur_shelf)
    response = world.client("docmanager").post(
        "/api/requests/",
        {
            "request_type": "withdrawal",
            "purpose": "p",
            "expected_return_date": "2999-01-01",
            "items": [{"crate": crate.pk}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "not a crate of this unit" in response.data["items"][0]


def test_requester_cannot_approve_own_request_even_as_system_administrator(world, audit_count):
    request = _submitted(world, requester="sysadmin")
    before = audit_count()
    response = world.client("sysadmin").post(
        f"/api/requests/{request['id']}/approve/", {"password": PASSWORD}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "segregation_of_duties")
    assert response.data["code"] == "segregation_of_duties"
    response = world.client("sysadmin").post(
        f"/api/requests/{request['id']}/reject/", {"password": PASSWORD, "comment": "no"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "segregation_of_duties")
    assert response.data["code"] == "segregation_of_duties"
    assert Request.objects.get(pk=request["id"]).status == "submitted"
    assert Signature.objects.count() == 0
    assert audit_count() == before
    assert world.client("sysadmin").get(f"/api/requests/{request['id']}/").data["allowed_actions"] == ["cancel"]


def test_approver_cannot_execute_even_as_system_administrator(world, audit_count):
    request = _submitted(world)
    assert (
        world.client("sysadmin")
        .post(f"/api/requests/{request['id']}/approve/", {"password": PASSWORD}, format="json")
        .status_code
        == 200
    )
    crate_id = request["items"][0]["crate"]
    before = audit_count()
    response = world.client("sysadmin").post(
        f"/api/requests/{request['id']}/execute/",
        {"allocations": [{"crate": crate_id, "location": world.shelf.pk}]},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (403, "segregation_of_duties")
    assert response.data["code"] == "segregation_of_duties"
    assert Request.objects.get(pk=request["id"]).status == "approved"
    assert occupied(world.shelf) == 0
    assert audit_count() == before
    assert "execute" not in world.client("sysadmin").get(f"/api/requests/{request['id']}/").data["allowed_actions"]
    assert world.client("storehead").get(f"/api/requests/{request['id']}/").data["allowed_actions"] == ["execute"]


def test_only_the_requester_cancels(world, audit_count):
    request = _submitted(world)
    make_user("docmanager3", roles.DOCUMENT_MANAGER, world.goa)
    before = audit_count()
    response = world.client("docmanager3").post(f"/api/requests/{request['id']}/cancel/")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert Request.objects.get(pk=request["id"]).status == "submitted"
    assert audit_count() == before


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("submit", "submitted"),
        ("approve", "approved"),
        ("execute", "approved"),
        ("cancel", "approved"),
        ("reject", "approved"),
    ],
)
def test_wrong_state_gets_409_invalid_transition(world, action, status, audit_count):
    request = _submitted(world)
    if status == "approved":
        world.client("approver").post(f"/api/requests/{request['id']}/approve/", {"password": PASSWORD}, format="json")
    if action == "execute":  # execute a submitted (not yet approved) request
        request = _submitted(world)
        status = "submitted"
    user = {
        "submit": "docmanager",
        "cancel": "docmanager",
        "approve": "approver",
        "reject": "approver",
        "execute": "storehead",
    }[action]
    before = audit_count()
    response = world.client(user).post(
        f"/api/requests/{request['id']}/{action}/",
        {"password": PASSWORD, "comment": "c", "allocations": []},
        format="json",
    )
    assert response.status_code == 409, response.content
    assert response.data["code"] == "invalid_transition"
    assert Request.objects.get(pk=request["id"]).status == status
    assert audit_count() == before


def test_reject_needs_a_comment_and_closes_items(world, audit_count):
    request = _submitted(world)
    client = world.client("approver")
    before = audit_count()
    response = client.post(f"/api/requests/{request['id']}/reject/", {"password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert "comment" in response.data
    assert audit_count() == before
    response = client.post(
        f"/api/requests/{request['id']}/reject/", {"password": PASSWORD, "comment": "Wrong box"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["status"] == "rejected"
    assert response.data["decision_comment"] == "Wrong box"
    assert [(s["meaning"], s["username"]) for s in response.data["signatures"]] == [("rejected", "approver")]
    assert response.data["items"][0]["is_open"] is False
    assert audit_count() == before + 2


@pytest.mark.django_db(transaction=True)
def test_wrong_password_on_approval_changes_nothing_and_is_audited(world, audit_count):
    request = _submitted(world)
    before = audit_count()
    response = world.client("approver").post(
        f"/api/requests/{request['id']}/approve/", {"password": "not-my-password", "comment": "ok"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "invalid_signature")
    assert response.data["code"] == "invalid_signature"
    assert Request.objects.get(pk=request["id"]).status == "submitted"
    assert Signature.objects.count() == 0
    assert audit_count() == before + 1
    event = AuditEvent.objects.latest("sequence")
    assert event.action == "signature.failed"
    assert event.actor_username == "approver"
    assert event.entity_id == str(request["id"])


def test_item_in_open_request_is_unavailable_at_submit_when_state_changed(world, audit_count):
    crate = stored_crate(world, documents=2)
    document = crate.documents.all()[0]
    doc_request = create_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "p",
            "expected_return_date": "2999-01-01",
            "items": [{"crate": crate.pk, "document": document.pk}],
        },
    )
    # The whole crate clashes with the open document request.
    response = world.client("docmanager").post(
        "/api/requests/",
        {
            "request_type": "withdrawal",
            "purpose": "p",
            "expected_return_date": "2999-01-01",
            "items": [{"crate": crate.pk}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert doc_request["number"] in response.data["items"][0]
    # A state change behind the request's back (e.g. a relocation that went wrong) is a 409 at submit.
    crate.status = "withdrawn"
    crate.save()
    before = audit_count()
    response = world.client("docmanager").post(f"/api/requests/{doc_request['id']}/submit/")
    assert response.status_code == 409
    assert response.data["code"] == "item_unavailable"
    assert Request.objects.get(pk=doc_request["id"]).status == "draft"
    assert audit_count() == before


def test_approved_withdrawal_with_executed_rival_is_unavailable_at_execution(world, audit_count):
    crate = stored_crate(world)
    request = approved_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "p",
            "expected_return_date": "2999-01-01",
            "items": [{"crate": crate.pk}],
        },
    )
    crate.status = "in_transit"
    crate.save()
    before = audit_count()
    response = world.client("storehead").post(f"/api/requests/{request['id']}/execute/", {}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "item_unavailable"
    assert Request.objects.get(pk=request["id"]).status == "approved"
    assert occupied(world.shelf) == 1
    assert audit_count() == before


def test_send_back_roles_and_units(world, audit_count):
    from apps.requests.models import SendBack
    from tests.requests.conftest import in_future

    crate = stored_crate(world)
    request = approved_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "p",
            "expected_return_date": in_future(),
            "items": [{"crate": crate.pk}],
        },
    )
    world.client("storehead").post(f"/api/requests/{request['id']}/execute/", {}, format="json")
    body = {"request": request["id"], "items": [{"crate": crate.pk}]}
    for username in ("storehead", "viewer"):
        refused = world.client(username).post("/api/sendbacks/", body, format="json")
        assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert world.client("docmanager2").post("/api/sendbacks/", body, format="json").status_code == 400
    sendback = world.client("docmanager").post("/api/sendbacks/", body, format="json").data
    before = audit_count()
    for username in ("docmanager", "approver"):
        refused = world.client(username).post(f"/api/sendbacks/{sendback['id']}/receive/")
        assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert world.client("storehead2").post(f"/api/sendbacks/{sendback['id']}/receive/").status_code == 404
    assert world.client("storehead2").get("/api/sendbacks/").data["count"] == 0
    assert SendBack.objects.get().status == "pending"
    assert occupied(world.shelf) == 0
    assert audit_count() == before
