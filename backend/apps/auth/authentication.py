"""JWT authentication that also honours deactivation and password changes.

Every token carries the user's `auth_version` (claim "ver"); deactivating a user or changing
their password bumps it, so all their outstanding access and refresh tokens stop working.
"""

from typing import Any

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import RefreshToken, Token

from apps.auth import directory

VERSION_CLAIM = "ver"


def tokens_for(user: Any) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    refresh[VERSION_CLAIM] = user.auth_version
    return {"refresh": str(refresh), "access": str(refresh.access_token)}


def check_token_version(user: Any, token: Token) -> None:
    if not user.is_active:
        raise AuthenticationFailed("User is inactive.", code="user_inactive")
    if token.get(VERSION_CLAIM) != user.auth_version:
        raise AuthenticationFailed("Token is no longer valid.", code="token_revoked")


class VersionedJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Token) -> Any:
        user = super().get_user(validated_token)
        check_token_version(user, validated_token)
        # Directory users: still enabled in the directory? (cached; free for local users)
        directory.ensure_enabled(user)
        return user
