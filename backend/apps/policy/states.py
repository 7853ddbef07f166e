"""Status enums and state tables: `(state, action) -> next state`, one table per entity.

A service guards a transition with `TABLE.next_state(current, action)` (409 invalid_transition
when the pair is not in the table); `allowed_actions` asks `TABLE.allows(current, action)`. A
new entity (an inventory count, say) adds its enum and one `StateTable`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from django.db import models

from apps.core.errors import ApplicationError, invalid_transition


class RequestType(models.TextChoices):
    STORAGE = "storage", "Storage"
    WITHDRAWAL = "withdrawal", "Withdrawal"
    DESTRUCTION = "destruction", "Destruction"
    TRANSFER = "transfer", "Transfer"


class RequestStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"
    ISSUED = "issued", "Issued"
    IN_TRANSIT = "in_transit", "In transit"
    COMPLETED = "completed", "Completed"


class SendBackStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RECEIVED = "received", "Received"


class CrateStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    STORED = "stored", "Stored"
    WITHDRAWN = "withdrawn", "Withdrawn"
    IN_TRANSIT = "in_transit", "In transit"
    DESTROYED = "destroyed", "Destroyed"
    # Marked missing by a reviewed inventory count; a later count or a relocation that finds
    # it stores it again (docs/workflows.md, "Cycle counts").
    MISSING = "missing", "Missing"


class CountStatus(models.TextChoices):
    OPEN = "open", "Open"
    SUBMITTED = "submitted", "Submitted"
    REVIEWED = "reviewed", "Reviewed"
    CANCELLED = "cancelled", "Cancelled"


class ImportStatus(models.TextChoices):
    VALIDATING = "validating", "Validating"
    VALIDATED = "validated", "Validated"
    INVALID = "invalid", "Invalid"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


@dataclass(frozen=True)
class StateTable:
    """The transitions of one entity. `verbs` gives each action's past participle, for messages
    ("… cannot be approved") and for event names (`crate.withdrawn`)."""

    entity: str
    states: tuple[str, ...]
    transitions: Mapping[tuple[str, str], str]
    verbs: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def actions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(action for _, action in self.transitions))

    def allows(self, state: str, action: str) -> bool:
        return (state, action) in self.transitions

    def from_states(self, action: str) -> frozenset[str]:
        return frozenset(state for state, name in self.transitions if name == action)

    def verb(self, action: str) -> str:
        return self.verbs.get(action, action)

    def next_state(self, state: str, action: str, *, label: str | None = None) -> str:
        """The state `action` leads to from `state`; 409 invalid_transition if none."""
        refusal = self.refusal(state, action, label=label)
        if refusal is not None:
            raise refusal
        return self.transitions[(state, action)]

    def refusal(self, state: str, action: str, *, label: str | None = None) -> ApplicationError | None:
        """Why `action` is not possible from `state` (409 invalid_transition), or None: returned,
        not raised, for a list that asks it of every row and action."""
        if (state, action) in self.transitions:
            return None
        if action not in self.verbs:
            raise ValueError(f"unknown {self.entity} action {action!r}")
        label = label or f"The {self.entity}"
        if action not in self.actions:
            return invalid_transition(f"{label} cannot be {self.verb(action)}.")
        return invalid_transition(f"{label} is {state}; it cannot be {self.verb(action)}.")


# --- Requests: one table per request type ---------------------------------------------------

_RS = RequestStatus
_REQUEST_VERBS = {
    "edit": "edited",
    "delete": "deleted",
    "submit": "submitted",
    "approve": "approved",
    "reject": "rejected",
    "cancel": "cancelled",
    "execute": "executed",
    "receive": "received",
    "create_sendback": "sent back",
    "request_extension": "given a later return date",
    "complete_return": "completed",
}
_DRAFT_AND_DECISION: dict[tuple[str, str], str] = {
    (_RS.DRAFT, "edit"): _RS.DRAFT,
    # Deleting removes the draft; the table only says from where.
    (_RS.DRAFT, "delete"): _RS.DRAFT,
    (_RS.DRAFT, "submit"): _RS.SUBMITTED,
    (_RS.DRAFT, "cancel"): _RS.CANCELLED,
    (_RS.SUBMITTED, "cancel"): _RS.CANCELLED,
    (_RS.SUBMITTED, "approve"): _RS.APPROVED,
    (_RS.SUBMITTED, "reject"): _RS.REJECTED,
}
_AFTER_APPROVAL: dict[str, dict[tuple[str, str], str]] = {
    RequestType.STORAGE: {(_RS.APPROVED, "execute"): _RS.COMPLETED},
    RequestType.WITHDRAWAL: {
        (_RS.APPROVED, "execute"): _RS.ISSUED,
        # Send-backs are raised against an issued withdrawal, which stays issued ...
        (_RS.ISSUED, "create_sendback"): _RS.ISSUED,
        # The requester may ask for a later return date while the items are out.
        (_RS.ISSUED, "request_extension"): _RS.ISSUED,
        # ... until the receipt of the last item completes it.
        (_RS.ISSUED, "complete_return"): _RS.COMPLETED,
    },
    RequestType.DESTRUCTION: {(_RS.APPROVED, "execute"): _RS.COMPLETED},
    RequestType.TRANSFER: {
        (_RS.APPROVED, "execute"): _RS.IN_TRANSIT,
        (_RS.IN_TRANSIT, "receive"): _RS.COMPLETED,
    },
}
REQUEST_TABLES: dict[str, StateTable] = {
    request_type: StateTable(
        entity=f"{request_type} request",
        states=tuple(RequestStatus.values),
        transitions={**_DRAFT_AND_DECISION, **_AFTER_APPROVAL[request_type]},
        verbs=_REQUEST_VERBS,
    )
    for request_type in RequestType.values
}

# A crate in a submitted or approved request is frozen: what was approved is what gets moved.
FROZEN_REQUEST_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.APPROVED)


# --- Send-backs -----------------------------------------------------------------------------

SENDBACK_TABLE = StateTable(
    entity="send-back",
    states=tuple(SendBackStatus.values),
    transitions={(SendBackStatus.PENDING, "receive"): SendBackStatus.RECEIVED},
    verbs={"receive": "received"},
)


# --- Return-date extensions (docs/workflows.md) ---------------------------------------------


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


EXTENSION_TABLE = StateTable(
    entity="extension",
    states=tuple(ExtensionStatus.values),
    transitions={
        (ExtensionStatus.PENDING, "approve"): ExtensionStatus.APPROVED,
        (ExtensionStatus.PENDING, "reject"): ExtensionStatus.REJECTED,
    },
    verbs={"approve": "approved", "reject": "rejected"},
)


# --- Crates ---------------------------------------------------------------------------------

_CS = CrateStatus
CRATE_TABLE = StateTable(
    entity="crate",
    states=tuple(CrateStatus.values),
    transitions={
        # Moves made by the request workflow (storage, withdrawal, destruction, transfer,
        # transfer receipt) and by a send-back's receipt.
        (_CS.DRAFT, "store"): _CS.STORED,
        (_CS.STORED, "withdraw"): _CS.WITHDRAWN,
        (_CS.WITHDRAWN, "return"): _CS.STORED,
        (_CS.STORED, "destroy"): _CS.DESTROYED,
        (_CS.STORED, "dispatch"): _CS.IN_TRANSIT,
        (_CS.IN_TRANSIT, "receive"): _CS.STORED,
        # Actions on the crate itself that keep its status.
        (_CS.DRAFT, "edit"): _CS.DRAFT,
        (_CS.DRAFT, "delete"): _CS.DRAFT,
        (_CS.STORED, "relocate"): _CS.STORED,
        # A reviewed count marks an expected crate that nobody found; finding it again (a later
        # count's review, or relocating it to where it turned up) stores it.
        (_CS.STORED, "mark_missing"): _CS.MISSING,
        (_CS.MISSING, "find"): _CS.STORED,
        (_CS.MISSING, "relocate"): _CS.STORED,
        **{(state, "set_legal_hold"): state for state in CrateStatus.values if state != _CS.DESTROYED},
    },
    verbs={
        "store": "stored",
        "withdraw": "withdrawn",
        "return": "returned",
        "destroy": "destroyed",
        "dispatch": "dispatched",
        "receive": "received",
        "edit": "edited",
        "delete": "deleted",
        "relocate": "relocated",
        "mark_missing": "marked missing",
        "find": "found",
        "set_legal_hold": "put on or taken off legal hold",
    },
)

# The crate move each request type makes on execution: its items must be in a state that
# allows it (a storage request takes draft crates, the others stored ones).
CRATE_MOVE_OF_REQUEST: dict[str, str] = {
    RequestType.STORAGE: "store",
    RequestType.WITHDRAWAL: "withdraw",
    RequestType.DESTRUCTION: "destroy",
    RequestType.TRANSFER: "dispatch",
}


# --- Inventory counts (docs/workflows.md, "Cycle counts") -----------------------------------

_CNT = CountStatus
COUNT_TABLE = StateTable(
    entity="count",
    states=tuple(CountStatus.values),
    transitions={
        (_CNT.OPEN, "scan"): _CNT.OPEN,
        (_CNT.OPEN, "submit"): _CNT.SUBMITTED,
        (_CNT.OPEN, "cancel"): _CNT.CANCELLED,
        # A submitted count that turns out wrong may still be abandoned before its review.
        (_CNT.SUBMITTED, "cancel"): _CNT.CANCELLED,
        (_CNT.SUBMITTED, "review"): _CNT.REVIEWED,
    },
    verbs={"scan": "scanned", "submit": "submitted", "cancel": "cancelled", "review": "reviewed"},
)

# --- Legacy imports (docs/workflows.md, "Legacy inventory import") ---------------------------

_IS = ImportStatus
IMPORT_TABLE = StateTable(
    entity="import",
    states=tuple(ImportStatus.values),
    transitions={
        (_IS.VALIDATING, "validate"): _IS.VALIDATED,
        (_IS.VALIDATING, "reject"): _IS.INVALID,
        (_IS.VALIDATED, "commit"): _IS.IMPORTING,
        # The commit re-checks every row under lock: what changed since (a shelf filled up)
        # makes the import invalid again, or a failure leaves it failed; nothing half-done.
        (_IS.IMPORTING, "reject"): _IS.INVALID,
        (_IS.IMPORTING, "finish"): _IS.DONE,
        (_IS.IMPORTING, "fail"): _IS.FAILED,
        (_IS.VALIDATING, "fail"): _IS.FAILED,
    },
    verbs={
        "validate": "validated",
        "reject": "rejected",
        "commit": "committed",
        "finish": "finished",
        "fail": "failed",
    },
)
