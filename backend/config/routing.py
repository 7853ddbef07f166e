"""WebSocket URL routes (SPEC §6)."""

from django.urls import path

websocket_urlpatterns: list = [
    # path("ws/updates/", UpdatesConsumer.as_asgi()) is added by the realtime module.
]

__all__ = ["path", "websocket_urlpatterns"]
