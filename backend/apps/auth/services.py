"""Account services: login and lockout, tokens, passwords, WebSocket tickets, users and
master data. Each write is atomic and writes its audit event in the same transaction."""

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from apps.audit import services as audit
from apps.auth import directory, identity, roles, sessions
from apps.auth.authentication import VERSION_CLAIM, tokens_for
from apps.auth.models import Department, Unit, User
from apps.core import domain_signals
from apps.core.errors import ApplicationError, field_error
from apps.core.master_data import audited_create, audited_update
from apps.policy import access, reasons

USER_AUDIT_FIELDS = ["username", "full_name", "email", "employee_id", "unit", "is_active"]
UNIT_FIELDS = ["code", "name", "address", "is_active"]
DEPARTMENT_FIELDS = ["unit", "code", "name", "is_active"]

# --- Login, tokens --------------------------------------------------------------------------


def login(*, username: str, password: str) -> dict[str, Any]:
    """The API login: check the credentials, then start a session (a token pair)."""
    user = authenticate_credentials(username=username, password=password)
    return {**tokens_for(user), "user": user}


def authenticate_credentials(*, username: str, password: str, channel: str = "api") -> User:
    """Authenticate; count failures; lock after LOGIN_MAX_FAILURES for LOGIN_LOCKOUT_MINUTES.

    Directory users are checked by the directory (and created at their first sign-in), local
    users by their DMS password; lockout, throttling and the audit trail are the same for both.
    Every way in (the API, the Django admin's login form) goes through here, so one failure
    counter, one lockout and one audit trail cover them all. Failures are audited outside any
    business transaction: a refused login changes nothing but the counter and the trail.
    """
    comment_suffix = "" if channel == "api" else f" ({channel})"
    user = User.objects.filter(username__iexact=username).first()
    if user is None and directory.enabled():
        user = _first_directory_login(username, password)
        if user is not None:
            return _login_succeeded(user, channel)
    if user is None:
        audit.record(
            action="login.failed",
            entity_type="user",
            entity_repr=username[:150],
            comment="unknown username" + comment_suffix,
            actor=None,
        )
        raise ApplicationError("Invalid username or password.", code="invalid_credentials", status=401)
    if user.is_locked:
        audit.record(
            action="login.locked", instance=user, comment="login attempt while locked" + comment_suffix, actor=user
        )
        raise ApplicationError(
            "The account is locked after repeated failed logins. Try again later or ask an administrator.",
            code="account_locked",
            extra={"locked_until": user.locked_until.isoformat() if user.locked_until else None},
        )
    refusal = _credentials_refusal(user, password)
    if refusal:
        locked_now = False
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
            identity.forget_user(user.pk)  # update() sends no post_save
            user.refresh_from_db(fields=["failed_login_count"])
            audit.record(action="login.failed", instance=user, comment=refusal + comment_suffix, actor=user)
            if user.failed_login_count >= settings.LOGIN_MAX_FAILURES:
                user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                user.save(update_fields=["locked_until"])
                comment = f"{user.failed_login_count} consecutive failed logins{comment_suffix}"
                audit.record(
                    action="user.locked",
                    instance=user,
                    changes={"locked_until": [None, user.locked_until]},
                    comment=comment,
                    actor=user,
                )
                # Part 11 §11.300(d): attempts are detected and reported - the user and the
                # System Administrators are told (receivers: apps/notifications/signals.py).
                domain_signals.account_locked.send_on_commit(sender=User, user=user, reason=comment, action="locked")
                locked_now = True
        if locked_now:
            # Still a 401 (these credentials were wrong), but the user learns at once that the
            # account is now locked rather than at the next attempt (docs/roles.md).
            raise ApplicationError(
                f"Invalid username or password. After {user.failed_login_count} failed sign-ins the account is now "
                f"locked for {settings.LOGIN_LOCKOUT_MINUTES} minutes, or until an administrator unlocks it.",
                code="account_locked",
                status=401,
                extra={"locked_until": user.locked_until.isoformat() if user.locked_until else None},
            )
        raise ApplicationError("Invalid username or password.", code="invalid_credentials", status=401)
    return _login_succeeded(user, channel)


def _first_directory_login(username: str, password: str) -> User | None:
    try:
        return directory.authenticate(username=username, password=password)
    except directory.DirectoryUnavailable:
        audit.record(
            action="login.failed",
            entity_type="user",
            entity_repr=username[:150],
            comment="directory unavailable",
            actor=None,
        )
        raise


def _credentials_refusal(user: User, password: str) -> str:
    """Why the credentials are refused ("" when they are accepted)."""
    if user.is_directory_user:
        if not directory.enabled():
            return "directory sign-in is not configured"
        try:
            # Updates name, e-mail, roles and unit from the directory as it signs in.
            accepted = directory.authenticate(username=user.username, password=password)
        except directory.DirectoryUnavailable:
            # Not the user's fault: no failure counted, but the attempt is on the trail.
            audit.record(action="login.failed", instance=user, comment="directory unavailable", actor=user)
            raise
        if accepted is None:
            return "wrong password, or not enabled in a DMS group of the directory"
        user.refresh_from_db()
    elif not settings.AUTH_LOCAL_ACCOUNTS:
        return "local accounts are turned off"
    elif not user.check_password(password):
        return "wrong password"
    if not user.is_active:
        return "inactive account"
    return ""


def _login_succeeded(user: User, channel: str) -> User:
    with transaction.atomic():
        user.failed_login_count = 0
        user.locked_until = None
        user.last_login = timezone.now()
        user.save(update_fields=["failed_login_count", "locked_until", "last_login"])
        audit.record(action="login.succeeded", instance=user, comment="" if channel == "api" else channel, actor=user)
    return user


def verify_password(*, user: User, password: str) -> bool:
    """Re-authentication for an e-signature: the directory checks a directory user's
    password (503 if it cannot be reached), DMS a local user's."""
    if user.is_directory_user:
        return directory.enabled() and directory.verify_password(user=user, password=password)
    return bool(password) and user.check_password(password)


def refresh_tokens(*, refresh: str) -> dict[str, str]:
    """Rotate: a new pair for a valid refresh token, whose old self is blacklisted.

    Of several concurrent refreshes with one token exactly one succeeds: the token's
    outstanding row is locked while it is checked and blacklisted, so a stolen refresh token
    cannot be turned into many sessions.
    """
    invalid = ApplicationError("Refresh token is invalid or expired.", code="token_not_valid", status=401)
    try:
        token = RefreshToken(refresh)  # type: ignore[arg-type]
        user = User.objects.get(pk=token["user_id"])
        jti = token["jti"]
    except (TokenError, User.DoesNotExist, KeyError, ValueError, TypeError) as error:
        raise invalid from error
    session_id = token.get(sessions.SESSION_CLAIM)
    if not user.is_active or token.get(VERSION_CLAIM) != user.auth_version or not sessions.check_session(token):
        raise ApplicationError("Refresh token is no longer valid.", code="token_not_valid", status=401)
    with transaction.atomic():
        outstanding = OutstandingToken.objects.select_for_update().filter(jti=jti).order_by().first()
        if outstanding is None or BlacklistedToken.objects.filter(token=outstanding).exists():
            raise invalid
        BlacklistedToken.objects.create(token=outstanding)
        return tokens_for(user, session_id=str(session_id) if session_id else None)


def logout(*, user: User, refresh: str, access_session_id: str | None = None) -> None:
    """End the session: its refresh token is blacklisted and every access token of the
    session stops working at once (docs/roles.md), not when it expires."""
    try:
        token = RefreshToken(refresh)  # type: ignore[arg-type]
    except TokenError as error:
        raise field_error("refresh", "Refresh token is invalid or expired.") from error
    if str(token.get("user_id")) != str(user.pk):
        raise field_error("refresh", "This refresh token belongs to another user.")
    session_ids = {str(sid) for sid in (token.get(sessions.SESSION_CLAIM), access_session_id) if sid}
    with transaction.atomic():
        token.blacklist()
        for session_id in sorted(session_ids):
            sessions.revoke_session(session_id=session_id, user=user)
            # apps.auth.signals closes the session's sockets once this commits (docs/events.md).
            domain_signals.session_ended.send_on_commit(sender=User, session_id=session_id, action="ended")
        audit.record(action="logout", instance=user, actor=user)


def revoke_tokens(user: User) -> None:
    """Void every outstanding token of the user and close their sockets (docs/events.md)."""
    User.objects.filter(pk=user.pk).update(auth_version=F("auth_version") + 1)
    identity.forget_user(user.pk)  # update() sends no post_save
    user.refresh_from_db(fields=["auth_version"])
    # apps.auth.signals closes the user's sockets once this commits.
    domain_signals.sessions_revoked.send_on_commit(sender=User, user_id=user.pk)


# --- Passwords ------------------------------------------------------------------------------


def validate_password(password: str, user: User | None, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as error:
        raise ApplicationError("Password rejected.", fields={field: list(error.messages)}) from error


@transaction.atomic
def change_password(*, user: User, old_password: str, new_password: str) -> None:
    if user.is_directory_user:
        raise ApplicationError("A directory account's password is changed in the company directory.", code="invalid")
    if not user.check_password(old_password):
        raise field_error("old_password", "The current password is wrong.")
    validate_password(new_password, user, field="new_password")
    _set_password(user, new_password, action="user.password_changed")


def _set_password(user: User, password: str, *, action: str) -> None:
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    revoke_tokens(user)
    audit.record(action=action, instance=user, changes={"password": ["***", "***"]})


# --- WebSocket tickets ----------------------------------------------------------------------

_TICKET_PREFIX = "ws-ticket:"


def ws_ticket_issue(*, user: User, session_id: str | None = None) -> dict[str, Any]:
    """A single-use ticket (~30 s) to open the socket, so no JWT travels in a URL. It carries
    the sign-in session it was asked for, so that session's logout closes the socket."""
    ticket = secrets.token_urlsafe(32)
    value = f"{user.pk}:{session_id or ''}"
    # add() answers True once stored; the Redis cache fails open and answers None when Redis is
    # down - then no ticket could validate, so say so instead of handing out a dead one.
    if not cache.add(_TICKET_PREFIX + ticket, value, timeout=settings.WS_TICKET_TTL_SECONDS):
        raise ApplicationError(
            "Live updates are unavailable for the moment; the application works without them.",
            code="service_unavailable",
            status=503,
        )
    return {"ticket": ticket, "expires_in": settings.WS_TICKET_TTL_SECONDS}


def ws_ticket_consume(ticket: str) -> int | None:
    """The user id of a valid ticket, consuming it; None if missing, reused or expired."""
    consumed = ws_ticket_consume_session(ticket)
    return consumed[0] if consumed is not None else None


def ws_ticket_consume_session(ticket: str) -> tuple[int, str | None] | None:
    """(user id, session id or None) of a valid ticket, consuming it; None if missing, reused
    or expired."""
    if not ticket:
        return None
    key = _TICKET_PREFIX + ticket
    value = cache.get(key)
    # delete() reports whether the key existed: of two racing consumers only one wins.
    if value is None or not cache.delete(key):
        return None
    user_id, _, session_id = str(value).partition(":")
    return int(user_id), session_id or None


# --- Users ----------------------------------------------------------------------------------


def _check_role_grant(actor: User, role_names: list[str]) -> list[Group]:
    unknown = sorted(set(role_names) - set(roles.ALL_ROLES))
    if unknown:
        raise field_error("roles", f"Unknown role(s): {', '.join(unknown)}.")
    if roles.SYSTEM_ADMINISTRATOR in role_names and not actor.has_perm(roles.GRANT_SYSTEM_ADMINISTRATOR):
        raise ApplicationError(
            "Only a System Administrator can grant the System Administrator role.", code="permission_denied"
        )
    return list(Group.objects.filter(name__in=role_names))


def _check_unit_for(actor: User, unit: Unit | None, role_names: list[str]) -> None:
    if actor.is_system_admin:
        if unit is None and roles.SYSTEM_ADMINISTRATOR not in role_names:
            raise field_error("unit", "Only a System Administrator may have no unit.")
        return
    if unit is None or unit.pk != actor.unit_id:
        raise field_error("unit", "You can only manage users of your own unit.")


def _check_in_scope(actor: User, unit_id: int | None, what: str) -> None:
    """Another unit's object does not exist for a Unit Admin (404), whichever client asks:
    the API's querysets hide it already, the admin and scripts meet this check."""
    if not access.belongs_to_unit(actor, unit_id):
        raise ApplicationError(f"{what} not found.", code="not_found")


def _check_may_manage(actor: User, target: User) -> None:
    # A Unit Admin must not take over a System Administrator (reset password, deactivate).
    refusal = access.user_management_refusal(actor, target)
    if refusal is not None:
        raise refusal


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    password: str,
    email: str = "",
    employee_id: str = "",
    unit: Unit | None = None,
    role_names: list[str] | None = None,
) -> User:
    role_names = role_names or []
    groups = _check_role_grant(actor, role_names)
    _check_unit_for(actor, unit, role_names)
    if User.objects.filter(username__iexact=username).exists():
        raise field_error("username", "A user with this username already exists.")
    user = User(username=username, full_name=full_name, email=email, employee_id=employee_id, unit=unit)
    validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    user.groups.set(groups)
    audit.record(
        action="user.created",
        instance=user,
        changes={**audit.created_changes(user, USER_AUDIT_FIELDS), "roles": [[], sorted(role_names)]},
        actor=actor,
    )
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, data: dict[str, Any]) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_may_manage(actor, user)
    before = audit.snapshot(user, USER_AUDIT_FIELDS)
    before_roles = sorted(user.groups.values_list("name", flat=True))
    role_names = data.pop("roles", None)
    password = data.pop("password", None)
    for name, value in data.items():
        setattr(user, name, value)
    target_roles = role_names if role_names is not None else before_roles
    if "unit" in data or role_names is not None:
        _check_unit_for(actor, user.unit, target_roles)
    user.save()
    changes = audit.changes_between(before, audit.snapshot(user, USER_AUDIT_FIELDS))
    if role_names is not None and sorted(role_names) != before_roles:
        user.groups.set(_check_role_grant(actor, role_names))
        changes["roles"] = [before_roles, sorted(role_names)]
    if changes:
        audit.record(action="user.updated", instance=user, changes=changes, actor=actor)
    if changes.get("is_active") == [True, False]:
        revoke_tokens(user)
    if password:
        if user.is_directory_user:
            raise field_error("password", "A directory account's password is changed in the company directory.")
        validate_password(password, user)
        _set_password(user, password, action="user.password_reset")
    return user


def user_deactivate(*, actor: User, user: User) -> User:
    if user.pk == actor.pk:
        raise ApplicationError("You cannot deactivate yourself.", code="invalid")
    return user_update(actor=actor, user=user, data={"is_active": False})


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_may_manage(actor, user)
    changes = {"failed_login_count": [user.failed_login_count, 0], "locked_until": [user.locked_until, None]}
    user.failed_login_count = 0
    user.locked_until = None
    user.save(update_fields=["failed_login_count", "locked_until"])
    audit.record(action="user.unlocked", instance=user, changes=changes, actor=actor)
    return user


# --- Units and departments ------------------------------------------------------------------


def unit_create(*, actor: User, **fields: Any) -> Unit:
    return audited_create(Unit, actor=actor, entity="unit", audit_fields=UNIT_FIELDS, **fields)


def unit_update(*, actor: User, unit: Unit, data: dict[str, Any], reason: str = "") -> Unit:
    """A System Administrator edits any unit; a Unit Admin only their own. Deactivating a unit
    needs `reason` (apps.policy.reasons), kept as the audit event's comment."""
    _check_in_scope(actor, unit.pk, "Unit")
    return audited_update(
        unit,
        actor=actor,
        entity="unit",
        audit_fields=UNIT_FIELDS,
        data=data,
        reason_for=lambda changes: reasons.require_reason("unit", changes, reason),
    )


def _check_department_unit(actor: User, unit: Unit | None) -> None:
    if unit is not None and not access.belongs_to_unit(actor, unit.pk):
        raise field_error("unit", "You can only manage departments of your own unit.")


def department_create(*, actor: User, **fields: Any) -> Department:
    """Departments of the actor's own unit (any unit for a System Administrator)."""
    _check_department_unit(actor, fields.get("unit"))
    return audited_create(Department, actor=actor, entity="department", audit_fields=DEPARTMENT_FIELDS, **fields)


def department_update(*, actor: User, department: Department, data: dict[str, Any]) -> Department:
    _check_in_scope(actor, department.unit_id, "Department")
    _check_department_unit(actor, data.get("unit"))
    return audited_update(department, actor=actor, entity="department", audit_fields=DEPARTMENT_FIELDS, data=data)
