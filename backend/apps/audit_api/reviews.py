"""Periodic audit-trail reviews (EU GMP Annex 11 §9; docs/audit.md, "Audit-trail reviews").

An Approver or a System Administrator records, with an e-signature (meaning `audit_reviewed`),
that they reviewed the events of a date range: of their unit, or for a System Administrator
of one unit or of all units. The review keeps how many events the range held and the chain
head at review time, so it names exactly which chain was reviewed.

As every signed action: the signer is verified *before* the business transaction (a refused
signature changes nothing and its audit event is kept; wrong passwords count toward the signing
lockout), and the signature is written inside it, after the review.
"""

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from apps.audit import services as audit
from apps.audit.models import AuditChainHead, AuditEvent, AuditReview
from apps.auth.models import Unit
from apps.auth.permissions import scope_to_unit
from apps.core.errors import ApplicationError, field_error
from apps.core.numbering import next_number
from apps.policy import capabilities as cap
from apps.signatures import services as signatures

REVIEW_FIELDS = [
    "number",
    "unit",
    "period_from",
    "period_to",
    "comment",
    "events_reviewed",
    "first_sequence",
    "last_sequence",
    "chain_head_sequence",
    "chain_head_hash",
]


def reviews_for(user: Any) -> QuerySet[AuditReview]:
    """Reviews the user may read: all for a System Administrator, else their unit's."""
    return scope_to_unit(AuditReview.objects.select_related("unit", "reviewed_by").prefetch_related("signatures"), user)


def events_in_range(*, unit: Unit | None, period_from: datetime.date, period_to: datetime.date) -> Any:
    """The events a review of `unit` (None: every unit) over the dates covers (local dates,
    as the audit screen's date filters read them)."""
    events = AuditEvent.objects.filter(timestamp__date__gte=period_from, timestamp__date__lte=period_to)
    return events if unit is None else events.filter(unit=unit)


def _review_unit(actor: Any, unit: Unit | None) -> Unit | None:
    if actor.is_system_admin:
        return unit
    if actor.unit_id is None or (unit is not None and unit.pk != actor.unit_id):
        raise field_error("unit", "You can review only your own unit's audit trail.")
    return actor.unit


def _check_range(period_from: datetime.date, period_to: datetime.date) -> None:
    if period_to < period_from:
        raise field_error("to", "The end of the range is before its start.")
    if period_to > timezone.localdate():
        raise field_error("to", "A review cannot cover days still to come.")


def audit_review_record(
    *,
    actor: Any,
    period_from: datetime.date,
    period_to: datetime.date,
    comment: str,
    password: str,
    unit: Unit | None = None,
) -> AuditReview:
    """Record an e-signed review of the audit trail of `unit` over the dates (inclusive)."""
    if not actor.has_perm(cap.REVIEW_AUDIT):
        raise ApplicationError("Your role does not allow reviewing the audit trail.", code="permission_denied")
    comment = (comment or "").strip()
    if not comment:
        raise field_error("comment", "Say what you reviewed and what you found.")
    _check_range(period_from, period_to)
    review_unit = _review_unit(actor, unit)
    signatures.verify_signer(actor=actor, password=password, meaning=signatures.Meaning.AUDIT_REVIEWED)
    with transaction.atomic():
        # The head is locked until commit: no event is appended between the count and the
        # head the review records, so the two describe the same chain.
        AuditChainHead.objects.bulk_create([AuditChainHead(id=1)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(id=1)
        in_range = events_in_range(unit=review_unit, period_from=period_from, period_to=period_to).aggregate(
            first=Min("sequence"), last=Max("sequence")
        )
        count = events_in_range(unit=review_unit, period_from=period_from, period_to=period_to).count()
        year = timezone.localdate().year
        review = AuditReview.objects.create(
            number=f"AR-{year}-{next_number(f'AR-{year}'):04d}",
            unit=review_unit,
            period_from=period_from,
            period_to=period_to,
            comment=comment,
            reviewed_by=actor,
            reviewed_at=timezone.now(),
            events_reviewed=count,
            first_sequence=in_range["first"],
            last_sequence=in_range["last"],
            chain_head_sequence=head.last_sequence,
            chain_head_hash=head.last_hash,
        )
        audit.record(
            action="audit.reviewed",
            instance=review,
            unit_id=review.unit_id,
            changes=audit.created_changes(review, REVIEW_FIELDS),
            comment=comment,
            actor=actor,
        )
        signatures.sign(
            actor=actor,
            meaning=signatures.Meaning.AUDIT_REVIEWED,
            subject=review,
            content={
                "unit": review_unit.code if review_unit else None,
                "from": period_from,
                "to": period_to,
                "events_reviewed": count,
                "first_sequence": review.first_sequence,
                "last_sequence": review.last_sequence,
                "chain_head": {"sequence": review.chain_head_sequence, "hash": review.chain_head_hash},
            },
            comment=comment,
            unit_id=review.unit_id,
        )
    return review
