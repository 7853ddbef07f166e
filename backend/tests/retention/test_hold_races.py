"""A hold placed while a destruction of a covered crate is approved or executed, on PostgreSQL
with real threads and connections: whichever takes the crate's row lock first wins, the other
waits and then sees its effect, and the crate is never destroyed while held."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.crates.models import Crate
from apps.requests import services as request_services
from apps.requests.models import Request
from apps.retention import services as retention_services
from apps.retention.models import LegalHold
from tests.conftest import World
from tests.races import require_postgres, wait_for_a_lock_wait
from tests.requests.conftest import approved_request, create_request, destruction_body, stored_crate
from tests.retention.conftest import PASSWORD, days

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(call: Callable[[APIClient], Any], results: dict[str, Any], key: str) -> threading.Thread:
    def run() -> None:
        try:
            response = call(APIClient())
            results[key] = (response.status_code, response.json().get("code"))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _pause_after(
    module: Any, name: str, monkeypatch: pytest.MonkeyPatch, when: Callable[..., bool]
) -> tuple[threading.Event, threading.Event]:
    """Wrap module.name: after it runs (inside the caller's transaction, locks held), signal
    `reached` and wait for `go`."""
    reached, go = threading.Event(), threading.Event()
    original = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if when(*args, **kwargs):
            reached.set()
            assert go.wait(timeout=60)
        return result

    monkeypatch.setattr(module, name, wrapper)
    return reached, go


def _approve(world: World, request_id: int) -> Callable[[APIClient], Any]:
    def call(client: APIClient) -> Any:
        client.force_authenticate(world.user("approver"))
        return client.post(
            f"/api/requests/{request_id}/approve/", {"password": PASSWORD, "comment": "ok"}, format="json"
        )

    return call


def _hold(world: World, crate: Crate) -> Callable[[APIClient], Any]:
    def call(client: APIClient) -> Any:
        client.force_authenticate(world.user("sysadmin"))
        body = {"title": "Litigation", "reason": "Court order", "crates": [crate.pk], "password": PASSWORD}
        return client.post("/api/holds/", body, format="json")

    return call


def test_a_hold_committed_first_makes_the_waiting_approval_refuse(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_postgres()
    crate = stored_crate(world, retention_until=days(-1))
    request = create_request(world, {"request_type": "destruction", "purpose": "x", "items": [{"crate": crate.pk}]})
    assert world.client("docmanager").post(f"/api/requests/{request['id']}/submit/").status_code == 200
    # The hold pauses after it locked the crate (it signs last, holding its locks).
    reached, go = _pause_after(
        retention_services.signatures, "sign", monkeypatch, lambda *a, **kw: kw.get("meaning") == "hold_placed"
    )
    results: dict[str, Any] = {}
    holder = _in_thread(_hold(world, crate), results, "hold")
    assert reached.wait(timeout=60)
    approver = _in_thread(_approve(world, request["id"]), results, "approve")
    wait_for_a_lock_wait()  # the approval queues on the crate's row lock
    go.set()
    holder.join(timeout=60)
    approver.join(timeout=60)
    assert results == {"hold": (201, None), "approve": (409, "item_unavailable")}
    assert Request.objects.get(pk=request["id"]).status == "submitted"
    assert Crate.objects.get(pk=crate.pk).status == "stored"


def test_an_approval_committed_first_leaves_the_hold_to_stop_the_execution(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_postgres()
    crate = stored_crate(world, retention_until=days(-1))
    request = create_request(world, {"request_type": "destruction", "purpose": "x", "items": [{"crate": crate.pk}]})
    assert world.client("docmanager").post(f"/api/requests/{request['id']}/submit/").status_code == 200
    # The approval pauses after it locked the crate and found no hold.
    reached, go = _pause_after(request_services, "_check_no_hold", monkeypatch, lambda *a, **kw: True)
    results: dict[str, Any] = {}
    approver = _in_thread(_approve(world, request["id"]), results, "approve")
    assert reached.wait(timeout=60)
    holder = _in_thread(_hold(world, crate), results, "hold")
    wait_for_a_lock_wait()  # the hold queues on the crate's row lock
    go.set()
    approver.join(timeout=60)
    holder.join(timeout=60)
    assert results == {"approve": (200, None), "hold": (201, None)}
    response = world.client("storehead").post(
        f"/api/requests/{request['id']}/execute/", destruction_body(world), format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "item_unavailable")
    assert Crate.objects.get(pk=crate.pk).status == "stored"


def test_an_execution_committed_first_destroys_before_the_hold_covers(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_postgres()
    crate = stored_crate(world, retention_until=days(-1))
    request = approved_request(world, {"request_type": "destruction", "purpose": "x", "items": [{"crate": crate.pk}]})
    reached, go = _pause_after(request_services, "_check_items_available", monkeypatch, lambda *a, **kw: True)
    results: dict[str, Any] = {}

    def execute(client: APIClient) -> Any:
        client.force_authenticate(world.user("storehead"))
        return client.post(f"/api/requests/{request['id']}/execute/", destruction_body(world), format="json")

    executor = _in_thread(execute, results, "execute")
    assert reached.wait(timeout=60)
    holder = _in_thread(_hold(world, crate), results, "hold")
    wait_for_a_lock_wait()
    go.set()
    executor.join(timeout=60)
    holder.join(timeout=60)
    # The execution won: the crate was destroyed before the hold existed. The hold, placed
    # after, refuses the destroyed crate (400): nothing is destroyed while held.
    assert results["execute"] == (200, None)
    assert results["hold"] == (400, None)
    assert Crate.objects.get(pk=crate.pk).status == "destroyed"
    assert not LegalHold.objects.exists()
