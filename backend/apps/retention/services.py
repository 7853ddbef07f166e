"""Retention beyond the crate (docs/domain.md, docs/workflows.md): retention events, schedule
changes recomputed in the background, legal hold cases and the disposition review's extension.

Signed actions (a shortened schedule, placing and releasing a hold, an extension) verify the
signer *before* the business transaction (`signatures.verify_signer`: a refused signature
changes nothing and its audit event is kept) and sign inside it, after the change.

Lock order, the same as the request workflow's (apps.requests.services): a hold row, then
crates in id order, then documents; the audit chain head is always taken last (by
`audit.record`). A hold placed while a destruction of a covered crate is approved or executed
queues on the crate's row lock: whichever commits first wins, and the other sees its effect
(the approval or execution re-checks holds in a statement after its lock, so it refuses; a
hold placed after the execution covers a crate already destroyed).
"""

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Case, DateField, Exists, F, Max, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from apps.audit import services as audit
from apps.auth.models import Department, Unit
from apps.core import broadcast, domain_signals, readcache
from apps.core.errors import ApplicationError, field_error, invalid_transition
from apps.core.numbering import next_number
from apps.crates import services as crates
from apps.crates.models import Crate, Document, DocumentType
from apps.policy import access, reasons, rules
from apps.policy import capabilities as cap
from apps.policy.states import CrateStatus
from apps.retention.models import LegalHold, RetentionRecompute
from apps.signatures import services as signatures

Meaning = signatures.Meaning
EVENT = DocumentType.RetentionTrigger.EVENT
RECORD_DATE = DocumentType.RetentionTrigger.RECORD_DATE

HOLD_FIELDS = [
    "number",
    "title",
    "reason",
    "unit",
    "by_filter",
    "department",
    "document_type",
    "record_date_from",
    "record_date_to",
    "status",
]
# Crates whose documents a background recompute rewrites in one transaction.
RECOMPUTE_CHUNK_CRATES = 200


_reason = reasons.given_reason


def _require(actor: Any, capability: str, message: str) -> None:
    if not actor.has_perm(capability):
        raise ApplicationError(message, code="permission_denied")


# --- Retention events -----------------------------------------------------------------------


def retention_event_record(
    *,
    actor: Any,
    document_type: DocumentType,
    event_date: datetime.date,
    documents: list[int],
    reason: str,
) -> list[Document]:
    """Record the retention event of an event-triggered type for many documents at once: each
    gets `trigger_date` and its retention, and their crates are recomputed. 400 naming the
    document for a document of another type or unit, destroyed, or recorded before its record
    date; an event date in the future is a 400 on `event_date`. All or nothing."""
    _require(actor, cap.RECORD_RETENTION_EVENTS, "Your role does not allow recording retention events.")
    reason = _reason(reason)
    if document_type.retention_trigger != EVENT:
        raise field_error("document_type", f"{document_type.code} is kept from the record date, not from an event.")
    if event_date > timezone.localdate():
        raise field_error("event_date", "The event date cannot be in the future.")
    ids = sorted({int(pk) for pk in documents})
    if not ids:
        raise field_error("documents", "Choose at least one document.")
    with transaction.atomic():
        found = {
            document.pk: document
            for document in Document.objects.filter(pk__in=ids).select_related("crate", "document_type")
        }
        problems = []
        for pk in ids:
            document = found.get(pk)
            if document is None or not access.belongs_to_unit(actor, document.crate.unit_id):
                problems.append(f"Document {pk} is not a document of your unit.")
                continue
            label = f"Document {document.number} ({document.crate.number})"
            if document.document_type_id != document_type.pk:
                problems.append(f"{label} is a {document.document_type.code}, not a {document_type.code}.")
            elif document.status == Document.Status.DESTROYED:
                problems.append(f"{label} is destroyed.")
            elif event_date < document.record_date:
                problems.append(f"{label}: the event date is before its record date {document.record_date}.")
        if problems:
            raise ApplicationError(problems[0], fields={"documents": problems})
        locked_crates = crates.lock_crates(document.crate_id for document in found.values())
        locked = list(Document.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        for document in locked:
            before = audit.snapshot(document, crates.DOCUMENT_FIELDS)
            document.trigger_date = event_date
            document.retention_until = crates.document_retention_until(
                record_date=document.record_date, document_type=document_type, trigger_date=event_date
            )
            document.save(update_fields=["trigger_date", "retention_until", "updated_at"])
            changes = audit.changes_between(before, audit.snapshot(document, crates.DOCUMENT_FIELDS))
            audit.record(
                action="document.retention_event_recorded",
                instance=document,
                unit_id=locked_crates[document.crate_id].unit_id,
                changes={"event": [None, document_type.event_name], **changes},
                comment=reason,
                actor=actor,
            )
        for crate in locked_crates.values():
            crates.crate_recompute_retention(
                crate=crate, actor=actor, comment=f"{document_type.event_name} recorded: {reason}"
            )
    return locked


# --- Schedule changes -----------------------------------------------------------------------

SCHEDULE_FIELDS = ("retention_years", "retention_trigger")


def is_shortening(document_type: DocumentType, data: dict[str, Any]) -> bool:
    """Fewer years, or an event-triggered type turned back to the record date (documents waiting
    for their event would become due): either may bring destruction nearer."""
    years = data.get("retention_years", document_type.retention_years)
    trigger = data.get("retention_trigger", document_type.retention_trigger)
    return years < document_type.retention_years or (
        document_type.retention_trigger == EVENT and trigger == RECORD_DATE
    )


def _schedule_data(actor: Any, document_type: DocumentType, data: dict[str, Any]) -> dict[str, Any]:
    """The checks every schedule change passes first (who, and an event-triggered type names
    its event); returns `data` with the event name trimmed."""
    _require(actor, cap.MANAGE_DOCUMENT_TYPES, "Only System Administrators change document types.")
    trigger = data.get("retention_trigger", document_type.retention_trigger)
    event_name = (data.get("event_name", document_type.event_name) or "").strip()
    if trigger == EVENT and not event_name:
        raise field_error("event_name", "Name the event that starts the retention (e.g. batch expiry).")
    return {**data, "event_name": event_name} if "event_name" in data else data


def _schedule_changes(before: DocumentType, after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [getattr(before, name), after[name]]
        for name in SCHEDULE_FIELDS
        if name in after and after[name] != getattr(before, name)
    }


def _schedule_signature_content(
    *, code: str, changes: dict[str, list[Any]], event_name: str, documents: int
) -> dict[str, Any]:
    """What the `retention_changed` signature signs besides its envelope (one shape for the
    preview the dialog shows and for the signature itself)."""
    return {"document_type": code, "changes": changes, "event_name": event_name, "documents": documents}


def schedule_change_preview(
    *, actor: Any, document_type: DocumentType, data: dict[str, Any], reason: str = ""
) -> dict[str, Any]:
    """What a schedule change would do, before it is made: the changes, how many documents the
    background recompute goes through, whether it shortens retention (then an e-signature is
    needed) and, if so, exactly what the signature `retention_changed` will sign (without its
    time, which the signing adds). Changes nothing."""
    data = _schedule_data(actor, document_type, data)
    changes = _schedule_changes(document_type, data)
    shortening = bool(changes) and is_shortening(document_type, data)
    documents = Document.objects.filter(document_type=document_type).count()
    content = None
    if shortening:
        content = signatures.preview(
            actor=actor,
            meaning=Meaning.RETENTION_CHANGED,
            subject=document_type,
            content=_schedule_signature_content(
                code=document_type.code,
                changes=changes,
                event_name=data.get("event_name", document_type.event_name),
                documents=documents,
            ),
        )
        # The reason is the signature's comment (see `_document_type_change`).
        content["comment"] = (reason or "").strip()
    return {"changes": changes, "signature_required": shortening, "documents": documents, "content": content}


def document_type_change(
    *, actor: Any, document_type: DocumentType, data: dict[str, Any], reason: str = "", password: str = ""
) -> tuple[DocumentType, RetentionRecompute | None]:
    """Change a document type (System Administrators: document types are company-wide). A
    change of its schedule (retention_years, retention_trigger) needs `reason`, is recomputed
    for every document and crate of the type in the background (returned), and when it
    shortens retention needs the e-signature `retention_changed`."""
    data = _schedule_data(actor, document_type, data)
    schedule_changed = bool(_schedule_changes(document_type, data))
    if schedule_changed:
        reason = _reason(reason)
        if is_shortening(document_type, data):
            signatures.verify_signer(
                actor=actor, password=password, meaning=Meaning.RETENTION_CHANGED, subject=document_type
            )
    return _document_type_change(
        actor=actor, document_type=document_type, data=data, reason=reason.strip(), schedule_changed=schedule_changed
    )


@transaction.atomic
def _document_type_change(
    *, actor: Any, document_type: DocumentType, data: dict[str, Any], reason: str, schedule_changed: bool
) -> tuple[DocumentType, RetentionRecompute | None]:
    old = DocumentType.objects.select_for_update().get(pk=document_type.pk)
    shortening = schedule_changed and is_shortening(old, data)
    before = {name: getattr(old, name) for name in SCHEDULE_FIELDS}
    updated = crates.document_type_update(actor=actor, document_type=old, data=data, reason=reason)
    if not schedule_changed:
        return updated, None
    changes = {
        name: [before[name], getattr(updated, name)]
        for name in SCHEDULE_FIELDS
        if before[name] != getattr(updated, name)
    }
    recompute = RetentionRecompute.objects.create(
        document_type=updated,
        requested_by=actor,
        reason=reason,
        changes=changes,
        total=Document.objects.filter(document_type=updated).count(),
    )
    if shortening:
        signatures.sign(
            actor=actor,
            meaning=Meaning.RETENTION_CHANGED,
            subject=updated,
            content=_schedule_signature_content(
                code=updated.code, changes=changes, event_name=updated.event_name, documents=recompute.total
            ),
            comment=reason,
            unit_id=None,
        )
    # apps.retention.signals queues the recompute once this commits.
    domain_signals.retention_recompute_requested.send_on_commit(sender=RetentionRecompute, recompute=recompute)
    return updated, recompute


def _push(recompute: RetentionRecompute) -> None:
    broadcast.send_now(
        [broadcast.user_group(recompute.requested_by_id)],
        {
            "type": "retention.progress",
            "id": recompute.pk,
            "document_type": recompute.document_type_id,
            "status": recompute.status,
            "done": recompute.done,
            "total": recompute.total,
            "user": recompute.requested_by_id,
        },
    )


def _crate_retention_expression() -> Any:
    """crate.retention_until from its documents in SQL (`crates.crate_retention_until`): None
    while a document waits for its event, else the latest document retention or the extension."""
    documents = Document.objects.filter(crate=OuterRef("pk")).order_by()
    latest = Subquery(documents.values("crate").annotate(latest=Max("retention_until")).values("latest")[:1])
    return Case(
        When(Exists(documents.filter(retention_until__isnull=True)), then=Value(None)),
        default=Greatest(latest, Coalesce(F("retention_extended_until"), latest)),
    )


def _recompute_documents(documents: Any, document_type: DocumentType) -> tuple[int, int]:
    """Set the retention of `documents` (of `document_type`) from its schedule in one UPDATE:
    the new date per distinct base date (record date or event date) is computed once here, by
    the one rule (`crates.document_retention_until`). Returns (documents, how many changed)."""
    base = "trigger_date" if document_type.retention_trigger == EVENT else "record_date"
    dates = {
        day: crates.document_retention_until(record_date=day, document_type=document_type, trigger_date=day)
        for day in documents.order_by().values_list(base, flat=True).distinct()
        if day is not None
    }
    new = Case(
        *[When(**{base: day}, then=Value(until)) for day, until in dates.items()],
        default=Value(None),
        output_field=DateField(),
    )
    count = documents.count()
    unchanged = (
        documents.filter(retention_until=new).count()
        + documents.filter(**{f"{base}__isnull": True}, retention_until__isnull=True).count()
    )
    documents.update(retention_until=new)
    return count, count - unchanged


def retention_recompute_run(*, recompute_id: int) -> RetentionRecompute:
    """Recompute every document of the type and every crate holding one, in chunks of crates
    (each chunk one short transaction: crates locked in id order, then their documents), with
    progress pushed to the requester's socket. Re-running it is harmless (idempotent)."""
    recompute = RetentionRecompute.objects.select_related("document_type").get(pk=recompute_id)
    if recompute.status == RetentionRecompute.Status.DONE:
        return recompute
    document_type = recompute.document_type
    recompute.status = RetentionRecompute.Status.RUNNING
    recompute.done = 0
    recompute.save(update_fields=["status", "done"])
    _push(recompute)
    crate_ids = list(
        Document.objects.filter(document_type=document_type)
        .order_by("crate_id")
        .values_list("crate_id", flat=True)
        .distinct()
    )
    documents_changed = crates_changed = 0
    for start in range(0, len(crate_ids), RECOMPUTE_CHUNK_CRATES):
        chunk = crate_ids[start : start + RECOMPUTE_CHUNK_CRATES]
        with transaction.atomic():
            list(Crate.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk", flat=True))
            documents = Document.objects.filter(crate_id__in=chunk, document_type=document_type)
            count, changed = _recompute_documents(documents, document_type)
            documents_changed += changed
            before = dict(Crate.objects.filter(pk__in=chunk).values_list("pk", "retention_until"))
            Crate.objects.filter(pk__in=chunk).update(retention_until=_crate_retention_expression())
            after = dict(Crate.objects.filter(pk__in=chunk).values_list("pk", "retention_until"))
            crates_changed += sum(1 for pk in chunk if before.get(pk) != after.get(pk))
            recompute.done += count
            RetentionRecompute.objects.filter(pk=recompute.pk).update(done=recompute.done)
        # Bulk updates announce nothing: cached crate and document answers are stale now.
        readcache.bump_all()
        _push(recompute)
    with transaction.atomic():
        recompute.status = RetentionRecompute.Status.DONE
        recompute.total = recompute.done
        recompute.documents_changed = documents_changed
        recompute.crates_changed = crates_changed
        recompute.finished_at = timezone.now()
        recompute.save(update_fields=["status", "total", "documents_changed", "crates_changed", "finished_at"])
        # One event for the whole recompute (docs/audit.md): the schedule change itself was
        # audited with its reason; this records what it changed.
        audit.record(
            action="document_type.retention_recomputed",
            instance=document_type,
            unit_id=None,
            changes={
                "documents": [None, recompute.done],
                "documents_changed": [None, documents_changed],
                "crates_changed": [None, crates_changed],
            },
            comment=recompute.reason,
            actor=recompute.requested_by,
        )
    _push(recompute)
    return recompute


def retention_recompute_fail(*, recompute_id: int, error: BaseException) -> None:
    RetentionRecompute.objects.filter(pk=recompute_id).update(
        status=RetentionRecompute.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
    )
    recompute = RetentionRecompute.objects.get(pk=recompute_id)
    _push(recompute)


# --- Legal holds ----------------------------------------------------------------------------


def _hold_number() -> str:
    year = timezone.localdate().year
    return f"HOLD-{year}-{next_number(f'HOLD-{year}'):04d}"


def _all_unit_ids() -> list[int]:
    return list(Unit.objects.order_by("pk").values_list("pk", flat=True))


def _announce_hold(hold: LegalHold, action: str) -> None:
    broadcast.entity_changed(
        entity="legal_hold",
        action=action,
        obj_id=hold.pk,
        unit_ids=[hold.unit_id] if hold.unit_id else _all_unit_ids(),
        status=hold.status,
        number=hold.number,
    )


def _hold_scope(
    *,
    actor: Any,
    crates_ids: list[int],
    unit: Unit | None,
    department: Department | None,
    document_type: DocumentType | None,
    record_date_from: datetime.date | None,
    record_date_to: datetime.date | None,
) -> tuple[Unit | None, bool, list[Crate]]:
    """Validate a hold's scope (400 naming what is wrong): (its unit, by_filter, explicit crates).

    Staff other than System Administrators hold crates of their own unit only: their holds
    belong to their unit. A System Administrator's hold without a unit is company-wide."""
    by_filter = any(value is not None for value in (unit, department, document_type, record_date_from, record_date_to))
    if not crates_ids and not by_filter:
        raise field_error(
            "scope", "Give the scope of the hold: crates and/or a unit, department, document type or date range."
        )
    if record_date_from and record_date_to and record_date_from > record_date_to:
        raise field_error("record_date_to", "The end of the record date range is before its start.")
    if department is not None:
        if unit is not None and department.unit_id != unit.pk:
            raise field_error("department", "The department belongs to another unit.")
        unit = unit or department.unit
    if not actor.is_system_admin:
        if unit is not None and unit.pk != actor.unit_id:
            raise field_error("unit", "You can only place holds on your own unit's crates.")
        unit = actor.unit
    found = {crate.pk: crate for crate in Crate.objects.filter(pk__in=crates_ids)}
    problems = []
    for pk in dict.fromkeys(crates_ids):
        crate = found.get(pk)
        if crate is None or not access.belongs_to_unit(actor, crate.unit_id):
            problems.append(f"Crate {pk} is not a crate of your unit.")
        elif unit is not None and crate.unit_id != unit.pk:
            problems.append(f"Crate {crate.number} belongs to another unit than the hold.")
        elif crate.status == CrateStatus.DESTROYED:
            problems.append(f"Crate {crate.number} is destroyed.")
    if problems:
        raise ApplicationError(problems[0], fields={"crates": problems})
    if unit is None and crates_ids and not by_filter:
        units = {crate.unit_id for crate in found.values()}
        unit = found[crates_ids[0]].unit if len(units) == 1 else None
    return unit, by_filter, [found[pk] for pk in dict.fromkeys(crates_ids)]


def hold_place(
    *,
    actor: Any,
    title: str,
    reason: str,
    password: str,
    crates: Iterable[int] = (),
    unit: Unit | None = None,
    department: Department | None = None,
    document_type: DocumentType | None = None,
    record_date_from: datetime.date | None = None,
    record_date_to: datetime.date | None = None,
) -> LegalHold:
    """Place a legal hold case (Approver, System Administrator; e-signature `hold_placed`)."""
    fields, explicit = _hold_input(
        actor=actor,
        title=title,
        reason=reason,
        crates=crates,
        unit=unit,
        department=department,
        document_type=document_type,
        record_date_from=record_date_from,
        record_date_to=record_date_to,
    )
    reason = fields["reason"]
    signatures.verify_signer(actor=actor, password=password, meaning=Meaning.HOLD_PLACED)
    with transaction.atomic():
        hold = LegalHold.objects.create(number=_hold_number(), **fields, placed_by=actor, placed_at=timezone.now())
        hold.crates.set([crate.pk for crate in explicit])
        # Lock what the hold covers (id order, as every workflow does): an approval or execution
        # of a destruction of one of these crates now waits for this commit, then sees the hold.
        covered = list(
            Crate.objects.filter(rules.covered_by_hold_q(hold.pk))
            .select_for_update()
            .order_by("pk")
            .values_list("pk", "number", "status")
        )
        # Re-read under the lock: a destruction that committed while this waited wins.
        explicit_ids = {crate.pk for crate in explicit}
        destroyed = [number for pk, number, state in covered if pk in explicit_ids and state == CrateStatus.DESTROYED]
        if destroyed:
            raise field_error("crates", f"Crate {destroyed[0]} is destroyed.")
        changes = audit.created_changes(hold, HOLD_FIELDS)
        changes["crates"] = [None, [crate.number for crate in explicit]]
        changes["covered"] = [None, len(covered)]
        audit.record(action="legal_hold.placed", instance=hold, changes=changes, comment=reason, actor=actor)
        for crate in explicit:
            audit.record(
                action="crate.legal_hold_set",
                instance=crate,
                changes={"legal_hold": [False, True]},
                comment=f"{hold.number}: {reason}",
                actor=actor,
            )
        signatures.sign(
            actor=actor,
            meaning=Meaning.HOLD_PLACED,
            subject=hold,
            content=_hold_content(hold, explicit, covered_count=len(covered)),
            comment=reason,
            unit_id=hold.unit_id,
        )
        _announce_hold(hold, "created")
        for crate in explicit:
            domain_signals.crate_changed.send_on_commit(sender=Crate, crate=crate, action="updated", extra_unit_ids=[])
    return hold


def _hold_input(
    *,
    actor: Any,
    title: str,
    reason: str,
    crates: Iterable[int],
    unit: Unit | None,
    department: Department | None,
    document_type: DocumentType | None,
    record_date_from: datetime.date | None,
    record_date_to: datetime.date | None,
) -> tuple[dict[str, Any], list[Crate]]:
    """A placement's checks (who, title, reason, scope): the hold's fields and its explicit crates."""
    _require(actor, cap.SET_LEGAL_HOLD, "Your role does not allow placing legal holds.")
    title = (title or "").strip()
    if not title:
        raise field_error("title", "Give the hold a title.")
    reason = _reason(reason)
    hold_unit, by_filter, explicit = _hold_scope(
        actor=actor,
        crates_ids=[int(pk) for pk in crates],
        unit=unit,
        department=department,
        document_type=document_type,
        record_date_from=record_date_from,
        record_date_to=record_date_to,
    )
    fields = {
        "title": title,
        "reason": reason,
        "unit": hold_unit,
        "by_filter": by_filter,
        "department": department,
        "document_type": document_type,
        "record_date_from": record_date_from,
        "record_date_to": record_date_to,
    }
    return fields, explicit


class _PreviewDone(Exception):
    pass


def hold_place_preview(
    *,
    actor: Any,
    title: str,
    reason: str,
    crates: Iterable[int] = (),
    unit: Unit | None = None,
    department: Department | None = None,
    document_type: DocumentType | None = None,
    record_date_from: datetime.date | None = None,
    record_date_to: datetime.date | None = None,
) -> dict[str, Any]:
    """What placing this hold would sign (the dialog shows it before the password), checked as
    the placement is. The crates it covers are counted by the one scope rule
    (`rules.covered_by_hold_q`) on the hold written in a savepoint that is rolled back, so
    nothing is kept; its number and time are given at placement (null here)."""
    fields, explicit = _hold_input(
        actor=actor,
        title=title,
        reason=reason,
        crates=crates,
        unit=unit,
        department=department,
        document_type=document_type,
        record_date_from=record_date_from,
        record_date_to=record_date_to,
    )
    preview: dict[str, Any] = {}
    try:
        with transaction.atomic():
            # A number of its own: two previews at once never wait on each other's insert.
            hold = LegalHold.objects.create(
                number=f"PREVIEW-{uuid.uuid4().hex[:12]}", **fields, placed_by=actor, placed_at=timezone.now()
            )
            hold.crates.set([crate.pk for crate in explicit])
            covered = Crate.objects.filter(rules.covered_by_hold_q(hold.pk)).count()
            preview = signatures.preview(
                actor=actor,
                meaning=Meaning.HOLD_PLACED,
                subject=hold,
                content=_hold_content(hold, explicit, covered_count=covered),
            )
            raise _PreviewDone
    except _PreviewDone:
        pass
    # The placement's comment is its reason (`hold_place`).
    return {**preview, "record": {"type": "legalhold", "id": None, "number": None}, "comment": fields["reason"]}


def _hold_content(hold: LegalHold, explicit: list[Crate], *, covered_count: int) -> dict[str, Any]:
    return {
        "title": hold.title,
        "reason": hold.reason,
        "scope": {
            "crates": [crate.number for crate in explicit],
            "unit": hold.unit.code if hold.unit else None,
            "department": hold.department.code if hold.department else None,
            "document_type": hold.document_type.code if hold.document_type else None,
            "record_date_from": hold.record_date_from,
            "record_date_to": hold.record_date_to,
        },
        "covered_crates": covered_count,
    }


def _hold_actor_refusal(actor: Any, hold: LegalHold) -> ApplicationError | None:
    if not actor.has_perm(cap.SET_LEGAL_HOLD):
        return ApplicationError("Your role does not allow releasing legal holds.", code="permission_denied")
    if hold.unit_id is None and not actor.is_system_admin:
        return ApplicationError("Only a System Administrator releases a company-wide hold.", code="permission_denied")
    if not access.belongs_to_unit(actor, hold.unit_id):
        return ApplicationError("Only staff of the hold's unit may release it.", code="permission_denied")
    return None


def hold_allowed_actions(actor: Any, hold: LegalHold) -> list[str]:
    if hold.status == LegalHold.Status.ACTIVE and _hold_actor_refusal(actor, hold) is None:
        return ["release"]
    return []


def _check_release(actor: Any, hold: LegalHold) -> None:
    if hold.status != LegalHold.Status.ACTIVE:
        raise invalid_transition(f"Legal hold {hold.number} is already released.")
    refusal = _hold_actor_refusal(actor, hold)
    if refusal is not None:
        raise refusal


def _hold_release_content(hold: LegalHold, explicit: list[Crate], *, reason: str) -> dict[str, Any]:
    return {"title": hold.title, "release_reason": reason, "crates": [crate.number for crate in explicit]}


def hold_release_preview(*, actor: Any, hold: LegalHold) -> dict[str, Any]:
    """What releasing `hold` would sign (the dialog shows it before the password): the release
    reason and the comment are the reason the signer gives, empty here; the time is added at
    signing. 409 if released, 403 for someone who may not release it, as the release itself."""
    _check_release(actor, hold)
    return signatures.preview(
        actor=actor,
        meaning=Meaning.HOLD_RELEASED,
        subject=hold,
        content=_hold_release_content(hold, list(hold.crates.order_by("pk")), reason=""),
    )


def hold_release(*, actor: Any, hold: LegalHold, reason: str, password: str) -> LegalHold:
    """Release an active hold (e-signature `hold_released`); 409 if it is already released."""
    reason = _reason(reason)
    _check_release(actor, LegalHold.objects.get(pk=hold.pk))
    signatures.verify_signer(actor=actor, password=password, meaning=Meaning.HOLD_RELEASED, subject=hold)
    return _hold_release(actor=actor, hold_id=hold.pk, reason=reason)


@transaction.atomic
def _hold_release(*, actor: Any, hold_id: int, reason: str) -> LegalHold:
    hold = LegalHold.objects.select_for_update().get(pk=hold_id)
    _check_release(actor, hold)
    explicit = list(hold.crates.order_by("pk"))
    before = audit.snapshot(hold, ["status"])
    hold.status = LegalHold.Status.RELEASED
    hold.released_by = actor
    hold.released_at = timezone.now()
    hold.release_reason = reason
    hold.save(update_fields=["status", "released_by", "released_at", "release_reason"])
    audit.record(
        action="legal_hold.released",
        instance=hold,
        changes=audit.changes_between(before, audit.snapshot(hold, ["status"])),
        comment=reason,
        actor=actor,
    )
    for crate in explicit:
        audit.record(
            action="crate.legal_hold_released",
            instance=crate,
            changes={"hold": [hold.number, None]},
            comment=f"{hold.number}: {reason}",
            actor=actor,
        )
    signatures.sign(
        actor=actor,
        meaning=Meaning.HOLD_RELEASED,
        subject=hold,
        content=_hold_release_content(hold, explicit, reason=reason),
        comment=reason,
        unit_id=hold.unit_id,
    )
    _announce_hold(hold, "updated")
    for crate in explicit:
        domain_signals.crate_changed.send_on_commit(sender=Crate, crate=crate, action="updated", extra_unit_ids=[])
    return hold


def crate_legal_hold(*, actor: Any, crate: Crate, legal_hold: bool, reason: str, password: str) -> LegalHold:
    """The single-crate endpoint: `legal_hold: true` places a one-crate hold; `false` releases
    the one-crate holds on it (409 if none, or if a wider hold still covers it)."""
    access.check_crate(crate, "set_legal_hold")
    refusal = access.actor_refusal(access.CRATE_ACTORS["set_legal_hold"], actor, crate)
    if refusal is not None:
        raise refusal
    if legal_hold:
        return hold_place(
            actor=actor, title=f"Legal hold on {crate.number}", reason=reason, password=password, crates=[crate.pk]
        )
    reason = _reason(reason)
    covering = list(rules.covering_holds(crate).order_by("pk"))
    own = [
        hold for hold in covering if not hold.by_filter and list(hold.crates.values_list("pk", flat=True)) == [crate.pk]
    ]
    if not covering:
        raise invalid_transition(f"Crate {crate.number} is not under legal hold.")
    if len(own) != len(covering):
        wider = ", ".join(hold.number for hold in covering if hold not in own)
        raise invalid_transition(f"Crate {crate.number} stays under {wider}; release it there.")
    released = own[0]
    for hold in own:
        released = hold_release(actor=actor, hold=hold, reason=reason, password=password)
    return released


# --- Disposition review ---------------------------------------------------------------------


def disposition_extend(
    *, actor: Any, crates_ids: list[int], retain_until: datetime.date, reason: str, password: str
) -> list[Crate]:
    """Keep crates longer (Approver, System Administrator; e-signature `retention_extended`):
    each gets `retention_extended_until` and its retention recomputed. A crate on hold, not
    stored, or already kept beyond the date is refused (nothing changes)."""
    _require(actor, cap.EXTEND_RETENTION, "Your role does not allow extending retention.")
    reason = _reason(reason)
    if retain_until <= timezone.localdate():
        raise field_error("retain_until", "Keep the crates until a date in the future.")
    ids = sorted({int(pk) for pk in crates_ids})
    if not ids:
        raise field_error("crates", "Choose at least one crate.")
    visible = set(
        Crate.objects.filter(pk__in=ids, **({} if actor.is_system_admin else {"unit_id": actor.unit_id})).values_list(
            "pk", flat=True
        )
    )
    missing = [pk for pk in ids if pk not in visible]
    if missing:
        raise field_error("crates", f"Crate {missing[0]} is not a crate of your unit.")
    _extension_problems(Crate.objects.filter(pk__in=ids).order_by("pk"), retain_until)
    signatures.verify_signer(actor=actor, password=password, meaning=Meaning.RETENTION_EXTENDED)
    return _disposition_extend(actor=actor, ids=ids, retain_until=retain_until, reason=reason)


def _extension_problems(crates_to_extend: Iterable[Crate], retain_until: datetime.date) -> None:
    for crate in crates_to_extend:
        if crate.status != CrateStatus.STORED:
            raise invalid_transition(f"Crate {crate.number} is {crate.status}, not stored.")
        if rules.is_on_hold(crate):
            raise invalid_transition(
                f"Crate {crate.number} is under legal hold: it cannot be destroyed while held, and its "
                "retention is not extended; release the hold first."
            )
        if crate.retention_until is not None and crate.retention_until >= retain_until:
            raise field_error("retain_until", f"Crate {crate.number} is already kept until {crate.retention_until}.")


@transaction.atomic
def _disposition_extend(*, actor: Any, ids: list[int], retain_until: datetime.date, reason: str) -> list[Crate]:
    locked = crates.lock_crates(ids)
    _extension_problems(locked.values(), retain_until)
    for crate in locked.values():
        before = audit.snapshot(crate, crates.CRATE_FIELDS)
        crate.retention_extended_until = retain_until
        crate.save(update_fields=["retention_extended_until", "updated_at"])
        crate.retention_until = crates.crate_retention_until(crate=crate)
        crate.save(update_fields=["retention_until", "updated_at"])
        audit.record(
            action="crate.retention_extended",
            instance=crate,
            changes=audit.changes_between(before, audit.snapshot(crate, crates.CRATE_FIELDS)),
            comment=reason,
            actor=actor,
        )
        signatures.sign(
            actor=actor,
            meaning=Meaning.RETENTION_EXTENDED,
            subject=crate,
            content={"retain_until": retain_until, "reason": reason, "retention_until": crate.retention_until},
            comment=reason,
            unit_id=crate.unit_id,
        )
        domain_signals.crate_changed.send_on_commit(sender=Crate, crate=crate, action="updated", extra_unit_ids=[])
    return list(locked.values())
