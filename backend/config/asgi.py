"""ASGI entry point for Daphne: HTTP through Django, WebSocket through Channels."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)  # as django.core.asgi.get_asgi_application does

from apps.core.routing import ASGIApplication  # noqa: E402 - needs the settings configured above

# Django's ASGI handler, resolving each path once per process (apps/core/routing.py).
django_asgi_app = ASGIApplication()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from apps.realtime.middleware import websocket_stack  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Origin check (4001), then the single-use ticket (4001), then the consumer.
        "websocket": websocket_stack(URLRouter(websocket_urlpatterns)),
    }
)
