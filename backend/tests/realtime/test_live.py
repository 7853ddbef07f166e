"""The real thing (docs/events.md): two Daphne processes on the real Redis and PostgreSQL.

Process A serves the browser's socket; writes go through process B, whose channel layer
reaches Redis through a TCP proxy the test can take down, so "Redis unreachable" is played
for B alone without touching the shared Redis server.
"""

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest

from apps.audit.models import AuditEvent
from apps.storage.models import StorageLocation
from tests.realtime.processes import Daphne, TcpProxy, process_env, require_live_services

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]


@dataclass
class Live:
    a: Daphne
    b: Daphne
    proxy: TcpProxy


@pytest.fixture(scope="module")
def live(django_db_setup: Any, tmp_path_factory: Any) -> Iterator[Live]:
    require_live_services()
    logs = tmp_path_factory.mktemp("live")
    redis = urlsplit(os.environ["REDIS_URL"])
    proxy = TcpProxy((redis.hostname or "127.0.0.1", redis.port or 6379))
    proxy.start()
    env = process_env(logs)  # one prefix for both: they share groups, tickets and throttles
    a = Daphne("daphne-a", env, logs)
    b = Daphne(
        "daphne-b",
        {
            **env,
            "TEST_CHANNEL_LAYER_URL": f"redis://127.0.0.1:{proxy.port}/1",
        },
        logs,
    )
    try:
        a.wait_ready()
        b.wait_ready()
        yield Live(a, b, proxy)
    finally:
        a.stop()
        b.stop()
        proxy.stop()


def event_from(ws: Any, timeout: float) -> dict[str, Any]:
    return json.loads(ws.recv(timeout=timeout))


def new_location(live: Live, world: Any, token: str, code: str) -> dict[str, Any]:
    status, body = live.b.call(
        "POST", "/api/locations/",
        {"unit": world.goa.pk, "parent": world.room.pk, "kind": "shelf", "code": code, "name": code, "capacity": 3},
        token,
    )  # fmt: skip
    assert status == 201, body
    return body


@pytest.mark.django_db(transaction=True)
def test_a_write_through_one_process_reaches_a_client_of_the_other_within_a_second(world: Any, live: Live) -> None:
    admin = live.b.login("unitadmin")
    with live.a.websocket(live.a.login("viewer")) as goa, live.a.websocket(live.a.login("docmanager2")) as kur:
        location = new_location(live, world, admin, "GOA-LIVE-1")
        event = event_from(goa, timeout=1.0)
        assert (event["type"], event["entity"], event["action"], event["id"]) == (
            "entity.changed", "location", "created", location["id"],
        )  # fmt: skip
        assert (event["unit"], event["number"]) == (world.goa.pk, "GOA-LIVE-1")
        with pytest.raises(TimeoutError):
            kur.recv(timeout=0.3)


@pytest.mark.django_db(transaction=True)
def test_a_socket_idle_for_15_seconds_still_receives_events(world: Any, live: Live) -> None:
    admin = live.b.login("unitadmin")
    with live.a.websocket(live.a.login("viewer")) as ws:
        time.sleep(15)  # no traffic at all: the channel layer's blocking read must survive this
        location = new_location(live, world, admin, "GOA-LIVE-2")
        assert event_from(ws, timeout=1.0)["id"] == location["id"]
        ws.send(json.dumps({"type": "ping"}))
        assert event_from(ws, timeout=1.0) == {"type": "pong"}


@pytest.mark.django_db(transaction=True)
def test_writes_succeed_while_the_channel_layer_is_down_and_events_resume_when_it_is_back(
    world: Any, live: Live
) -> None:
    admin = live.b.login("unitadmin")
    shelf = world.shelf2
    with live.a.websocket(live.a.login("viewer")) as ws:
        live.proxy.stop()
        try:
            status, body = live.b.call(
                "PATCH", f"/api/locations/{shelf.pk}/", {"capacity": 6, "reason": "Shelf rebuilt"}, admin
            )
            assert (status, body["capacity"]) == (200, 6)
            assert StorageLocation.objects.get(pk=shelf.pk).capacity == 6
            audited = AuditEvent.objects.filter(action="location.updated", entity_id=str(shelf.pk))
            assert list(audited.values_list("changes", flat=True)) == [{"capacity": [5, 6]}]
            health_status, health = live.b.call("GET", "/api/health/")
            assert (health_status, health["channel_layer"]) == (503, "down")
            with pytest.raises(TimeoutError):
                ws.recv(timeout=1.0)  # that event is lost, as designed; the write is not
        finally:
            live.proxy.start()
        status, _ = live.b.call(
            "PATCH", f"/api/locations/{shelf.pk}/", {"capacity": 7, "reason": "Shelf rebuilt"}, admin
        )
        assert status == 200
        event = event_from(ws, timeout=1.0)  # no restart of anything
        assert (event["entity"], event["id"], event["action"]) == ("location", shelf.pk, "updated")
    assert "broadcast to unit_" in live.b.output()  # the failure was logged to the websocket logger
