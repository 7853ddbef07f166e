"""Fixtures for the WebSocket tests: an isolated channel layer and a communicator factory."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from channels.layers import channel_layers
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings

from apps.auth import services as auth_services
from apps.realtime.middleware import websocket_stack
from config.routing import websocket_urlpatterns

ORIGIN = b"http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch: Any) -> None:
    """channels closes "old" DB connections around each database_sync_to_async call; inside a
    test's atomic block that would close the test's own connection."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


@pytest.fixture(autouse=True)
def isolated_channel_layer(settings: Any) -> Iterator[None]:
    """A channel-layer prefix of our own: group names (unit_1, user_3) are the same in every
    engineer's test database, and the Redis server is shared."""
    layers = {key: {**value} for key, value in settings.CHANNEL_LAYERS.items()}
    if "CONFIG" in layers["default"]:
        layers["default"]["CONFIG"] = {**layers["default"]["CONFIG"], "prefix": f"test-rt-{uuid.uuid4().hex[:12]}"}
    settings.CHANNEL_LAYERS = layers
    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


def application() -> Any:
    return websocket_stack(URLRouter(websocket_urlpatterns))


def communicator(ticket: str | None = None, origin: bytes | None = ORIGIN) -> WebsocketCommunicator:
    path = "/ws/updates/" + (f"?ticket={ticket}" if ticket is not None else "")
    headers = [(b"origin", origin)] if origin is not None else []
    return WebsocketCommunicator(application(), path, headers=headers)


def ticket_for(user: Any) -> str:
    return auth_services.ws_ticket_issue(user=user)["ticket"]


__all__ = ["ORIGIN", "communicator", "settings", "ticket_for"]
