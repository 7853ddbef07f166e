"""Named rules, each written once and offered as a check on an object and as a `Q`.

`tests/policy` runs both forms on the same rows and asserts they agree.
(`awaiting_action` lives in `apps.policy.access`: it is a rule about who may act.)
"""

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from apps.policy.states import CrateStatus, RequestStatus, RequestType


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


# --- Due for destruction: stored, retention reached, no legal hold (docs/domain.md) ----------


def destruction_refusals(crate: Any, *, today: datetime.date | None = None) -> list[str]:
    """Why `crate` is not due for destruction ([] when it is)."""
    label = f"Crate {crate.number}"
    if crate.status != CrateStatus.STORED:
        return [f"{label} is {crate.status}, not stored."]
    reasons = []
    if crate.legal_hold:
        reasons.append(f"{label} is under legal hold.")
    if crate.retention_until is None or crate.retention_until > _today(today):
        reasons.append(f"{label} is retained until {crate.retention_until}; it cannot be destroyed yet.")
    return reasons


def is_due_for_destruction(crate: Any, *, today: datetime.date | None = None) -> bool:
    return not destruction_refusals(crate, today=today)


def due_for_destruction_q(*, today: datetime.date | None = None) -> Q:
    return Q(status=CrateStatus.STORED, retention_until__lte=_today(today), legal_hold=False)


# --- Overdue: an issued withdrawal past its expected return date ----------------------------


def is_overdue(request: Any, *, today: datetime.date | None = None) -> bool:
    return (
        request.request_type == RequestType.WITHDRAWAL
        and request.status == RequestStatus.ISSUED
        and request.expected_return_date is not None
        and request.expected_return_date < _today(today)
    )


def overdue_q(*, today: datetime.date | None = None) -> Q:
    return Q(
        request_type=RequestType.WITHDRAWAL,
        status=RequestStatus.ISSUED,
        expected_return_date__lt=_today(today),
    )


# --- In custody: an item taken out by an issued withdrawal and not yet back ------------------


def in_custody_q(prefix: str = "") -> Q:
    """Request items out with their requester (docs/workflows.md, "Custody"): open items of
    an issued withdrawal. `prefix` reaches the item from another model (`"request_item__"`)."""
    return Q(
        **{
            f"{prefix}is_open": True,
            f"{prefix}request__request_type": RequestType.WITHDRAWAL,
            f"{prefix}request__status": RequestStatus.ISSUED,
        }
    )


def custody_overdue_q(*, today: datetime.date | None = None) -> Q:
    """The overdue rule (`overdue_q`) seen from a request item."""
    return in_custody_q() & Q(request__expected_return_date__lt=_today(today))
