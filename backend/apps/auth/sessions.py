"""Sign-in sessions: logout ends the session, so its access token stops working too (docs/roles.md).

Login starts a session (a random id in claim "sid" of the refresh and access tokens); refresh
keeps it; logout revokes it. The check runs on every authenticated request, so it is one cache
read: the cache remembers for each session id whether it is revoked ("1") or not ("0"). On a
miss (first use, cache evicted, or Redis down) the database answers and the cache is filled.
"""

import secrets
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from apps.auth.models import RevokedSession

SESSION_CLAIM = "sid"
_KEY = "session-revoked:"


def new_session_id() -> str:
    return secrets.token_urlsafe(16)


def _remember_seconds() -> int:
    # An access token outlives nothing longer than its lifetime: after that the answer is moot.
    lifetime = cast(timedelta, settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"])
    return int(lifetime.total_seconds()) + 60


def cache_key(session_id: str) -> str:
    return _KEY + session_id


def session_is_revoked(session_id: str, cached: Any = None) -> bool:
    """`cached`: the value of `cache_key(session_id)` if the caller already read it (the
    authentication reads it with the identity, in one round trip)."""
    if cached is None:
        cached = cache.get(_KEY + session_id)
    if cached is not None:
        return bool(int(cached))
    revoked = RevokedSession.objects.filter(sid=session_id).exists()
    cache.set(_KEY + session_id, "1" if revoked else "0", _remember_seconds())
    return revoked


def check_session(token: Any, cached: Any = None) -> bool:
    """False when the token belongs to a signed-out session. Tokens without a session id
    (issued before sessions existed) expire on their own within the access lifetime."""
    session_id = token.get(SESSION_CLAIM)
    return not (session_id and session_is_revoked(str(session_id), cached))


def revoke_session(*, session_id: str, user: Any, expires_at: datetime | None = None) -> None:
    """Record the revocation in the caller's transaction and in the cache."""
    lifetime = cast(timedelta, settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"])
    expires_at = expires_at or timezone.now() + lifetime
    RevokedSession.objects.get_or_create(sid=session_id, defaults={"user": user, "expires_at": expires_at})
    # At once (a rolled-back logout only ends a session its user wanted ended) and again after
    # the commit, over a "0" a concurrent request may have read from the database meanwhile.
    cache.set(_KEY + session_id, "1", _remember_seconds())
    transaction.on_commit(lambda: cache.set(_KEY + session_id, "1", _remember_seconds()))


def flush_expired_sessions() -> int:
    deleted, _ = RevokedSession.objects.filter(expires_at__lt=timezone.now() - timedelta(minutes=5)).delete()
    return deleted
