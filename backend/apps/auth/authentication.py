"""JWT authentication that also honours deactivation and password changes.

Every token carries the user's `auth_version` (claim "ver"); deactivating a user or changing
their password bumps it, so all their outstanding access and refresh tokens stop working.
"""

from typing import Any

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import RefreshToken, Token

from apps.auth import directory, sessions

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
    """Logout ends the session: its access token stops working too (SPEC §13)."""
    if not sessions.check_session(token):
        raise AuthenticationFailed("The session has ended.", code="session_ended")


class VersionedJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Token) -> Any:
        user = super().get_user(validated_token)
        check_token_version(user, validated_token)
        # Directory users: still enabled in the directory? (cached; free for local users)
        directory.ensure_enabled(user)
        check_token_session(validated_token)
        return user
