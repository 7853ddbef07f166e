from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


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
