"""The signed-in user as a plain dict for `GET /api/auth/me/`, which the SPA asks on every
page load: the same JSON as CurrentUserSerializer (a test compares them; the serializer still
describes the schema and answers the login), without building its 18 model fields per request,
which was a third of the request's server time."""

from typing import Any

from apps.core.representations import iso_datetime as _datetime
from apps.policy.capabilities import capabilities_of


def current_user(user: Any) -> dict[str, Any]:
    """CurrentUserSerializer(user).data: outside a list of users nothing is offered on the
    account itself (`allowed_actions` is empty, as the serializer answers without a request)."""
    unit = user.unit
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "employee_id": user.employee_id,
        "unit": user.unit_id,
        "unit_code": unit.code if unit is not None else None,
        "roles": sorted(user.role_names),
        "is_active": user.is_active,
        "is_locked": user.is_locked,
        "locked_until": _datetime(user.locked_until),
        "failed_login_count": user.failed_login_count,
        "signature_certified_at": _datetime(user.signature_certified_at),
        "failed_signature_count": user.failed_signature_count,
        "last_login": _datetime(user.last_login),
        "date_joined": _datetime(user.date_joined),
        "allowed_actions": [],
        "capabilities": capabilities_of(user),
    }
