"""WebSocket URL routes (docs/events.md)."""

from django.urls import path

from apps.realtime.consumers import UpdatesConsumer

websocket_urlpatterns: list = [
    path("ws/updates/", UpdatesConsumer.as_asgi()),
]
