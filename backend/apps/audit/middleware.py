from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from apps.audit import context


def client_ip(request: HttpRequest) -> str | None:
    # Behind nginx the peer is the proxy: trust only the last NUM_PROXIES hops it appended.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "NUM_PROXIES", 0):
        hops = [part.strip() for part in forwarded.split(",") if part.strip()]
        if hops:
            return hops[-min(len(hops), settings.NUM_PROXIES)]
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Capture actor, IP, user agent and a request id for every audit event of the request.

    Synchronous on purpose: under ASGI Django runs the sync middleware chain and the view in
    one thread with one contextvars context, so the context set here is the one services see.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")[:64]
        ctx = context.AuditContext(
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
            request=request,
        )
        if incoming:
            ctx.request_id = incoming
        with context.use(ctx):
            response = self.get_response(request)
        response["X-Request-ID"] = ctx.request_id
        return response
