"""The request state machine of SPEC §4: one transition table and the guards built on it.

Every service function in `apps.requests.services` checks `check_transition` under a row
lock; `allowed_actions` answers "which buttons may this user press now" from the same table,
so the SPA and the services can never disagree.
"""

import datetime
from typing import Any

from django.utils import timezone

from apps.auth import roles
from apps.core.errors import ApplicationError, invalid_transition
from apps.requests.models import Request

Status = Request.Status
Type = Request.Type
ALL_TYPES = tuple(Type.values)

# (request_type, action) -> (statuses the action starts from, status it leads to)
TRANSITIONS: dict[tuple[str, str], tuple[frozenset[str], str]] = {}
for _type in ALL_TYPES:
    TRANSITIONS[(_type, "update")] = (frozenset({Status.DRAFT}), Status.DRAFT)
    TRANSITIONS[(_type, "delete")] = (frozenset({Status.DRAFT}), Status.DRAFT)
    TRANSITIONS[(_type, "submit")] = (frozenset({Status.DRAFT}), Status.SUBMITTED)
    TRANSITIONS[(_type, "approve")] = (frozenset({Status.SUBMITTED}), Status.APPROVED)
    TRANSITIONS[(_type, "reject")] = (frozenset({Status.SUBMITTED}), Status.REJECTED)
    TRANSITIONS[(_type, "cancel")] = (frozenset({Status.DRAFT, Status.SUBMITTED}), Status.CANCELLED)
TRANSITIONS.update(
    {
        (Type.STORAGE, "execute"): (frozenset({Status.APPROVED}), Status.COMPLETED),
        (Type.WITHDRAWAL, "execute"): (frozenset({Status.APPROVED}), Status.ISSUED),
        # A send-back is raised against an issued withdrawal; the request stays issued ...
        (Type.WITHDRAWAL, "create_sendback"): (frozenset({Status.ISSUED}), Status.ISSUED),
        # ... until the receipt of the last item completes it.
        (Type.WITHDRAWAL, "complete_return"): (frozenset({Status.ISSUED}), Status.COMPLETED),
        (Type.DESTRUCTION, "execute"): (frozenset({Status.APPROVED}), Status.COMPLETED),
        (Type.TRANSFER, "execute"): (frozenset({Status.APPROVED}), Status.IN_TRANSIT),
        (Type.TRANSFER, "receive"): (frozenset({Status.IN_TRANSIT}), Status.COMPLETED),
    }
)

# Statuses in which a request's items stay tied up ("open request").
OPEN_STATUSES = frozenset({Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.ISSUED, Status.IN_TRANSIT})

# The capability each action needs (SPEC §2).
ACTION_PERMISSIONS = {
    "update": roles.RAISE_REQUESTS,
    "delete": roles.RAISE_REQUESTS,
    "submit": roles.RAISE_REQUESTS,
    "cancel": roles.RAISE_REQUESTS,
    "approve": roles.APPROVE_REQUESTS,
    "reject": roles.APPROVE_REQUESTS,
    "execute": roles.EXECUTE_REQUESTS,
    "receive": roles.EXECUTE_REQUESTS,
    "create_sendback": roles.CREATE_SENDBACKS,
}

# The actions the SPA offers as buttons, in display order.
UI_ACTIONS = ("submit", "cancel", "approve", "reject", "execute", "receive", "create_sendback")


def can_transition(request: Request, action: str) -> bool:
    rule = TRANSITIONS.get((request.request_type, action))
    return rule is not None and request.status in rule[0]


def check_transition(request: Request, action: str) -> str:
    """The status `action` leads to; 409 invalid_transition if not allowed in the current state."""
    rule = TRANSITIONS.get((request.request_type, action))
    if rule is None:
        raise invalid_transition(f"A {request.request_type} request cannot be {_verb(action)}.")
    if request.status not in rule[0]:
        raise invalid_transition(f"Request {request.number} is {request.status}; it cannot be {_verb(action)}.")
    return rule[1]


def _verb(action: str) -> str:
    return {
        "update": "edited",
        "delete": "deleted",
        "submit": "submitted",
        "approve": "approved",
        "reject": "rejected",
        "cancel": "cancelled",
        "execute": "executed",
        "receive": "received",
        "create_sendback": "sent back",
        "complete_return": "completed",
    }.get(action, action)


def _acting_unit_id(request: Request, action: str) -> int | None:
    """The unit whose staff act: the target unit receives a transfer, the own unit does the rest."""
    return request.target_unit_id if action == "receive" else request.unit_id


def permission_error(request: Request, user: Any, action: str) -> ApplicationError | None:
    """Why `user` may not take `action` on `request` (role, unit, ownership, segregation of
    duties), or None if they may. The state is checked separately (check_transition)."""
    if not user.has_perm(ACTION_PERMISSIONS[action]):
        return ApplicationError("Your role does not allow this action.", code="permission_denied")
    unit_id = _acting_unit_id(request, action)
    if not user.is_system_admin and (unit_id is None or user.unit_id != unit_id):
        return ApplicationError("Only staff of the acting unit may do this.", code="permission_denied")
    if action in {"update", "delete", "submit", "cancel"} and request.requester_id != user.pk:
        return ApplicationError("Only the requester may do this with the request.", code="permission_denied")
    # Segregation of duties (SPEC §2): for every role, System Administrator included.
    if action in {"approve", "reject"} and request.requester_id == user.pk:
        return ApplicationError("You cannot approve or reject your own request.", code="segregation_of_duties")
    if action in {"execute", "receive"} and request.decided_by_id == user.pk:
        return ApplicationError("The approver of a request cannot execute it.", code="segregation_of_duties")
    return None


def check_permission(request: Request, user: Any, action: str) -> None:
    error = permission_error(request, user, action)
    if error is not None:
        raise error


def allowed_actions(request: Request, user: Any) -> list[str]:
    """The actions `user` may take on `request` now (needs `items` prefetched for send-backs)."""
    actions = []
    for action in UI_ACTIONS:
        if not can_transition(request, action) or permission_error(request, user, action) is not None:
            continue
        if action == "create_sendback" and not any(item.is_open for item in request.items.all()):
            continue
        actions.append(action)
    return actions


def sendback_permission_error(sendback: Any, user: Any) -> ApplicationError | None:
    if not user.has_perm(roles.RECEIVE_SENDBACKS):
        return ApplicationError("Your role does not allow receiving send-backs.", code="permission_denied")
    if not user.is_system_admin and user.unit_id != sendback.unit_id:
        return ApplicationError("Only staff of the send-back's unit may receive it.", code="permission_denied")
    return None


def sendback_allowed_actions(sendback: Any, user: Any) -> list[str]:
    if sendback.status != "pending" or sendback_permission_error(sendback, user) is not None:
        return []
    return ["receive"]


def is_overdue(request: Request, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        request.status == Status.ISSUED
        and request.expected_return_date is not None
        and request.expected_return_date < today
    )
