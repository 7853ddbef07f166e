import logging
import time
from typing import Any

from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

logger = logging.getLogger(__name__)

# The user throttle's verdict on a request counted before DRF: (user id, seconds to wait or
# None). The WSGI fast path leaves it in the environ (its lookup counted the request), and
# ReadCacheMiddleware on the request (it counted with its own read).
COUNTED = "dms_user_hit"


def counted_verdict(request: Any, ident: Any) -> tuple[Any, float | None] | None:
    """The verdict on this Django request if it was counted already for `ident`, else None.
    The fast path's verdict carries the token's user id claim, a string."""
    counted = getattr(request, COUNTED, None) or request.META.get(COUNTED)
    return counted if counted is not None and str(counted[0]) == str(ident) else None


class LoginRateThrottle(SimpleRateThrottle):
    """Login attempts per (username, client IP): slows password guessing on one account
    without letting one office's shared IP lock everybody else out."""

    scope = "login"

    def get_rate(self) -> str | None:
        # Read at call time so the rate follows settings (and test overrides).
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return str(rate) if rate is not None else None

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        # The body may be any JSON (a list, a string): only an object carries a username. The
        # view answers 400 for the rest; the throttle must not fail on it first.
        data = getattr(request, "data", None)
        username = str(data.get("username", ""))[:150].strip().lower() if isinstance(data, dict) else ""
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{username}"}


def count_hit(key: str, window: int) -> int | None:
    """Count one hit of `key` in its `window`-second window, in one cache round trip (INCR and
    EXPIRE pipelined on Redis); None when the cache cannot count (the throttle then fails open,
    as the cache does: docs/decisions.md, "Redis down")."""
    full_key = cache.make_key(key)
    try:
        client = getattr(cache, "client", None)
        get_client = getattr(client, "get_client", None)
        if get_client is None:  # not Redis (the embedded default): two calls, same result
            cache.add(key, 0, window)
            return int(cache.incr(key))
        pipe = get_client(write=True).pipeline(transaction=False)
        pipe.incr(full_key)
        pipe.expire(full_key, window)
        count, _ = pipe.execute()
        return int(count)
    except Exception:
        logger.warning("throttle cache unreachable; %s not counted", key, exc_info=True)
        return None


class Window:
    """The fixed window `now` falls in for `rate` ("2000/hour"), and its counter's key."""

    def __init__(self, ident: Any, rate: Any, now: float | None = None) -> None:
        number, period = str(rate).split("/")
        self.allowed, self.seconds = int(number), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]
        self.now = time.time() if now is None else now
        self.slot = int(self.now // self.seconds)
        self.key = f"throttle:user:{ident}:{self.slot}"

    def wait(self, count: int | None) -> float | None:
        """None if the `count`-th request of the window is allowed (or was not counted), else
        the seconds to wait."""
        if count is None or count <= self.allowed:
            return None
        return (self.slot + 1) * self.seconds - self.now


def user_hit(ident: Any, rate: Any, now: float | None = None) -> float | None:
    """Count a request of `ident` against `rate` ("2000/hour"): None if allowed, else the
    seconds to wait. A fixed window (one counter per window) instead of DRF's list of
    timestamps: one round trip instead of a read and a write per request."""
    if not rate:
        return None
    window = Window(ident, rate, now)
    return window.wait(count_hit(window.key, window.seconds))


def get_many_and_hit(keys: list[str], window: Window | None) -> tuple[dict[str, Any], int | None]:
    """`cache.get_many(keys)` and `count_hit` of `window` in ONE round trip on Redis (a
    pipeline: MGET, INCR, EXPIRE): the read cache reads its entry and versions and counts the
    request together. Raises when the cache is unreachable (the caller falls back)."""
    get_client = getattr(getattr(cache, "client", None), "get_client", None)
    if get_client is None:  # not Redis: the same answers in separate calls
        found = cache.get_many(keys)
        return found, count_hit(window.key, window.seconds) if window is not None else None
    client: Any = cache.client  # type: ignore[attr-defined]
    made = [cache.make_key(key) for key in keys]
    pipe = get_client(write=True).pipeline(transaction=False)
    pipe.mget(made)
    if window is not None:
        counter = cache.make_key(window.key)
        pipe.incr(counter)
        pipe.expire(counter, window.seconds)
    replies = pipe.execute()
    found = {key: client.decode(value) for key, value in zip(keys, replies[0], strict=True) if value is not None}
    return found, int(replies[1]) if window is not None else None


class UserRateThrottle(BaseThrottle):
    """Requests per user (per address when signed out), `DEFAULT_THROTTLE_RATES["user"]`,
    counted in one cache round trip (`user_hit`)."""

    scope = "user"

    def __init__(self) -> None:
        self.wait_seconds: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        counted = counted_verdict(getattr(request, "_request", request), ident)
        if counted is not None:
            # The fast path or ReadCacheMiddleware counted this very request already.
            self.wait_seconds = counted[1]
        else:
            self.wait_seconds = user_hit(ident, api_settings.DEFAULT_THROTTLE_RATES.get(self.scope))
        return self.wait_seconds is None

    def wait(self) -> float | None:
        return self.wait_seconds
