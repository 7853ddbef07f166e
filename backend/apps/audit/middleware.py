from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from rest_framework.settings import api_settings

from apps.audit import context


def client_ip(request: HttpRequest) -> str | None:
    # Behind nginx the peer is the proxy: trust only the last NUM_PROXIES hops it appended.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    num_proxies = api_settings.NUM_PROXIES or 0  # the same trust DRF's throttles use
    if forwarded and num_proxies:
        hops = [part.strip() for part in forwarded.split(",") if part.strip()]
        if hops:
            return hops[-min(len(hops), num_proxies)]
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
        # Django logs 4xx/5xx ("django.request") after the middleware returns: the log filter
        # finds the id on the request then.
        request.request_id = ctx.request_id  # type: ignore[attr-defined]
        with context.use(ctx):
            response = self.get_response(request)
        response["X-Request-ID"] = ctx.request_id
        return response
