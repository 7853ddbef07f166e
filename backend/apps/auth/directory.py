"""Directory sign-in (LDAP / Active Directory) through django-auth-ldap.

The directory owns a directory user's password, roles, unit and whether the account is
enabled; DMS keeps the row (for signatures, audit and ownership) and mirrors the rest at each
sign-in. Three entry points, all used by apps.auth.services or the authentication class:

- `authenticate(username, password)`: bind as the user, then create or update the DMS user
  from the directory (attributes, roles from groups, unit from an attribute or a group);
- `verify_password(user, password)`: the e-signature re-check, against the directory;
- `ensure_enabled(user)`: the per-request check that the account still exists and is enabled,
  cached per user for DIRECTORY_RECHECK_SECONDS so a request normally costs one cache read.

A directory that cannot be reached raises DirectoryUnavailable (503): a directory user can
then neither sign in, sign nor use a token, while local accounts are unaffected.
"""

import logging
from dataclasses import dataclass
from typing import Any

import ldap
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.dispatch import receiver
from django_auth_ldap.backend import LDAPBackend, ldap_error

from apps.audit import services as audit
from apps.auth import roles
from apps.auth.models import Unit, User
from apps.core.errors import ApplicationError

logger = logging.getLogger(__name__)

AUDIT_FIELDS = ["username", "full_name", "email", "employee_id", "unit", "is_active", "auth_source"]
_ENABLED_KEY = "directory-enabled:{}"


class DirectoryUnavailable(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            "The company directory cannot be reached, so directory accounts cannot be checked. "
            "Try again in a few minutes.",
            code="directory_unavailable",
            status=503,
        )


def enabled() -> bool:
    return bool(getattr(settings, "AUTH_LDAP_SERVER_URI", ""))


@receiver(ldap_error)
def _fail_closed(sender: Any, context: str, exception: Exception, **kwargs: Any) -> None:
    """django-auth-ldap logs an LDAP error and answers "no such user"; that would read a
    directory outage as a disabled account or a wrong password. Exceptions raised here
    propagate out of the library, so the caller can answer 503 instead."""
    if issubclass(sender, DirectoryBackend):
        logger.warning("directory error %s: %r", context, exception)
        raise DirectoryUnavailable() from exception


@dataclass(frozen=True)
class Mapping:
    roles: list[str]
    unit: Unit | None


def _map(ldap_user: Any) -> Mapping:
    group_dns = {dn.lower() for dn in ldap_user.group_dns}
    role_groups = settings.DIRECTORY_ROLE_GROUPS
    role_names = sorted(role for role, dn in role_groups.items() if dn.lower() in group_dns and role in roles.ALL_ROLES)
    code = ""
    if settings.DIRECTORY_UNIT_ATTR:
        values = ldap_user.attrs.get(settings.DIRECTORY_UNIT_ATTR) or []
        code = values[0].strip() if values else ""
    if not code:
        code = next((c for c, dn in settings.DIRECTORY_UNIT_GROUPS.items() if dn.lower() in group_dns), "")
    unit = Unit.objects.filter(code__iexact=code, is_active=True).first() if code else None
    return Mapping(roles=role_names, unit=unit)


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap with the DMS mapping. Not in AUTHENTICATION_BACKENDS: sign-in goes
    through apps.auth.services.login, which adds lockout, throttling and the audit trail."""

    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[Any, bool]:
        mapping = _map(ldap_user)
        if not mapping.roles:
            raise ldap_user.AuthenticationFailed("no DMS role group in the directory")
        if mapping.unit is None and roles.SYSTEM_ADMINISTRATOR not in mapping.roles:
            raise ldap_user.AuthenticationFailed("no known DMS unit in the directory")
        user, built = super().get_or_build_user(username, ldap_user)
        if not built and not user.is_directory_user:
            # A local account of the same name stays local: the directory cannot take it over.
            raise ldap_user.AuthenticationFailed("a local account has this username")
        ldap_user.dms_mapping = mapping
        ldap_user.dms_before = None if built else audit.snapshot(user, AUDIT_FIELDS)
        ldap_user.dms_roles_before = [] if built else sorted(user.groups.values_list("name", flat=True))
        user.auth_source = User.Source.DIRECTORY
        user.unit = mapping.unit
        return user, built


def _backend() -> DirectoryBackend:
    # A fresh backend reads the AUTH_LDAP_* settings as they are now (tests override them).
    return DirectoryBackend()


@transaction.atomic
def authenticate(*, username: str, password: str) -> User | None:
    """The DMS user for a correct directory password (created or updated), else None."""
    if not password:
        return None
    from django_auth_ldap.backend import _LDAPUser

    backend = _backend()
    ldap_user = _LDAPUser(backend, username=username.strip())
    user = backend.authenticate_ldap_user(ldap_user, password)
    if user is None:
        return None
    mapping: Mapping = ldap_user.dms_mapping
    user = User.objects.select_for_update().get(pk=user.pk)
    if ldap_user.dms_roles_before != mapping.roles:
        user.groups.set(Group.objects.filter(name__in=mapping.roles))
    after = audit.snapshot(user, AUDIT_FIELDS)
    if ldap_user.dms_before is None:
        audit.record(
            action="user.created",
            instance=user,
            changes={**audit.created_changes(user, AUDIT_FIELDS), "roles": [[], mapping.roles]},
            comment="first sign-in with the directory",
            actor=None,
        )
    else:
        changes = audit.changes_between(ldap_user.dms_before, after)
        if ldap_user.dms_roles_before != mapping.roles:
            changes["roles"] = [ldap_user.dms_roles_before, mapping.roles]
        if changes:
            audit.record(
                action="user.updated", instance=user, changes=changes, comment="updated from the directory", actor=None
            )
    _remember(_ENABLED_KEY.format(user.pk))
    return user


def _cached(key: str) -> bool:
    try:
        return bool(cache.get(key))
    except Exception:  # cache down: ask the directory (slower, still correct)
        logger.warning("directory check: cache unreachable", exc_info=True)
        return False


def _remember(key: str) -> None:
    if settings.DIRECTORY_RECHECK_SECONDS <= 0:
        return
    try:
        cache.set(key, True, timeout=settings.DIRECTORY_RECHECK_SECONDS)
    except Exception:
        logger.warning("directory check: cache unreachable", exc_info=True)


def verify_password(*, user: User, password: str) -> bool:
    """Bind as the user: the directory, not DMS, decides whether the password is right."""
    if not password:
        return False
    from django_auth_ldap.backend import _LDAPUser

    ldap_user = _LDAPUser(_backend(), username=user.username)
    if ldap_user.dn is None:
        return False  # disabled or removed in the directory since the last sign-in
    try:
        ldap_user._authenticate_user_dn(password)
    except ldap_user.AuthenticationFailed:
        return False
    except ldap.LDAPError as error:
        raise DirectoryUnavailable() from error
    return True


def ensure_enabled(user: Any) -> None:
    """Refuse a directory user whom the directory no longer finds (disabled or removed).

    Called for every authenticated API request and WebSocket connect; for a local user it
    costs nothing, for a directory user one cache read, and one directory search per
    DIRECTORY_RECHECK_SECONDS. A disabled user is deactivated here once (tokens revoked,
    sockets closed, audited); an unreachable directory raises DirectoryUnavailable."""
    if getattr(user, "auth_source", User.Source.LOCAL) != User.Source.DIRECTORY or not enabled():
        return
    key = _ENABLED_KEY.format(user.pk)
    if _cached(key):
        return
    from django_auth_ldap.backend import _LDAPUser

    if _LDAPUser(_backend(), username=user.username).dn is not None:
        _remember(key)
        return
    deactivate(user_id=user.pk)
    from rest_framework.exceptions import AuthenticationFailed

    raise AuthenticationFailed("The account is disabled in the company directory.", code="user_inactive")


@transaction.atomic
def deactivate(*, user_id: int) -> None:
    from apps.auth.services import revoke_tokens

    user = User.objects.select_for_update().get(pk=user_id)
    if not user.is_active:
        return
    user.is_active = False
    user.save(update_fields=["is_active"])
    revoke_tokens(user)
    audit.record(
        action="user.updated",
        instance=user,
        changes={"is_active": [True, False]},
        comment="disabled or removed in the directory",
        actor=None,
    )


class LocalAccountBackend(ModelBackend):
    """The session backend (Django admin). Every password goes through the login service
    (apps.auth.services.authenticate_credentials: the directory for directory users, lockout
    and audit for all); here only the local-account switch applies: with AUTH_LOCAL_ACCOUNTS
    off, no local account signs in or keeps a session. A directory user has no usable
    password, so ModelBackend.authenticate never accepts one."""

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "auth_source", User.Source.LOCAL) == User.Source.LOCAL and not settings.AUTH_LOCAL_ACCOUNTS:
            return False
        return super().user_can_authenticate(user)
