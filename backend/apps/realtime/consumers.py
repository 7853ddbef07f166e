"""The `ws/updates/` consumer (docs/events.md).

Groups: every user joins `user_<id>`; a user of a unit joins `unit_<id>`. A System
Administrator sees every unit, so they join the group of every unit (active or not: inactive
units still hold records) when they connect; a unit created later is joined at their next
connection (the SPA reconnects with every new ticket). The same event can arrive through two
groups (a transfer is sent to both units; a personal event to the unit and the user), so the
consumer drops repeats of an event it has just forwarded.

Before forwarding, each event is checked again against the receiver (the sender lists the units
and users allowed to see the object in `visible_units` / `visible_users`); those internal keys
are stripped, so the client gets exactly the envelope of docs/events.md.

An event of a unit goes to every socket of the unit in this process one after the other, so
the work per socket is what the last socket waits for (OPTIMIZATIONS.md §2, "Fan-out"): no thread hop
per message, the envelope encoded once per event, a constant-time repeat check.
"""

import json
import logging
from typing import Any

import orjson
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.auth.models import Unit, User
from apps.core import metrics
from apps.core.broadcast import session_group, unit_group, user_group
from apps.realtime.middleware import CLOSE_UNAUTHORIZED

logger = logging.getLogger("websocket")

INTERNAL_KEYS = ("visible_units", "visible_users")
RECENT_EVENTS = 256


@database_sync_to_async
def all_unit_ids() -> list[int]:
    return list(Unit.objects.order_by("pk").values_list("pk", flat=True))


class _LastEncoding:
    """The client's text of the last event encoded in this process. The channel layer
    (apps.realtime.layers) hands every consumer of the process the same decoded message, so the
    sockets of a unit share one encoding; a message decoded apart (another layer) is encoded
    again, never confused with another: the memo is the message object itself, held so that
    its identity cannot be reused."""

    def __init__(self) -> None:
        # (message, text) replaced at once, like the layer's (bytes, message).
        self.last: tuple[dict[str, Any], str] | None = None

    def text_of(self, event: dict[str, Any]) -> str:
        last = self.last
        if last is None or last[0] is not event:
            public = {name: value for name, value in event.items() if name not in INTERNAL_KEYS}
            last = (event, orjson.dumps(public).decode())
            self.last = last
        return last[1]


_last_encoding = _LastEncoding()


def may_see(user: User, event: dict[str, Any]) -> bool:
    """Whether `user` may see the object an `entity.changed` event is about."""
    visible_users = event.get("visible_users") or []
    if event.get("entity") == "notification":
        return user.pk in visible_users  # personal, even to a System Administrator
    if user.pk in visible_users or user.is_system_admin:
        return True
    return user.unit_id is not None and user.unit_id in (event.get("visible_units") or [])


class UpdatesConsumer(AsyncJsonWebsocketConsumer):
    user: User
    joined: list[str]

    async def connect(self) -> None:
        self.user = self.scope["user"]
        self.joined = []
        # Insertion-ordered, so the oldest key is dropped first; a dict's `in` is constant-time.
        self.recent: dict[tuple[Any, ...], None] = {}
        if self.user.is_system_admin:
            unit_ids = await all_unit_ids()
        else:
            unit_ids = [self.user.unit_id] if self.user.unit_id is not None else []
        groups = [user_group(self.user.pk)] + [unit_group(unit_id) for unit_id in unit_ids]
        session_id = self.scope.get("session_id")
        if session_id:
            # Logout of this sign-in session closes this socket (docs/events.md).
            groups.append(session_group(session_id))
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.append(group)
        await self.accept()
        metrics.WEBSOCKETS_OPEN.inc()
        metrics.WEBSOCKETS_TOTAL.inc()
        self.counted = True
        logger.info("websocket connected user=%s groups=%d", self.user.pk, len(groups))

    async def disconnect(self, code: int) -> None:
        if getattr(self, "counted", False):
            metrics.WEBSOCKETS_OPEN.dec()
            self.counted = False
        for group in getattr(self, "joined", []):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # the layer may be down; group membership expires by itself
                logger.warning("group_discard %s failed", group, exc_info=True)
        self.joined = []

    async def dispatch(self, message: dict[str, Any]) -> None:
        """channels' dispatch without its `aclose_old_connections()` before every handler: that
        is a hop to the one thread of sync code and back for each message, 200 in a row for an
        event to 200 sockets, the largest part of the time per socket. No handler here touches
        the database in the event loop; the one query (`all_unit_ids`, at connect) runs through
        `database_sync_to_async`, which closes stale connections around it itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # --- from the browser ---------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if not text_data:
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            return  # not JSON: ignored, the socket stays open
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    # --- from the channel layer ---------------------------------------------------------------

    async def entity_changed(self, event: dict[str, Any]) -> None:
        key = (event.get("entity"), event.get("action"), event.get("id"), event.get("timestamp"))
        if key in self.recent or not may_see(self.user, event):
            return
        self.recent[key] = None
        if len(self.recent) > RECENT_EVENTS:
            del self.recent[next(iter(self.recent))]
        await self.send(text_data=_last_encoding.text_of(event))

    async def report_progress(self, event: dict[str, Any]) -> None:
        if event.get("user", self.user.pk) != self.user.pk:
            return
        await self.send_json(
            {name: event.get(name) for name in ("type", "id", "status", "done", "total") if name in event}
        )

    async def retention_progress(self, event: dict[str, Any]) -> None:
        """A schedule recompute this user started advances (docs/events.md)."""
        if event.get("user", self.user.pk) != self.user.pk:
            return
        await self.send_json(
            {
                name: event.get(name)
                for name in ("type", "id", "document_type", "status", "done", "total")
                if name in event
            }
        )

    async def session_revoked(self, event: dict[str, Any]) -> None:
        """The user was deactivated or changed password: their sockets close (docs/events.md)."""
        if event.get("user") == self.user.pk:
            logger.info("websocket closed: session revoked for user=%s", self.user.pk)
            await self.close(code=CLOSE_UNAUTHORIZED)

    async def session_ended(self, event: dict[str, Any]) -> None:
        """The sign-in session this socket was opened for logged out: it closes (docs/events.md)."""
        if event.get("session") == self.scope.get("session_id"):
            logger.info("websocket closed: session ended for user=%s", self.user.pk)
            await self.close(code=CLOSE_UNAUTHORIZED)
