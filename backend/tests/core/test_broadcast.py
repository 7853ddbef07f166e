"""Broadcasting never breaks or hangs the write that caused it."""

import asyncio
import logging
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
