"""A later return date for an issued withdrawal: asked by the requester, approved by an
Approver with an electronic signature (docs/workflows.md)."""

import datetime
from typing import Any

import pytest

from apps.audit.models import AuditEvent
from apps.requests.models import Request, ReturnExtension
from apps.signatures.models import Signature
from tests.conftest import World
from tests.requests.conftest import PASSWORD, approved_request, in_future, stored_crate


def issued_withdrawal(world: World) -> dict[str, Any]:
    crate = stored_crate(world)
    body = {"request_type": "withdrawal", "purpose": "Audit", "expected_return_date": in_future(7),
            "items": [{"crate": crate.pk}]}  # fmt: skip
    request = approved_request(world, body)
    response = world.client("storehead").post(f"/api/requests/{request['id']}/execute/", {}, format="json")
    assert response.status_code == 200, response.content
    assert (
        "request_extension"
        in world.client("docmanager").get(f"/api/requests/{request['id']}/").json()["allowed_actions"]
    )
    return response.json()  # type: ignore[no-any-return]


def ask(world: World, request_id: int, username: str = "docmanager", days: int = 30) -> Any:
    return world.client(username).post(
        f"/api/requests/{request_id}/request-extension/",
        {"requested_date": in_future(days), "reason": "Inspection extended"},
        format="json",
    )


def test_requester_asks_and_an_approver_signs_the_later_date(world: World) -> None:
    request = issued_withdrawal(world)
    response = ask(world, request["id"])
    assert response.status_code == 201, response.content
    extension = response.json()
    assert (extension["status"], extension["previous_date"], extension["requested_date"]) == (
        "pending",
        in_future(7),
        in_future(30),
    )
    assert extension["allowed_actions"] == []  # the requester never decides their own ask
    listed = world.client("approver").get("/api/extensions/?status=pending").json()["results"]
    assert [(row["id"], row["allowed_actions"]) for row in listed] == [(extension["id"], ["approve", "reject"])]

    response = world.client("approver").post(
        f"/api/extensions/{extension['id']}/approve/", {"password": PASSWORD, "comment": "ok"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    assert Request.objects.get(pk=request["id"]).expected_return_date.isoformat() == in_future(30)  # type: ignore[union-attr]
    signature = Signature.objects.get(meaning="return_extended")
    assert (signature.username, signature.subject_number, signature.content["extension"]["requested_date"]) == (
        "approver",
        request["number"],
        in_future(30),
    )
    actions = list(
        AuditEvent.objects.filter(action__startswith="request.extension_")
        .order_by("sequence")
        .values_list("action", "actor_username")
    )
    assert actions == [("request.extension_requested", "docmanager"), ("request.extension_approved", "approver")]
    # Decided once: a second decision is a state conflict.
    again = world.client("approver").post(
        f"/api/extensions/{extension['id']}/reject/", {"password": PASSWORD, "comment": "no"}, format="json"
    )
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")


@pytest.mark.django_db(transaction=True)
def test_refused_extensions_change_nothing(world: World, audit_count: Any) -> None:
    request = issued_withdrawal(world)
    past = world.client("docmanager").post(
        f"/api/requests/{request['id']}/request-extension/",
        {"requested_date": (datetime.date.today() + datetime.timedelta(days=3)).isoformat(), "reason": "x"},
        format="json",
    )
    assert (past.status_code, list(past.json())) == (400, ["requested_date"])  # not after the current date
    other = ask(world, request["id"], username="sysadmin")
    assert (other.status_code, other.json()["code"]) == (403, "permission_denied")  # not the requester
    assert ask(world, request["id"], username="viewer").status_code == 403
    assert ask(world, request["id"], username="docmanager2").status_code == 404
    extension = ask(world, request["id"]).json()
    second = ask(world, request["id"], days=40)
    assert (second.status_code, second.json()["code"]) == (409, "conflict")

    before = audit_count()
    wrong = world.client("approver").post(
        f"/api/extensions/{extension['id']}/approve/", {"password": "wrong", "comment": ""}, format="json"
    )
    assert (wrong.status_code, wrong.json()["code"]) == (403, "invalid_signature")
    assert audit_count() == before + 1  # signature.failed only
    viewer = world.client("viewer").post(
        f"/api/extensions/{extension['id']}/approve/", {"password": PASSWORD}, format="json"
    )
    assert (viewer.status_code, viewer.json()["code"]) == (403, "permission_denied")
    no_reason = world.client("approver").post(
        f"/api/extensions/{extension['id']}/reject/", {"password": PASSWORD, "comment": ""}, format="json"
    )
    assert (no_reason.status_code, list(no_reason.json())) == (400, ["comment"])
    assert ReturnExtension.objects.get(pk=extension["id"]).status == "pending"
    assert Request.objects.get(pk=request["id"]).expected_return_date.isoformat() == in_future(7)  # type: ignore[union-attr]
    assert not Signature.objects.filter(meaning="return_extended").exists()

    rejected = world.client("approver").post(
        f"/api/extensions/{extension['id']}/reject/", {"password": PASSWORD, "comment": "Return it"}, format="json"
    )
    assert rejected.json()["status"] == "rejected"
    assert Request.objects.get(pk=request["id"]).expected_return_date.isoformat() == in_future(7)  # type: ignore[union-attr]


def test_a_system_administrator_who_asked_cannot_approve_their_own_extension(world: World) -> None:
    crate = stored_crate(world)
    body = {"request_type": "withdrawal", "purpose": "Audit", "expected_return_date": in_future(7),
            "items": [{"crate": crate.pk}]}  # fmt: skip
    request = approved_request(world, body, requester="sysadmin")
    world.client("storehead").post(f"/api/requests/{request['id']}/execute/", {}, format="json")
    extension = ask(world, request["id"], username="sysadmin").json()
    response = world.client("sysadmin").post(
        f"/api/extensions/{extension['id']}/approve/", {"password": PASSWORD}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "segregation_of_duties")
    assert ReturnExtension.objects.get(pk=extension["id"]).status == "pending"
