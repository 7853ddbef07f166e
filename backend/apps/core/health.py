"""Liveness of the parts the app cannot work without (`GET /api/health/`, docs/api.md)."""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 2.0


def check_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def check_cache() -> bool:
    # The Redis cache hides its errors from the app (it fails open); health must not.
    client = getattr(cache, "client", None)
    if client is not None and hasattr(client, "get_client"):
        return bool(client.get_client(write=True).ping())
    cache.set("health:probe", "ok", 10)
    return cache.get("health:probe") == "ok"


async def _probe_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    # A group send to an empty group still round-trips to the backing store.
    await asyncio.wait_for(layer.group_send("health", {"type": "health.probe"}), CHECK_TIMEOUT_SECONDS)


def check_channel_layer() -> bool:
    async_to_sync(_probe_channel_layer)()
    return True


CHECKS = {"database": check_database, "cache": check_cache, "channel_layer": check_channel_layer}


def redis_down(results: dict[str, str]) -> bool:
    """Whether the parts that live in Redis are down (named as such in the health answer)."""
    return bool(settings.REDIS_URL) and "down" in (results.get("cache"), results.get("channel_layer"))


def run_checks() -> dict[str, str]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = "ok" if check() else "down"
        except Exception:  # a health check reports every failure, whatever its kind
            logger.exception("health check %s failed", name)
            results[name] = "down"
    return results
