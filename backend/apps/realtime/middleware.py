"""WebSocket authentication and Origin validation (docs/events.md).

The browser opens `ws(s)://host/ws/updates/?ticket=<ticket>`; the ticket comes from
`POST /api/auth/ws-ticket/` and is single use and short lived, so no JWT ever travels in a URL
(URLs end up in proxy logs). Anything invalid — a missing, unknown, reused or expired ticket,
an inactive user, a foreign Origin — ends with close code 4001 before any data. The socket is
accepted and then closed, because a close before the handshake completes reaches the browser
as a bare HTTP 403 (code 1006), and the SPA needs 4001 to know it must fetch a new ticket or
log in again rather than retry blindly.
"""

import logging
from typing import Any
from urllib.parse import parse_qs, urlparse

from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator
from django.conf import settings

from apps.audit import context
from apps.auth import services as auth_services
from apps.auth.models import User

logger = logging.getLogger("websocket")

CLOSE_UNAUTHORIZED = 4001

Scope = dict[str, Any]


async def close_unauthorized(send: Any, receive: Any, *, reason: str) -> None:
    """Finish the handshake, then close with 4001: the client sees the code, never any data."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    logger.info("websocket refused: %s", reason)
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": CLOSE_UNAUTHORIZED})


def _ticket_from(scope: Scope) -> str:
    query = parse_qs(scope.get("query_string", b"").decode("latin1"))
    values = query.get("ticket") or [""]
    return values[0]


@database_sync_to_async
def user_for_ticket(ticket: str) -> tuple[User, str | None] | None:
    """The active user the ticket was issued to and its sign-in session, consuming the ticket;
    None if invalid."""
    try:
        consumed = auth_services.ws_ticket_consume_session(ticket)
    except Exception:  # an unreachable cache validates no ticket (fail closed)
        logger.exception("websocket ticket check failed")
        return None
    if consumed is None:
        return None
    user_id, session_id = consumed
    user = User.objects.filter(pk=user_id, is_active=True).prefetch_related("groups").first()
    if user is None:
        return None
    user.role_names  # noqa: B018 - load the roles here, in a thread, not in the event loop
    return user, session_id


class TicketAuthMiddleware:
    """Sets scope["user"] from the `ticket` query parameter; refuses the socket (4001) without one."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        found = await user_for_ticket(_ticket_from(scope))
        if found is None:
            return await close_unauthorized(send, receive, reason="missing, unknown, reused or expired ticket")
        user, session_id = found
        return await self.application({**scope, "user": user, "session_id": session_id}, receive, send)


def allowed_origins() -> list[str]:
    """ALLOWED_HOSTS (any scheme and port) plus the exact origins of CSRF_TRUSTED_ORIGINS."""
    origins = [host for host in settings.ALLOWED_HOSTS if host]
    if settings.DEBUG and not origins:
        origins = ["localhost", "127.0.0.1", "[::1]"]
    return origins + list(getattr(settings, "CSRF_TRUSTED_ORIGINS", []))


class OriginCheck(OriginValidator):
    """A foreign Origin gets close code 4001 (channels' own validator answers HTTP 403).

    A request without an Origin header is let through to the ticket check: browsers always
    send Origin on WebSockets, so only non-browser clients omit it, and those cannot be used
    for cross-site WebSocket hijacking; they still need a valid ticket.
    """

    def __init__(self, application: Any, origins: list[str] | None = None) -> None:
        super().__init__(application, origins if origins is not None else allowed_origins())

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        origin = next((value for name, value in scope.get("headers", []) if name == b"origin"), None)
        if origin is not None:
            try:
                parsed = urlparse(origin.decode("latin1"))
            except ValueError:
                parsed = None
            if parsed is None or not self.validate_origin(parsed):
                return await close_unauthorized(send, receive, reason=f"foreign origin {origin!r}")
        return await self.application(scope, receive, send)


class RequestIdMiddleware:
    """The socket runs under the request id of its upgrade request (nginx sets X-Request-ID),
    so its log lines join the HTTP request's and the rest of that user's trail."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        incoming = next((value for name, value in scope.get("headers", []) if name == b"x-request-id"), b"")
        ctx = context.AuditContext(ip_address=(scope.get("client") or [None])[0])
        if incoming:
            ctx.request_id = incoming.decode("latin1")[:64]
        with context.use(ctx):
            return await self.application(scope, receive, send)


def websocket_stack(application: Any) -> Any:
    """Request id first (every line it logs carries it), then the origin (cheap, no ticket
    consumed by a foreign page), then the ticket."""
    return RequestIdMiddleware(OriginCheck(TicketAuthMiddleware(application)))
