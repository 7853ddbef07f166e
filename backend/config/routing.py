"""WebSocket URL routes (SPEC §6)."""

from django.urls import path

from apps.realtime.consumers import UpdatesConsumer

websocket_urlpatterns: list = [
    path("ws/updates/", UpdatesConsumer.as_asgi()),
]
