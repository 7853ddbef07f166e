"""The one helper that tells connected browsers something changed (docs/events.md).

Events are sent after the transaction commits, to the groups of the units that may see the
object (and to one user's group for personal events). Broadcasting never breaks the write
that caused it: a channel-layer failure is logged to the `websocket` logger and dropped;
the next event tries the layer again, so broadcasting resumes by itself.
"""

import asyncio
import logging
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


async def _send_all(layer: Any, groups: list[str], message: dict[str, Any]) -> None:
    for group in groups:
        try:
            await layer.group_send(group, message)
        except Exception:  # the write already committed; a lost event must not surface as an error
            logger.exception("broadcast to %s failed (%s)", group, message.get("type"))
            metrics.BROADCAST_FAILURES.labels("error").inc()


async def _send_bounded(layer: Any, groups: list[str], message: dict[str, Any]) -> None:
    try:
        await asyncio.wait_for(_send_all(layer, groups, message), SEND_TIMEOUT_SECONDS)
    except TimeoutError:
        logger.error("broadcast of %s to %s timed out after %ss", message.get("type"), groups, SEND_TIMEOUT_SECONDS)
        metrics.BROADCAST_FAILURES.labels("timeout").inc()


def send_now(groups: Iterable[str], message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(_send_bounded)(layer, list(groups), message)


def send_on_commit(groups: Iterable[str], message: dict[str, Any]) -> None:
    groups = list(dict.fromkeys(groups))
    transaction.on_commit(lambda: send_now(groups, message))


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
    """Queue an `entity.changed` event for everyone allowed to see the object.

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
    send_on_commit(groups, message)


def session_group(session_id: str) -> str:
    # Group names allow letters, digits, hyphens, underscores and periods: session ids are
    # URL-safe base64 (letters, digits, "-", "_").
    return f"session_{session_id}"


def disconnect_session_on_commit(session_id: str) -> None:
    send_on_commit([session_group(session_id)], {"type": "session.ended", "session": session_id})


def disconnect_user_on_commit(user_id: int) -> None:
    send_on_commit([user_group(user_id)], {"type": "session.revoked", "user": user_id})
