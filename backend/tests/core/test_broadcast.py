"""Broadcasting never breaks or hangs the write that caused it."""

import asyncio
import logging
import os
import time
from typing import Any

import pytest

from apps.core import broadcast


class HangingLayer:
    """A channel layer whose Redis accepts the connection and then never answers."""

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await asyncio.sleep(3600)


class FailingLayer:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.calls.append(group)
        raise ConnectionError("redis down")


def test_an_unresponsive_layer_delays_the_caller_by_the_timeout_only(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(broadcast, "get_channel_layer", HangingLayer)
    monkeypatch.setattr(broadcast, "SEND_TIMEOUT_SECONDS", 0.2)
    logging.getLogger("websocket").addHandler(caplog.handler)
    try:
        started = time.monotonic()
        broadcast.send_now(["unit_1", "unit_2"], {"type": "entity.changed"})
        elapsed = time.monotonic() - started
    finally:
        logging.getLogger("websocket").removeHandler(caplog.handler)
    assert elapsed < 2
    assert any("timed out" in record.getMessage() for record in caplog.records)


def test_a_failing_group_is_logged_and_the_others_still_get_the_event(monkeypatch: pytest.MonkeyPatch) -> None:
    layer = FailingLayer()
    monkeypatch.setattr(broadcast, "get_channel_layer", lambda: layer)
    broadcast.send_now(["unit_1", "user_7"], {"type": "entity.changed"})
    assert layer.calls == ["unit_1", "user_7"]


def test_broadcasts_from_sync_code_reuse_one_loop_and_its_redis_connection(settings: Any) -> None:
    """The HTTP workers' broadcasts go through one kept event loop (and its Redis connection)
    instead of a new loop and connection each: two events arrive, both sent from that loop."""
    from asgiref.sync import async_to_sync, sync_to_async
    from channels.layers import channel_layers, get_channel_layer

    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs a real Redis: set REDIS_URL (CI always does)")
    config = settings.CHANNEL_LAYERS["default"]
    assert config["BACKEND"] == "apps.realtime.layers.FanOutPubSubChannelLayer"  # the tests run on a real Redis
    settings.CHANNEL_LAYERS = {"default": {**config, "CONFIG": {**config["CONFIG"], "prefix": "test-bc-loop"}}}
    channel_layers.backends = {}

    async def scenario() -> list[int]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("unit_4242", channel)
        await sync_to_async(broadcast.send_now, thread_sensitive=False)(["unit_4242"], {"type": "x", "id": 1})
        await sync_to_async(broadcast.send_now, thread_sensitive=False)(["unit_4242"], {"type": "x", "id": 2})
        received = [(await asyncio.wait_for(layer.receive(channel), 5))["id"] for _ in range(2)]
        await layer.group_discard("unit_4242", channel)
        return received

    try:
        loop = broadcast._sender_loop.get()
        assert async_to_sync(scenario)() == [1, 2]
        assert broadcast._sender_loop.get() is loop and loop.is_running()
        assert loop in get_channel_layer()._layers  # the layer's connection of the kept loop was used
    finally:
        channel_layers.backends = {}
