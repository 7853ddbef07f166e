"""JWT authentication that also honours deactivation and password changes.

Every token carries the user's `auth_version` (claim "ver"); deactivating a user or changing
their password bumps it, so all their outstanding access and refresh tokens stop working.
The user comes from the identity cache (apps.auth.identity): no query on a cache hit, and
every change to the user, their roles or their unit is seen on the very next request.
"""

import functools
from collections.abc import Sequence
from typing import Any

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken, Token
from rest_framework_simplejwt.utils import aware_utcnow

from apps.auth import directory, identity, sessions

VERSION_CLAIM = "ver"


def tokens_for(user: Any, session_id: str | None = None) -> dict[str, str]:
    """A token pair; `session_id` continues a session (refresh), None starts one (login)."""
    refresh = RefreshToken.for_user(user)
    refresh[VERSION_CLAIM] = user.auth_version
    refresh[sessions.SESSION_CLAIM] = session_id or sessions.new_session_id()
    return {"refresh": str(refresh), "access": str(refresh.access_token)}


def check_token_version(user: Any, token: Token) -> None:
    if not user.is_active:
        raise AuthenticationFailed("User is inactive.", code="user_inactive")
    if token.get(VERSION_CLAIM) != user.auth_version:
        raise AuthenticationFailed("Token is no longer valid.", code="token_revoked")


def check_token_session(token: Token, cached: Any = None) -> None:
    """Logout ends the session: its access token stops working too (docs/roles.md)."""
    if not sessions.check_session(token, cached):
        raise AuthenticationFailed("The session has ended.", code="session_ended")


# The attribute under which ReadCacheMiddleware leaves on the request what it authenticated:
# (raw token, user, validated token).
AUTHENTICATED = "dms_authenticated"


@functools.lru_cache(maxsize=4096)
def _verified(raw_token: bytes) -> Token:
    """The token, its signature and claims verified (per process, by its text; a token that
    fails is not kept). Verifying costs more CPU than serving a cached answer (PyJWT checks the
    text character by character, then the HMAC), and one token is sent for 15 minutes."""
    return JWTAuthentication().get_validated_token(raw_token)


class VersionedJWTAuthentication(JWTAuthentication):
    def get_validated_token(self, raw_token: bytes) -> Token:
        """As simplejwt validates, with the signature verified once per token and process.
        Expiry is checked again on every request, and everything else a token can lose (its
        session, its user's auth version) is checked per request by `load`."""
        token = _verified(bytes(raw_token))
        try:
            token.check_exp(current_time=aware_utcnow())
        except TokenError:
            return super().get_validated_token(raw_token)  # expired since: the API's own answer
        return token

    @staticmethod
    def _session_key(validated_token: Token) -> str | None:
        """The cache key of the token's sign-in session's revocation (None: no session claim)."""
        session_id = validated_token.get(sessions.SESSION_CLAIM)
        return sessions.cache_key(str(session_id)) if session_id else None

    @classmethod
    def keys_also(cls, validated_token: Token, also: Sequence[str] = ()) -> list[str]:
        """What `load` reads besides the identity: `also` and the session's revocation."""
        session_key = cls._session_key(validated_token)
        return [*also, *([session_key] if session_key else [])]

    def authenticate(self, request: Any) -> tuple[Any, Token] | None:
        # ReadCacheMiddleware ran every check below on this very request and token moments ago
        # (signature, expiry, identity, auth version, directory, session): DRF takes its answer
        # instead of decoding the token and reading the cache a second time.
        done = getattr(getattr(request, "_request", request), AUTHENTICATED, None)
        if done is not None:
            header = self.get_header(request)
            if header is not None and self.get_raw_token(header) == done[0]:
                return done[1], done[2]
        return super().authenticate(request)

    def get_user(self, validated_token: Token) -> Any:
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as error:
            raise InvalidToken("Token contained no recognizable user identification") from error
        user, _found = self.load(user_id, validated_token)
        return user

    def load(
        self, user_id: Any, validated_token: Token, also: Sequence[str] = (), prefetched: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """The checked user, and the cache values of `also`: the identity, the session's
        revocation and `also` come in one cache round trip (or were `prefetched`, see
        identity.load)."""
        user, found = identity.load(user_id, self.keys_also(validated_token, also), prefetched)
        session_key = self._session_key(validated_token)
        if user is None:
            raise AuthenticationFailed("User not found", code="user_not_found")
        check_token_version(user, validated_token)
        # Directory users: still enabled in the directory? (cached; free for local users)
        directory.ensure_enabled(user)
        check_token_session(validated_token, found.get(session_key) if session_key else None)
        return user, found
