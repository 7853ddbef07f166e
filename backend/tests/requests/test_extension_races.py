"""Two Approvers deciding one return-date extension at once, on PostgreSQL with real threads and
connections: the first to lock the request decides, the other waits, then gets 409, and the
decision is recorded once (one signature, one audit event, one notification, one date)."""

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.audit.models import AuditEvent
from apps.auth import roles
from apps.auth.models import User
from apps.notifications.models import Notification
from apps.requests import services as request_services
from apps.requests.models import Request, ReturnExtension
from apps.signatures.models import Signature
from tests.conftest import World, make_user
from tests.races import require_postgres, wait_for_a_lock_wait
from tests.requests.conftest import PASSWORD, in_future
from tests.requests.test_return_extension import ask, issued_withdrawal

pytestmark = pytest.mark.django_db(transaction=True)

DECIDED_MEANINGS = {"return_extended", "rejected"}


def _decide(extension_id: int, username: str, action: str, comment: str) -> Callable[[APIClient], Any]:
    def call(client: APIClient) -> Any:
        client.force_authenticate(User.objects.get(username=username))
        return client.post(
            f"/api/extensions/{extension_id}/{action}/",
            {"password": PASSWORD, "comment": comment},
            format="json",
        )

    return call


def _in_thread(call: Callable[[APIClient], Any], results: dict[str, Any], key: str) -> threading.Thread:
    def run() -> None:
        try:
            response = call(APIClient())
            results[key] = (response.status_code, response.json().get("code"), response.json().get("status"))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _pending_extension(world: World) -> tuple[dict[str, Any], int]:
    make_user("approver-b", roles.APPROVER, world.goa)
    request = issued_withdrawal(world)
    response = ask(world, request["id"], days=30)
    assert response.status_code == 201, response.content
    return request, response.json()["id"]


def _decisions_recorded(request_id: int, extension_id: int) -> dict[str, int]:
    return {
        "signatures": Signature.objects.filter(subject_id=request_id, meaning__in=DECIDED_MEANINGS).count(),
        "audit": AuditEvent.objects.filter(
            action__in=["request.extension_approved", "request.extension_rejected"]
        ).count(),
        "notifications": Notification.objects.filter(
            dedupe_key__startswith=f"request:{request_id}:extension:{extension_id}:"
        ).count(),
    }


def test_an_approval_and_a_refusal_at_once_the_first_to_lock_decides(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_postgres()
    request, extension_id = _pending_extension(world)
    # The approval pauses after it signed, inside its transaction, holding the request's lock.
    reached, go = threading.Event(), threading.Event()
    original_sign = request_services.signatures.sign

    def sign_then_pause(*args: Any, **kwargs: Any) -> Any:
        signature = original_sign(*args, **kwargs)
        if kwargs.get("meaning") == "return_extended":
            reached.set()
            assert go.wait(timeout=60)
        return signature

    monkeypatch.setattr(request_services.signatures, "sign", sign_then_pause)
    results: dict[str, Any] = {}
    approving = _in_thread(_decide(extension_id, "approver", "approve", "Granted"), results, "approve")
    assert reached.wait(timeout=60)
    refusing = _in_thread(_decide(extension_id, "approver-b", "reject", "Return it now"), results, "reject")
    wait_for_a_lock_wait()  # the refusal queues on the request's row lock
    go.set()
    approving.join(timeout=60)
    refusing.join(timeout=60)

    assert results == {"approve": (200, None, "approved"), "reject": (409, "invalid_transition", None)}
    extension = ReturnExtension.objects.get(pk=extension_id)
    assert (extension.status, extension.decided_by.username, extension.decision_comment) == (  # type: ignore[union-attr]
        "approved",
        "approver",
        "Granted",
    )
    assert Request.objects.get(pk=request["id"]).expected_return_date.isoformat() == in_future(30)  # type: ignore[union-attr]
    assert _decisions_recorded(request["id"], extension_id) == {"signatures": 1, "audit": 1, "notifications": 1}
    assert list(
        Signature.objects.filter(subject_id=request["id"], meaning__in=DECIDED_MEANINGS).values_list(
            "username", "meaning"
        )
    ) == [("approver", "return_extended")]


def test_two_approvers_approving_at_once_one_wins_the_other_gets_409(world: World) -> None:
    require_postgres()
    request, extension_id = _pending_extension(world)
    barrier = threading.Barrier(2)
    outcomes: list[tuple[int, Any] | None] = [None, None]

    def worker(index: int, username: str) -> None:
        try:
            call = _decide(extension_id, username, "approve", f"ok {index}")
            barrier.wait(timeout=30)
            response = call(APIClient())
            outcomes[index] = (response.status_code, response.json().get("code"))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, name)) for i, name in enumerate(["approver", "approver-b"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert Counter(status for status, _ in outcomes) == {200: 1, 409: 1}  # type: ignore[misc]
    assert [code for status, code in outcomes if status == 409] == ["invalid_transition"]  # type: ignore[misc]
    extension = ReturnExtension.objects.get(pk=extension_id)
    winner = ["approver", "approver-b"][[status for status, _ in outcomes].index(200)]  # type: ignore[misc]
    assert (extension.status, extension.decided_by.username) == ("approved", winner)  # type: ignore[union-attr]
    assert Request.objects.get(pk=request["id"]).expected_return_date.isoformat() == in_future(30)  # type: ignore[union-attr]
    assert _decisions_recorded(request["id"], extension_id) == {"signatures": 1, "audit": 1, "notifications": 1}
