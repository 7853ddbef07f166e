"""Named rules, each written once and offered as a check on an object and as a `Q`.

`tests/policy` runs both forms on the same rows and asserts they agree.
(`awaiting_action` lives in `apps.policy.access`: it is a rule about who may act.)
"""

import datetime
from typing import Any

from django.apps import apps
from django.db.models import CharField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from apps.policy.states import CrateStatus, RequestStatus, RequestType


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


# --- On legal hold: covered by an active legal hold case (docs/domain.md) -------------------
#
# The policy layer sits below the domain apps and imports none of them: it names their tables
# by app label. A hold covers a crate when the crate is one of its explicit crates, or when the
# hold is filter-scoped and the crate matches every filter it has: its unit, its department,
# and one document matching both the document type and the record-date range. The filters are
# evaluated when the question is asked, so a hold also covers crates created after it.


def _model(name: str) -> Any:
    return apps.get_model("retention" if name == "LegalHold" else "crates", name)


def _covering_holds(crate: Any, unit: Any, department: Any, *, active_only: bool = True) -> Any:
    """LegalHold rows (active ones only by default) covering a crate given as values or as
    OuterRefs to a crate row."""
    inner_crate = OuterRef(crate) if isinstance(crate, OuterRef) else crate
    # NULL filters match anything: COALESCE(filter, the document's own value).
    matching_document = _model("Document").objects.filter(
        crate=inner_crate,
        document_type=Coalesce(OuterRef("document_type"), F("document_type")),
        record_date__gte=Coalesce(OuterRef("record_date_from"), F("record_date")),
        record_date__lte=Coalesce(OuterRef("record_date_to"), F("record_date")),
    )
    no_document_filter = Q(document_type__isnull=True, record_date_from__isnull=True, record_date_to__isnull=True)
    by_filter = (
        Q(by_filter=True)
        & (Q(unit__isnull=True) | Q(unit=unit))
        & (Q(department__isnull=True) | Q(department=department))
        & (no_document_filter | Q(Exists(matching_document)))
    )
    explicit = _model("LegalHold").crates.through.objects.filter(legalhold=OuterRef("pk"), crate=inner_crate)
    holds = _model("LegalHold").objects.filter(Q(Exists(explicit)) | by_filter)
    return holds.filter(status="active") if active_only else holds


def on_hold_q(*, crate: str = "") -> Q:
    """Crates covered by at least one active legal hold; with `crate` (e.g. "crate"), the rows of
    another table whose crate is."""
    if not crate:
        return Q(Exists(_covering_holds(OuterRef("pk"), OuterRef("unit"), OuterRef("department"))))
    return Q(Exists(_covering_holds(OuterRef(crate), OuterRef(f"{crate}__unit"), OuterRef(f"{crate}__department"))))


def covered_by_hold_q(hold_id: int) -> Q:
    """Crates that the hold `hold_id` covers by its scope (whatever its status: a released
    hold's page still lists what it held)."""
    holds = _covering_holds(OuterRef("pk"), OuterRef("unit"), OuterRef("department"), active_only=False)
    return Q(Exists(holds.filter(pk=hold_id)))


def covering_hold_reason() -> Subquery:
    """For a crate queryset's annotation: "<number>: <reason>" of the first active hold covering
    the crate (by number), or None."""
    holds = _covering_holds(OuterRef("pk"), OuterRef("unit"), OuterRef("department")).order_by("number")
    label = Concat(F("number"), Value(": "), F("reason"), output_field=CharField())
    return Subquery(holds.annotate(label=label).values("label")[:1])


def covering_holds(crate: Any) -> Any:
    """The active holds covering `crate` (a queryset of LegalHold, for the crate's read)."""
    return _covering_holds(crate.pk, crate.unit_id, crate.department_id)


def is_on_hold(crate: Any) -> bool:
    """`crate` is covered by an active hold. Reads the `legal_hold` annotation of the crate
    selectors when present; otherwise asks the database now — services ask after locking the
    crate, in a statement of their own, so a hold committed while they waited is seen."""
    annotated = getattr(crate, "legal_hold", None)
    if annotated is not None:
        return bool(annotated)
    return bool(covering_holds(crate).exists())


# --- Due for destruction: stored, retention reached, not on hold (docs/domain.md) ------------
#
# A crate whose retention_until is None (a document waits for its retention event) is never due.


def destruction_refusals(crate: Any, *, today: datetime.date | None = None) -> list[str]:
    """Why `crate` is not due for destruction ([] when it is)."""
    label = f"Crate {crate.number}"
    if crate.status != CrateStatus.STORED:
        return [f"{label} is {crate.status}, not stored."]
    reasons = []
    if is_on_hold(crate):
        reasons.append(f"{label} is under legal hold.")
    if crate.retention_until is None:
        reasons.append(f"{label} waits for a retention event of its documents; it cannot be destroyed.")
    elif crate.retention_until > _today(today):
        reasons.append(f"{label} is retained until {crate.retention_until}; it cannot be destroyed yet.")
    return reasons


def is_due_for_destruction(crate: Any, *, today: datetime.date | None = None) -> bool:
    return not destruction_refusals(crate, today=today)


def due_for_destruction_q(*, today: datetime.date | None = None) -> Q:
    return Q(status=CrateStatus.STORED, retention_until__lte=_today(today)) & ~on_hold_q()


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
