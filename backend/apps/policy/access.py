"""Who may take which action on which object (docs/roles.md): role capability, unit, ownership and
segregation of duties, combined with the state tables into `allowed_actions`.

Each actor rule is declared once (`ActorRule`) and read two ways: `*_refusal(user, obj, action)`
checks an object (the services raise the answer), `actionable_q(user, action)` filters a
queryset (what awaits the user). Segregation of duties holds for every role, System
Administrator included: a requester never approves their own request, and its approver never
executes it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from apps.core.errors import ApplicationError
from apps.policy import capabilities as cap
from apps.policy import rules
from apps.policy.states import (
    COUNT_TABLE,
    CRATE_MOVE_OF_REQUEST,
    CRATE_TABLE,
    EXTENSION_TABLE,
    REQUEST_TABLES,
    SENDBACK_TABLE,
    RequestStatus,
    RequestType,
)

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class ActorRule:
    capability: str
    # The unit whose staff act (a field of the object holding a unit).
    unit_field: str = "unit"
    # Only this person may act (the requester edits, submits, cancels their own request).
    only_by: str | None = None
    # Segregation of duties: this person may never act.
    never_by: str | None = None
    never_by_message: str = ""
    role_message: str = "Your role does not allow this action."
    unit_message: str = "Only staff of the acting unit may do this."


def _id(obj: Any, field: str) -> Any:
    return getattr(obj, f"{field}_id")


def belongs_to_unit(user: Any, unit_id: int | None) -> bool:
    """`user` works for the unit (a System Administrator for every unit)."""
    return bool(user.is_system_admin) or (unit_id is not None and user.unit_id == unit_id)


def actor_refusal(rule: ActorRule, user: Any, obj: Any) -> ApplicationError | None:
    """Why `user` may not act on `obj` under `rule` (403), or None if they may."""
    if not user.has_perm(rule.capability):
        return ApplicationError(rule.role_message, code="permission_denied")
    if not belongs_to_unit(user, _id(obj, rule.unit_field)):
        return ApplicationError(rule.unit_message, code="permission_denied")
    if rule.only_by is not None and _id(obj, rule.only_by) != user.pk:
        return ApplicationError("Only the requester may do this with the request.", code="permission_denied")
    if rule.never_by is not None and _id(obj, rule.never_by) == user.pk:
        return ApplicationError(rule.never_by_message, code="segregation_of_duties")
    return None


def actor_q(rule: ActorRule, user: Any) -> Q:
    """`actor_refusal(rule, user, obj) is None` as a filter on the objects' table."""
    if not user.has_perm(rule.capability):
        return NOTHING
    condition = Q()
    if not user.is_system_admin:
        if user.unit_id is None:
            return NOTHING
        condition &= Q(**{f"{rule.unit_field}_id": user.unit_id})
    if rule.only_by is not None:
        condition &= Q(**{f"{rule.only_by}_id": user.pk})
    if rule.never_by is not None:
        condition &= ~Q(**{f"{rule.never_by}_id": user.pk})
    return condition


def unit_scope_q(user: Any, *unit_fields: str) -> Q | None:
    """What of a unit-owned table `user` may see (docs/roles.md: own unit; System Administrator: all).

    None means everything; the Q matches any of `unit_fields` (default "unit")."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING  # e.g. the schema generator's anonymous probe
    if user.is_system_admin:
        return None
    if user.unit_id is None:
        return NOTHING
    condition = Q()
    for field in unit_fields or ("unit",):
        condition |= Q(**{field: user.unit_id})
    return condition


# --- Requests -------------------------------------------------------------------------------

# A draft is its author's until it is submitted (docs/roles.md): nobody else sees it, in a
# list, a detail, a count or a live update - not a System Administrator either.


def may_see_request(user: Any, request: Any) -> bool:
    """Whether `user` may see `request` (within their unit scope): anything but another's draft."""
    return request.status != RequestStatus.DRAFT or request.requester_id == getattr(user, "pk", None)


def request_visible_q(user: Any) -> Q:
    """`may_see_request` as a filter on requests."""
    return ~Q(status=RequestStatus.DRAFT) | Q(requester_id=getattr(user, "pk", None))


_REQUESTER = ActorRule(cap.RAISE_REQUESTS, only_by="requester")
_APPROVER = ActorRule(
    cap.APPROVE_REQUESTS, never_by="requester", never_by_message="You cannot approve or reject your own request."
)
_EXECUTOR_MESSAGE = "The approver of a request cannot execute it."
REQUEST_ACTORS: dict[str, ActorRule] = {
    "edit": _REQUESTER,
    "delete": _REQUESTER,
    "submit": _REQUESTER,
    "cancel": _REQUESTER,
    "approve": _APPROVER,
    "reject": _APPROVER,
    "execute": ActorRule(cap.EXECUTE_REQUESTS, never_by="decided_by", never_by_message=_EXECUTOR_MESSAGE),
    # The target unit's Store Head receives a transfer.
    "receive": ActorRule(
        cap.EXECUTE_REQUESTS, unit_field="target_unit", never_by="decided_by", never_by_message=_EXECUTOR_MESSAGE
    ),
    "create_sendback": ActorRule(cap.CREATE_SENDBACKS),
    "request_extension": _REQUESTER,
}

# The actions a request's read offers (`allowed_actions`), in display order.
REQUEST_ACTIONS = (
    "submit", "cancel", "approve", "reject", "execute", "receive", "create_sendback", "request_extension", "edit",
    "delete",
)  # fmt: skip


def request_refusal(user: Any, request: Any, action: str) -> ApplicationError | None:
    """Why `user` may not take `action` on `request` (role, unit, ownership, segregation of
    duties), or None. The state is the table's business (`check_request`)."""
    return actor_refusal(REQUEST_ACTORS[action], user, request)


def check_request(user: Any, request: Any, action: str) -> str:
    """Guard of every request transition: state first (409), then who may act (403), the
    same order as `request_allowed_actions`. Returns the status the action leads to."""
    table = REQUEST_TABLES[request.request_type]
    to_status = table.next_state(request.status, action, label=f"Request {request.number}")
    if action in REQUEST_ACTORS:
        refusal = request_refusal(user, request, action)
        if refusal is not None:
            raise refusal
    return to_status


def may_act_on_request(user: Any, request: Any, action: str) -> bool:
    return (
        REQUEST_TABLES[request.request_type].allows(request.status, action)
        and request_refusal(user, request, action) is None
    )


def request_allowed_actions(user: Any, request: Any, *, has_open_items: bool | None = None) -> list[str]:
    """What `user` may do with `request` now (a send-back needs an item still out:
    `has_open_items`, or else the request's `items` prefetched)."""
    actions = []
    for action in REQUEST_ACTIONS:
        if not may_act_on_request(user, request, action):
            continue
        if action in ("create_sendback", "request_extension"):
            if has_open_items is None:
                has_open_items = any(item.is_open for item in request.items.all())
            if not has_open_items:
                continue
        actions.append(action)
    return actions


# A return-date extension is decided like a request: by an Approver of the request's unit,
# never by the requester who asked for it (segregation of duties, docs/roles.md).
EXTENSION_ACTORS: dict[str, ActorRule] = {
    "approve": ActorRule(
        cap.APPROVE_REQUESTS, never_by="requester", never_by_message="You cannot approve your own extension."
    ),
    "reject": ActorRule(
        cap.APPROVE_REQUESTS, never_by="requester", never_by_message="You cannot decide your own extension."
    ),
}
EXTENSION_ACTIONS = tuple(EXTENSION_ACTORS)


def check_extension(user: Any, extension: Any, action: str) -> str:
    """State first (409), then who (403); the status the decision leads to."""
    to_status = EXTENSION_TABLE.next_state(extension.status, action, label="The extension")
    refusal = actor_refusal(EXTENSION_ACTORS[action], user, extension)
    if refusal is not None:
        raise refusal
    return to_status


def extension_allowed_actions(user: Any, extension: Any) -> list[str]:
    return [
        action
        for action in EXTENSION_ACTIONS
        if EXTENSION_TABLE.allows(extension.status, action)
        and actor_refusal(EXTENSION_ACTORS[action], user, extension) is None
    ]


def request_actionable_q(user: Any, action: str) -> Q:
    """Requests on which `user` may take `action` now: `may_act_on_request` as a filter."""
    by_type = {request_type: table.from_states(action) for request_type, table in REQUEST_TABLES.items()}
    if len(set(by_type.values())) == 1:
        states = Q(status__in=sorted(next(iter(by_type.values()))))
    else:
        states = NOTHING
        for request_type, from_states in by_type.items():
            if from_states:
                states |= Q(request_type=request_type, status__in=sorted(from_states))
    return states & actor_q(REQUEST_ACTORS[action], user)


# --- Send-backs -----------------------------------------------------------------------------

SENDBACK_ACTORS: dict[str, ActorRule] = {
    "receive": ActorRule(
        cap.RECEIVE_SENDBACKS,
        role_message="Your role does not allow receiving send-backs.",
        unit_message="Only staff of the send-back's unit may receive it.",
    ),
}
SENDBACK_ACTIONS = tuple(SENDBACK_ACTORS)


def check_sendback(user: Any, sendback: Any, action: str) -> str:
    to_status = SENDBACK_TABLE.next_state(sendback.status, action, label=f"Send-back {sendback.number}")
    refusal = actor_refusal(SENDBACK_ACTORS[action], user, sendback)
    if refusal is not None:
        raise refusal
    return to_status


def sendback_allowed_actions(user: Any, sendback: Any) -> list[str]:
    return [
        action
        for action, rule in SENDBACK_ACTORS.items()
        if SENDBACK_TABLE.allows(sendback.status, action) and actor_refusal(rule, user, sendback) is None
    ]


def sendback_actionable_q(user: Any, action: str) -> Q:
    return Q(status__in=sorted(SENDBACK_TABLE.from_states(action))) & actor_q(SENDBACK_ACTORS[action], user)


# --- Crates ---------------------------------------------------------------------------------

CRATE_ACTORS: dict[str, ActorRule] = {
    "edit": ActorRule(cap.EDIT_CRATES),
    "delete": ActorRule(cap.DELETE_CRATES),
    "relocate": ActorRule(cap.RELOCATE_CRATES),
    "set_legal_hold": ActorRule(cap.SET_LEGAL_HOLD),
    "request_withdrawal": ActorRule(cap.RAISE_REQUESTS),
    "request_destruction": ActorRule(cap.RAISE_REQUESTS),
    "request_transfer": ActorRule(cap.RAISE_REQUESTS),
}
CRATE_ACTIONS = tuple(CRATE_ACTORS)
# The crate actions that raise a request, and its type.
CRATE_REQUEST_TYPES = {
    "request_withdrawal": RequestType.WITHDRAWAL,
    "request_destruction": RequestType.DESTRUCTION,
    "request_transfer": RequestType.TRANSFER,
}

# What the request workflow needs to know about a crate, annotated by the crate selectors
# (`apps.crates.selectors.with_request_facts`) and read here:
#   frozen_by          the number of a submitted or approved request it is in, or None
#   has_open_items     anything of it (whole or a document) is in an open request or out
#   out_whole          it is in an open request taken whole
#   was_requested      it was ever part of a request
REQUEST_FACTS = ("frozen_by", "has_open_items", "out_whole", "was_requested")


def crate_state_refusal(crate: Any, action: str, *, today: Any = None) -> ApplicationError | None:
    """Why `action` is not possible on `crate` in its current state (409), or None.

    Needs the REQUEST_FACTS annotated on `crate`."""
    label = f"Crate {crate.number}"
    if action in CRATE_REQUEST_TYPES:
        if not CRATE_TABLE.allows(crate.status, CRATE_MOVE_OF_REQUEST[CRATE_REQUEST_TYPES[action]]):
            return _conflict(f"{label} is {crate.status}, not stored.")
        if action == "request_withdrawal" and crate.out_whole:
            return _conflict(f"{label} is already in an open request.")
        if action in {"request_destruction", "request_transfer"} and crate.has_open_items:
            return _conflict(f"{label} has documents out or is in an open request.")
        if action == "request_destruction":
            reasons = rules.destruction_refusals(crate, today=today)
            if reasons:
                return _conflict(" ".join(reasons))
        return None
    refusal = CRATE_TABLE.refusal(crate.status, action, label=label)
    if refusal is not None:
        return refusal
    if action in {"edit", "delete"} and crate.frozen_by is not None:
        return _conflict(
            f"{crate.number} is in request {crate.frozen_by}, submitted or approved: it cannot change until the "
            "request is decided or executed."
        )
    if action == "delete" and crate.was_requested:
        return ApplicationError(f"{crate.number} is part of a request and cannot be deleted.", code="conflict")
    if action == "delete" and rules.is_on_hold(crate):
        return ApplicationError(f"{crate.number} is under legal hold and cannot be deleted.", code="conflict")
    return None


def _conflict(message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_transition")


def check_crate(crate: Any, action: str) -> None:
    refusal = crate_state_refusal(crate, action)
    if refusal is not None:
        raise refusal


def crate_allowed_actions(user: Any, crate: Any, *, actions: Iterable[str] = CRATE_ACTIONS) -> list[str]:
    """What `user` may do with `crate` now (needs the REQUEST_FACTS annotated)."""
    return crate_allowed_actions_for(user, actions=actions)(crate)


def crate_allowed_actions_for(user: Any, *, actions: Iterable[str] = CRATE_ACTIONS) -> Callable[[Any], list[str]]:
    """`crate_allowed_actions(user, crate)` for each crate of a list. Who may act on a crate
    depends on the user and the crate's unit only (no crate rule names a person), so it is asked
    once per unit, not for every row and action; the state is asked of each crate."""
    today = timezone.localdate()
    wanted = tuple(actions)
    if any(CRATE_ACTORS[action].only_by or CRATE_ACTORS[action].never_by for action in wanted):
        raise ValueError("a crate rule that names a person cannot be asked once per unit")
    by_unit: dict[Any, list[str]] = {}

    def allowed(crate: Any) -> list[str]:
        permitted = by_unit.get(crate.unit_id)
        if permitted is None:
            permitted = [action for action in wanted if actor_refusal(CRATE_ACTORS[action], user, crate) is None]
            by_unit[crate.unit_id] = permitted
        return [action for action in permitted if crate_state_refusal(crate, action, today=today) is None]

    return allowed


# --- Users (docs/roles.md: a Unit Admin manages their own unit, never a System Administrator) ---

# What a user's read offers its manager (`allowed_actions`), in display order.
USER_ACTIONS = ("edit", "deactivate", "unlock")


def user_management_refusal(actor: Any, target: Any) -> ApplicationError | None:
    """Why `actor` may not change `target` (404 another unit's user, 403 a System
    Administrator changed by anyone else), or None. The capability itself is the view's check."""
    if not belongs_to_unit(actor, target.unit_id):
        return ApplicationError("User not found.", code="not_found")
    if target.is_system_admin and not actor.is_system_admin:
        return ApplicationError(
            "Only a System Administrator can change a System Administrator.", code="permission_denied"
        )
    return None


def user_allowed_actions(actor: Any, target: Any) -> list[str]:
    """What `actor` may do with the account `target` now."""
    if not actor.has_perm(cap.MANAGE_USERS) or user_management_refusal(actor, target) is not None:
        return []
    actions = ["edit"]
    if target.is_active and target.pk != actor.pk:
        actions.append("deactivate")
    if target.is_locked and actor.has_perm(cap.UNLOCK_USERS):
        actions.append("unlock")
    return actions


# --- Inventory counts (docs/workflows.md, "Cycle counts") -----------------------------------

_COUNTER = ActorRule(cap.COUNT_CRATES, role_message="Your role does not allow counting crates.")
COUNT_ACTORS: dict[str, ActorRule] = {
    "scan": _COUNTER,
    "submit": _COUNTER,
    "cancel": _COUNTER,
    "review": ActorRule(
        cap.REVIEW_COUNTS,
        never_by="counted_by",
        never_by_message="Whoever counted cannot review the count.",
        role_message="Your role does not allow reviewing counts.",
    ),
}
COUNT_ACTIONS = tuple(COUNT_ACTORS)
COUNTER_REVIEWS_MESSAGE = "Whoever counted cannot review the count."


def count_refusal(user: Any, count: Any, action: str, *, scanner_ids: Iterable[int] = ()) -> ApplicationError | None:
    """Why `user` may not take `action` on `count` (role, unit; a reviewer who opened or
    scanned the count: segregation of duties), or None."""
    refusal = actor_refusal(COUNT_ACTORS[action], user, count)
    if refusal is None and action == "review" and user.pk in set(scanner_ids):
        refusal = ApplicationError(COUNTER_REVIEWS_MESSAGE, code="segregation_of_duties")
    return refusal


def check_count(user: Any, count: Any, action: str, *, scanner_ids: Iterable[int] = ()) -> str:
    """Guard of every count transition: state first (409), then who may act (403)."""
    to_status = COUNT_TABLE.next_state(count.status, action, label=f"Count {count.number}")
    refusal = count_refusal(user, count, action, scanner_ids=scanner_ids)
    if refusal is not None:
        raise refusal
    return to_status


def count_allowed_actions(user: Any, count: Any, *, scanner_ids: Iterable[int] = ()) -> list[str]:
    scanners = set(scanner_ids)
    return [
        action
        for action in COUNT_ACTIONS
        if COUNT_TABLE.allows(count.status, action) and count_refusal(user, count, action, scanner_ids=scanners) is None
    ]


# --- Awaiting action (a named rule) ---------------------------------------------------------

# What may wait for a user: requests to approve, execute or receive, send-backs to receive.
AWAITED_REQUEST_ACTIONS = ("approve", "execute", "receive")


def awaiting_action(user: Any, obj: Any, action: str) -> bool:
    """`obj` (a request, or a send-back for "receive_sendback") waits for `user` to take `action`."""
    if action == "receive_sendback":
        return "receive" in sendback_allowed_actions(user, obj)
    return action in AWAITED_REQUEST_ACTIONS and may_act_on_request(user, obj, action)


def awaiting_action_q(user: Any, action: str) -> Q:
    """`awaiting_action` as a filter: on requests, or on send-backs for "receive_sendback"."""
    if action == "receive_sendback":
        return sendback_actionable_q(user, "receive")
    if action not in AWAITED_REQUEST_ACTIONS:
        return NOTHING
    return request_actionable_q(user, action)
