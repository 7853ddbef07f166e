"""Who holds a role: the recipients of notifications and reminders (docs/roles.md).

One place for "the Approvers of unit X" and "the System Administrators", so every service and
task addresses the same people: active users only (a deactivated account is never told to act),
a unit's roles only within that unit, and a superuser counted as a System Administrator as
`User.has_role` counts them.
"""

from django.db.models import Q, QuerySet

from apps.auth import roles
from apps.auth.models import User


def holds_role_q(*role_names: str) -> Q:
    """The queryset form of `User.has_role` for any of `role_names`."""
    condition = Q(groups__name__in=role_names)
    if roles.SYSTEM_ADMINISTRATOR in role_names:
        condition |= Q(is_superuser=True)
    return condition


def unit_role_holders(unit_id: int | None, *role_names: str) -> QuerySet[User]:
    """The active users of one unit holding any of `role_names`; nobody for no unit."""
    if unit_id is None or not role_names:
        return User.objects.none()
    return User.objects.filter(holds_role_q(*role_names), is_active=True, unit_id=unit_id).distinct().order_by("pk")


def system_administrators() -> QuerySet[User]:
    """The active System Administrators (and superusers) of every unit: who is alerted of what
    threatens the whole installation."""
    return User.objects.filter(holds_role_q(roles.SYSTEM_ADMINISTRATOR), is_active=True).distinct().order_by("pk")
