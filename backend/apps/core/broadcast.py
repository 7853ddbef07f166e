"""The one helper that tells connected browsers something changed (docs/events.md).

Events are sent after the transaction commits, to the groups of the units that may see the
object (and to one user's group for personal events). Broadcasting never breaks the write
that caused it: a channel-layer failure is logged to the `websocket` logger and dropped;
the next event tries the layer again, so broadcasting resumes by itself.
"""

import asyncio
import logging
import os
import threading
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from apps.core import metrics

logger = logging.getLogger("websocket")

ENTITIES = ("request", "crate", "sendback", "location", "notification", "count", "import")


def unit_group(unit_id: int) -> str:
    return f"unit_{unit_id}"


def user_group(user_id: int) -> str:
    return f"user_{user_id}"


def entity_envelope(
    *, entity: str, action: str, obj_id: int, unit_id: int | None, status: str = "", number: str = ""
) -> dict[str, Any]:
    return {
        "type": "entity.changed",
        "entity": entity,
        "action": action,
        "id": obj_id,
        "unit": unit_id,
        "status": status,
        "number": number,
        "timestamp": timezone.now().isoformat(),
    }


# A broadcast runs after the commit, inside the request: bound it so an unresponsive Redis
# delays the response by at most this much instead of hanging it.
SEND_TIMEOUT_SECONDS = 3.0


# (groups, message): one event and the groups it goes to.
Batch = list[tuple[list[str], dict[str, Any]]]


async def _send_all(layer: Any, batch: Batch) -> None:
    for groups, message in batch:
        for group in groups:
            try:
                await layer.group_send(group, message)
            except Exception:  # the write already committed; a lost event must not surface as an error
                logger.exception("broadcast to %s failed (%s)", group, message.get("type"))
                metrics.BROADCAST_FAILURES.labels("error").inc()


def _describe(batch: Batch) -> str:
    return ", ".join(f"{message.get('type')} to {groups}" for groups, message in batch)


async def _send_bounded(layer: Any, batch: Batch) -> None:
    try:
        await asyncio.wait_for(_send_all(layer, batch), SEND_TIMEOUT_SECONDS)
    except TimeoutError:
        logger.error("broadcast of %s timed out after %ss", _describe(batch), SEND_TIMEOUT_SECONDS)
        metrics.BROADCAST_FAILURES.labels("timeout").inc()


class _SenderLoop:
    """One event loop per process, on a thread of its own, that sends every broadcast of the
    process's sync code (the HTTP workers' views and the Celery tasks).

    `async_to_sync` from a thread with no loop runs each call in a new event loop, and the Redis
    channel layer keeps its connections per loop: every broadcast opened (and closed) a Redis
    connection, 2.9 ms of CPU and tens of ms of waiting on a busy node, 13 times for one approval
    with its notifications. This loop keeps the layer's connection open (OPTIMIZATIONS.md §2.F).
    A forked child (an HTTP or Celery worker) starts its own loop: a loop and its connections
    do not survive a fork."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def get(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="broadcast-sender", daemon=True).start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop


_sender_loop = _SenderLoop()


def _keeps_connections(layer: Any) -> bool:
    # The in-memory layer (development, tests without Redis) holds its queues on the loop of
    # its consumers: it is sent to from the caller's loop, as before. The project's own layer
    # (apps.realtime.layers) is a channels_redis one by inheritance.
    return any(cls.__module__.startswith("channels_redis") for cls in type(layer).__mro__)


def send_now(groups: Iterable[str], message: dict[str, Any]) -> None:
    send_many_now([(list(groups), message)])


def send_many_now(batch: Batch) -> None:
    """Send each event of `batch` to its groups, in order, in one hand-over to the sender loop
    (the notifications of one change: one event per user, OPTIMIZATIONS.md §2.J)."""
    layer = get_channel_layer()
    if layer is None or not batch:
        return
    try:
        asyncio.get_running_loop()
        in_event_loop = True
    except RuntimeError:
        in_event_loop = False
    if in_event_loop or not _keeps_connections(layer):
        async_to_sync(_send_bounded)(layer, batch)
        return
    # Waited for, as before: the response leaves after its events (bounded by the timeout).
    future = asyncio.run_coroutine_threadsafe(_send_bounded(layer, batch), _sender_loop.get())
    try:
        future.result(timeout=SEND_TIMEOUT_SECONDS + 1)
    except Exception:  # _send_bounded logs its own failures; this is the loop itself stuck
        future.cancel()
        logger.exception("broadcast of %s did not finish", _describe(batch))
        metrics.BROADCAST_FAILURES.labels("timeout").inc()


def send_on_commit(groups: Iterable[str], message: dict[str, Any]) -> None:
    groups = list(dict.fromkeys(groups))
    transaction.on_commit(lambda: send_now(groups, message))


def entity_message(
    *,
    entity: str,
    action: str,
    obj_id: int,
    unit_ids: Iterable[int | None],
    status: str = "",
    number: str = "",
    user_ids: Iterable[int] = (),
) -> tuple[list[str], dict[str, Any]]:
    """An `entity.changed` event for everyone allowed to see the object, and their groups.

    The first unit id is the object's own unit (the envelope's `unit`); further ones are units
    that may also see it (a transfer's target unit).
    """
    units = [unit_id for unit_id in unit_ids if unit_id is not None]
    message = entity_envelope(
        entity=entity, action=action, obj_id=obj_id, unit_id=units[0] if units else None, status=status, number=number
    )
    # The consumer re-checks visibility with these before forwarding.
    message["visible_units"] = units
    message["visible_users"] = list(user_ids)
    groups = [unit_group(u) for u in units] + [user_group(u) for u in message["visible_users"]]
    return list(dict.fromkeys(groups)), message


def entity_changed(
    *,
    entity: str,
    action: str,
    obj_id: int,
    unit_ids: Iterable[int | None],
    status: str = "",
    number: str = "",
    user_ids: Iterable[int] = (),
) -> None:
    """Queue the `entity.changed` event of `entity_message` for after the commit."""
    groups, message = entity_message(
        entity=entity,
        action=action,
        obj_id=obj_id,
        unit_ids=unit_ids,
        status=status,
        number=number,
        user_ids=user_ids,
    )
    send_on_commit(groups, message)


def session_group(session_id: str) -> str:
    # Group names allow letters, digits, hyphens, underscores and periods: session ids are
    # URL-safe base64 (letters, digits, "-", "_").
    return f"session_{session_id}"


def disconnect_session_on_commit(session_id: str) -> None:
    send_on_commit([session_group(session_id)], {"type": "session.ended", "session": session_id})


def disconnect_user_on_commit(user_id: int) -> None:
    send_on_commit([user_group(user_id)], {"type": "session.revoked", "user": user_id})
