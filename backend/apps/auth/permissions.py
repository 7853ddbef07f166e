"""Role checks and unit scoping used by every endpoint (docs/roles.md).

- A role lacking a capability gets 403: `ActionPermission` maps each view action to a
  Django permission held by the role groups (apps.auth.roles).
- Objects of another unit are 404 to everyone but a System Administrator: querysets go
  through `scope_to_unit` so such objects are simply not found.
"""

from typing import Any

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.policy import access


def scope_to_unit(queryset: QuerySet[Any], user: Any, *unit_fields: str) -> QuerySet[Any]:
    """Restrict `queryset` to the user's unit (any of `unit_fields`, default "unit")."""
    condition = access.unit_scope_q(user, *unit_fields)
    return queryset if condition is None else queryset.filter(condition)


def acting_user(request: Request) -> Any:
    """The authenticated user of a request (permission classes have already required one)."""
    return request.user


class ActionPermission(BasePermission):
    """Checks `view.action_permissions[action]` (a permission name, or None for any user).

    Unlisted safe actions are open to any authenticated user (they are unit-scoped by the
    queryset); unlisted unsafe actions fall back to the "*" entry, and are refused if there is
    none, so a new endpoint is closed until someone says who may use it.
    """

    message = "Your role does not allow this action."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if hasattr(view, "action_map") and getattr(view, "action", None) is None:
            return True  # a method the viewset does not route: let DRF answer 405
        mapping: dict[str, str | None] = getattr(view, "action_permissions", {})
        action = getattr(view, "action", None) or (request.method or "get").lower()
        if action in mapping:
            required = mapping[action]
        elif request.method in SAFE_METHODS:
            required = None
        elif "*" in mapping:
            required = mapping["*"]
        else:
            return False
        return required is None or user.has_perm(required)


def can_access_unit(user: Any, unit_id: int | None) -> bool:
    return access.belongs_to_unit(user, unit_id)


def get_object_in_unit(queryset: QuerySet[Any], user: Any, pk: Any) -> Model:
    """Fetch by id within the user's unit scope; another unit's object is a 404."""
    return get_object_or_404(scope_to_unit(queryset, user), pk=pk)
