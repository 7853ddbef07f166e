"""JWT authentication that also honours deactivation and password changes.

Every token carries the user's `auth_version` (claim "ver"); deactivating a user or changing
their password bumps it, so all their outstanding access and refresh tokens stop working.
The user comes from the identity cache (apps.auth.identity): no query on a cache hit, and
every change to the user, their roles or their unit is seen on the very next request.
"""

from typing import Any

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken, Token

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


def check_token_session(token: Token) -> None:
    """Logout ends the session: its access token stops working too (docs/roles.md)."""
    if not sessions.check_session(token):
        raise AuthenticationFailed("The session has ended.", code="session_ended")


class VersionedJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Token) -> Any:
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as error:
            raise InvalidToken("Token contained no recognizable user identification") from error
        user = identity.load_user(user_id)
        if user is None:
            raise AuthenticationFailed("User not found", code="user_not_found")
        check_token_version(user, validated_token)
        # Directory users: still enabled in the directory? (cached; free for local users)
        directory.ensure_enabled(user)
        check_token_session(validated_token)
        return user
