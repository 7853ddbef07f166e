"""Crate and document services: numbering, draft-only editing, retention,
relocation, and the status/unit changes the request workflow makes to crates.

Every function here is the one place its rule lives. Writes run in one transaction, lock the
crate row before reading what they change, write the audit event (changes `{field: [old,
new]}`) in the same transaction and announce the change with the domain signal
`crate_changed` (its receivers, the broadcast among them, run after the commit).

Lock order (to keep concurrent transactions from deadlocking): crates before documents, and
crates / locations each in id order (`lock_crates`, `storage.services.lock_locations`).
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.audit import services as audit
from apps.auth.models import Department, Unit
from apps.core import domain_signals
from apps.core.errors import ApplicationError, field_error
from apps.core.master_data import audited_create, audited_update
from apps.core.numbering import next_formatted_number
from apps.crates import selectors
from apps.crates.models import Crate, Document, DocumentType
from apps.policy import access, reasons
from apps.policy.states import CRATE_TABLE
from apps.storage import services as storage
from apps.storage.models import StorageLocation

DOCUMENT_TYPE_FIELDS = ["code", "name", "retention_years", "retention_trigger", "event_name", "is_active"]
# What the audit events show of a crate and of a document: their identity, what their
# creator fills in (EDITABLE_FIELDS on the models) and what the workflow changes.
CRATE_FIELDS = [
    "number",
    "unit",
    *Crate.EDITABLE_FIELDS,
    "location",
    "previous_location",
    "status",
    "retention_until",
    "retention_extended_until",
]
DOCUMENT_FIELDS = ["crate", *Document.EDITABLE_FIELDS, "trigger_date", "retention_until", "status"]


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


# Default of `crate_set_status(location=...)`: keep the crate where it is.
UNCHANGED: Any = _Unchanged()


# --- Document types -------------------------------------------------------------------------


def document_type_create(*, actor: Any, **fields: Any) -> DocumentType:
    if (
        fields.get("retention_trigger") == DocumentType.RetentionTrigger.EVENT
        and not fields.get("event_name", "").strip()
    ):
        raise field_error("event_name", "Name the event that starts the retention (e.g. batch expiry).")
    return audited_create(
        DocumentType, actor=actor, entity="document_type", audit_fields=DOCUMENT_TYPE_FIELDS, **fields
    )


def document_type_update(
    *, actor: Any, document_type: DocumentType, data: dict[str, Any], reason: str = ""
) -> DocumentType:
    """Change a document type; any change needs `reason` (apps.policy.reasons), the audit
    event's comment. A change of its retention schedule goes through
    `apps.retention.services.document_type_change`, which recomputes."""
    return audited_update(
        document_type,
        actor=actor,
        entity="document_type",
        audit_fields=DOCUMENT_TYPE_FIELDS,
        data=data,
        reason_for=lambda changes: reasons.require_reason("document_type", changes, reason),
    )


# --- Helpers --------------------------------------------------------------------------------


def add_years(day: datetime.date, years: int) -> datetime.date:
    """`day` plus whole years. 29 February in a target year without it becomes 1 March:
    the record is then kept at least the full retention period, never a day less."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


def document_retention_until(
    *, record_date: datetime.date, document_type: DocumentType, trigger_date: datetime.date | None = None
) -> datetime.date | None:
    """record_date + years, or for an event-triggered type the event's date + years; None while
    the event is not recorded (the document never becomes due: docs/domain.md)."""
    if document_type.retention_trigger == DocumentType.RetentionTrigger.EVENT:
        return add_years(trigger_date, document_type.retention_years) if trigger_date else None
    return add_years(record_date, document_type.retention_years)


def crate_retention_until(*, crate: Crate) -> datetime.date | None:
    """The latest retention of the crate's documents, or its extension if later; None while any
    document waits for its retention event, or when it holds no documents."""
    dates = list(crate.documents.values_list("retention_until", flat=True))
    known = [day for day in dates if day is not None]
    if not known or len(known) != len(dates):
        return None
    latest = max(known)
    extended = crate.retention_extended_until
    return max(latest, extended) if extended else latest


def crate_number(*, unit: Unit, year: int) -> str:
    """Reserve the next crate number of the unit and year (in the caller's transaction).

    The sequence row is locked until commit, so concurrent creations queue and each gets
    its own value; a rolled-back creation leaves a gap, and a number is never handed out twice.
    """
    return next_formatted_number(f"CRT-{unit.code}-{year}")


def _announce(crate: Crate, action: str, *, extra_unit_ids: Iterable[int] = ()) -> None:
    """After the commit, the receivers (apps.crates.signals: the broadcast) hear of the change."""
    domain_signals.crate_changed.send_on_commit(
        sender=Crate, crate=crate, action=action, extra_unit_ids=list(extra_unit_ids)
    )


def _lock_crate(crate: Crate) -> Crate:
    """Lock the crate row, with the facts the crate policy reads (`selectors.with_request_facts`)."""
    return selectors.with_request_facts(Crate.objects.select_for_update(of=("self",))).get(pk=crate.pk)


def _check_department(department: Department, unit_id: int) -> None:
    if department.unit_id != unit_id:
        raise field_error("department", "The department belongs to another unit.")
    if not department.is_active:
        raise field_error("department", "The department is inactive.")


def _record_crate_change(
    *,
    crate: Crate,
    before: dict[str, Any],
    action: str,
    actor: Any,
    comment: str = "",
    extra_unit_ids: Iterable[int] = (),
) -> dict[str, list[Any]]:
    changes = audit.changes_between(before, audit.snapshot(crate, CRATE_FIELDS))
    if changes:
        audit.record(action=action, instance=crate, changes=changes, comment=comment, actor=actor)
        _announce(crate, "updated", extra_unit_ids=extra_unit_ids)
    return changes


def crate_recompute_retention(*, crate: Crate, actor: Any, comment: str) -> None:
    """crate.retention_until = `crate_retention_until`; audited and announced. Runs in the
    caller's transaction, which holds the crate's row lock."""
    before = audit.snapshot(crate, CRATE_FIELDS)
    latest = crate_retention_until(crate=crate)
    if latest != crate.retention_until:
        crate.retention_until = latest
        crate.save(update_fields=["retention_until", "updated_at"])
    if not _record_crate_change(
        crate=crate, before=before, action="crate.retention_recomputed", actor=actor, comment=comment
    ):
        # The crate's view (document list) changed even if its retention did not.
        _announce(crate, "updated")


# --- Crates ---------------------------------------------------------------------------------


@transaction.atomic
def crate_create(*, actor: Any, unit: Unit | None = None, **fields: Any) -> Crate:
    """Create a draft crate with the next number of its unit and year. `fields`: the crate's
    Crate.EDITABLE_FIELDS (`department` required, `description`, …).

    Only a System Administrator chooses the unit; everyone else creates in their own unit,
    whatever `unit` says. The department must be an active department of that unit.
    """
    _check_known(fields, Crate.EDITABLE_FIELDS)
    if not actor.is_system_admin or unit is None:
        unit = actor.unit
    if unit is None:
        raise field_error("unit", "Choose the unit of the crate.")
    if not unit.is_active:
        raise field_error("unit", "The unit is inactive.")
    if fields.get("department") is None:
        raise field_error("department", "Choose the department of the crate.")
    _check_department(fields["department"], unit.pk)
    crate = Crate.objects.create(
        number=crate_number(unit=unit, year=timezone.localdate().year), unit=unit, created_by=actor, **fields
    )
    audit.record(
        action="crate.created", instance=crate, changes=audit.created_changes(crate, CRATE_FIELDS), actor=actor
    )
    _announce(crate, "created")
    return crate


def _check_known(fields: dict[str, Any], known: tuple[str, ...]) -> None:
    unknown = set(fields) - set(known)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")


@transaction.atomic
def crate_update(*, actor: Any, crate: Crate, data: dict[str, Any], reason: str = "") -> Crate:
    """Correct a draft crate's department and/or description (409 in any other status); a
    correction needs `reason` (apps.policy.reasons), the audit event's comment."""
    crate = _lock_crate(crate)
    access.check_crate(crate, "edit")
    unknown = set(data) - set(Crate.EDITABLE_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], "This field cannot be changed.")
    if "department" in data:
        _check_department(data["department"], crate.unit_id)
    before = audit.snapshot(crate, CRATE_FIELDS)
    for name, value in data.items():
        setattr(crate, name, value)
    reason = reasons.require_reason("crate", audit.changes_between(before, audit.snapshot(crate, CRATE_FIELDS)), reason)
    crate.save()
    _record_crate_change(crate=crate, before=before, action="crate.updated", actor=actor, comment=reason)
    return crate


@transaction.atomic
def crate_delete(*, actor: Any, crate: Crate) -> None:
    """Delete a draft crate that was never in a request, with its documents.

    Its number is not reused (the sequence only moves forward). Each document's deletion
    and the crate's are audited.
    """
    crate = _lock_crate(crate)
    access.check_crate(crate, "delete")
    for document in crate.documents.all():
        audit.record(
            action="document.deleted",
            instance=document,
            unit_id=crate.unit_id,
            changes={name: [value, None] for name, value in audit.snapshot(document, DOCUMENT_FIELDS).items()},
            comment=f"deleted with crate {crate.number}",
            actor=actor,
        )
        document.delete()
    audit.record(
        action="crate.deleted",
        instance=crate,
        changes={name: [value, None] for name, value in audit.snapshot(crate, CRATE_FIELDS).items()},
        actor=actor,
    )
    crate_id = crate.pk
    crate.delete()
    crate.pk = crate_id
    _announce(crate, "deleted")


@transaction.atomic
def crate_relocate(*, actor: Any, crate: Crate, location: StorageLocation, comment: str = "") -> Crate:
    """Move a stored crate to another active location of its unit with a free place; a
    missing crate moved to where it was found is stored again (audited `crate.found`).

    Both locations are locked in id order before occupancy moves (release the old place,
    take the new one); a full target answers 409 `capacity_exceeded` and nothing changes.
    """
    crate = _lock_crate(crate)
    access.check_crate(crate, "relocate")
    # A missing crate relocated to where it turned up is stored again (docs/workflows.md).
    status = CRATE_TABLE.next_state(crate.status, "relocate", label=f"Crate {crate.number}")
    if location.pk == crate.location_id:
        raise field_error("location", "The crate is already at this location.")
    locked = storage.lock_locations([location.pk] + ([crate.location_id] if crate.location_id else []))
    target = locked[location.pk]
    if target.unit_id != crate.unit_id:
        raise field_error("location", "The location belongs to another unit.")
    if not target.is_active or target.capacity == 0:
        raise field_error("location", f"{target.path} is not an active place for crates.")
    before = audit.snapshot(crate, CRATE_FIELDS)
    storage.occupancy_take([target.pk], unit_id=crate.unit_id)
    if crate.location_id:
        storage.occupancy_release([crate.location_id])
    found = crate.status != status
    crate.location = target
    crate.status = status
    crate.save(update_fields=["location", "status", "updated_at"])
    _record_crate_change(
        crate=crate, before=before, action="crate.found" if found else "crate.relocated", actor=actor, comment=comment
    )
    return crate


@transaction.atomic
def crate_mark_missing(*, actor: Any, crate: Crate, comment: str = "") -> Crate:
    """A stored crate nobody found at a reviewed count: status `missing`, its place freed (the
    shelf no longer holds it), its last location kept as `previous_location`. No request can
    include it until it is found again (apps.policy.states.CRATE_TABLE)."""
    crate = _lock_crate(crate)
    status = CRATE_TABLE.next_state(crate.status, "mark_missing", label=f"Crate {crate.number}")
    before = audit.snapshot(crate, CRATE_FIELDS)
    if crate.location_id:
        storage.occupancy_release([crate.location_id])
        crate.previous_location_id = crate.location_id
    crate.location = None
    crate.status = status
    crate.save(update_fields=["location", "previous_location", "status", "updated_at"])
    _record_crate_change(crate=crate, before=before, action="crate.marked_missing", actor=actor, comment=comment)
    return crate


# --- Used by the request workflow (apps.requests.services) ----------------------------------


def lock_crates(crate_ids: Iterable[int] | QuerySet[Any]) -> dict[int, Crate]:
    """Lock the crates (SELECT .. FOR UPDATE) in id order and return them by id.

    Call inside the caller's transaction, before reading anything you decide on. Missing ids
    are simply absent from the result (check it). The id order makes two transactions that
    lock overlapping crates queue instead of deadlocking. `crate_ids` may be a queryset of
    one column of ids: it runs as a subquery of the locking statement (its rows stay unlocked).
    """
    ids = crate_ids if isinstance(crate_ids, QuerySet) else sorted(set(crate_ids))
    locked = Crate.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {crate.pk: crate for crate in locked}


def crate_set_status(
    *,
    crate: Crate,
    action: str,
    location: StorageLocation | None | Any = UNCHANGED,
    actor: Any,
    comment: str = "",
) -> Crate:
    """Move a crate through its state table for a workflow transition (`store`, `withdraw`,
    `return`, `destroy`, `dispatch`, `receive`): 409 invalid_transition if the crate's status
    does not allow it.

    Runs in the caller's transaction and assumes the caller locked the crate (`lock_crates`).
    `location`: a StorageLocation, None (the crate leaves storage) or omitted (unchanged). When
    a crate that has a location leaves it, the old location is kept as `previous_location` (a
    send-back returns it there by default).

    Occupancy is NOT touched here: the caller moves it with
    `storage.services.occupancy_take` / `occupancy_release`.

    Writes the audit event `crate.<past participle>` (`crate.withdrawn`, …) with the changed
    fields and `comment`, and announces the crate's change.
    """
    status = CRATE_TABLE.next_state(crate.status, action, label=f"Crate {crate.number}")
    before = audit.snapshot(crate, CRATE_FIELDS)
    crate.status = status
    if location is not UNCHANGED:
        new_location_id = location.pk if location is not None else None
        if crate.location_id is not None and crate.location_id != new_location_id:
            crate.previous_location_id = crate.location_id
        crate.location = location
    crate.save()
    changes = audit.changes_between(before, audit.snapshot(crate, CRATE_FIELDS))
    audit.record(
        action=f"crate.{CRATE_TABLE.verb(action)}", instance=crate, changes=changes, comment=comment, actor=actor
    )
    _announce(crate, "updated")
    return crate


def documents_set_status(
    *, documents: Iterable[Document], status: str, actor: Any, comment: str = "", action: str | None = None
) -> list[Document]:
    """Set the status of documents (withdrawn / returned to storage / destroyed).

    Runs in the caller's transaction and assumes the caller locked their crates. Each
    document whose status changes gets an audit event `action` (default
    `document.<status>`) with `{status: [old, new]}` and `comment`; each affected crate is
    announced once. Returns the documents whose status changed.
    """
    if status not in Document.Status.values:
        raise ValueError(f"unknown document status {status!r}")
    changed = [document for document in documents if document.status != status]
    if not changed:
        return []
    Document.objects.filter(pk__in=[document.pk for document in changed]).update(
        status=status, updated_at=timezone.now()
    )
    crates: dict[int, Crate] = {}
    for document in changed:
        old = document.status
        document.status = status
        crate = document.crate
        crates[crate.pk] = crate
        audit.record(
            action=action or f"document.{status}",
            instance=document,
            unit_id=crate.unit_id,
            changes={"status": [old, status]},
            comment=comment,
            actor=actor,
        )
    for crate in crates.values():
        _announce(crate, "updated")
    return changed


def crate_transfer_unit(*, crate: Crate, unit: Unit, department_or_none: Department | None, actor: Any) -> Crate:
    """Hand a crate over to another unit when a transfer is received.

    Runs in the caller's transaction and assumes the caller locked the crate. Status and
    location are the caller's business (`crate_set_status`); the number never changes (it
    names the unit where the crate was created).

    A crate's department must belong to its unit, and department is required, so:
    `department_or_none` if given (must be a department of `unit`); otherwise the target
    unit's active department with the same code as the current one; otherwise the target
    unit's first active department by code. A target unit without an active department is
    a 400 on `target_unit`.
    """
    department = department_or_none
    if department is not None:
        _check_department(department, unit.pk)
    else:
        active = Department.objects.filter(unit=unit, is_active=True).order_by("code")
        department = active.filter(code=crate.department.code).first() or active.first()
        if department is None:
            raise field_error("target_unit", f"{unit.code} has no active department to receive crates.")
    old_unit_id = crate.unit_id
    before = audit.snapshot(crate, CRATE_FIELDS)
    crate.unit = unit
    crate.department = department
    crate.save(update_fields=["unit", "department", "updated_at"])
    changes = audit.changes_between(before, audit.snapshot(crate, CRATE_FIELDS))
    audit.record(action="crate.transferred", instance=crate, changes=changes, actor=actor)
    # Documents' audit events carry the unit too; keep them readable by the new unit.
    _announce(crate, "updated", extra_unit_ids=[old_unit_id])
    return crate


# --- Documents ------------------------------------------------------------------------------


def _check_document_type(document_type: DocumentType) -> None:
    if not document_type.is_active:
        raise field_error("document_type", "The document type is inactive.")


def _check_document_number(*, crate: Crate, number: str, exclude_pk: int | None = None) -> None:
    others = Document.objects.filter(crate=crate, number=number)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise field_error("number", f"{crate.number} already holds a document numbered {number}.")


@transaction.atomic
@audit.appended_together()
def document_create(*, actor: Any, crate: Crate, **fields: Any) -> Document:
    """Add a document to a draft crate; its retention and the crate's are computed here.
    `fields`: Document.EDITABLE_FIELDS (number, title, document_type, record_date)."""
    _check_known(fields, Document.EDITABLE_FIELDS)
    crate = _lock_crate(crate)
    # A crate's documents are part of what is edited while it is a draft.
    access.check_crate(crate, "edit")
    document = Document(crate=crate, created_by=actor, **fields)
    _check_document_type(document.document_type)
    _check_document_number(crate=crate, number=document.number)
    document.retention_until = document_retention_until(
        record_date=document.record_date, document_type=document.document_type, trigger_date=document.trigger_date
    )
    document.save()
    audit.record(
        action="document.created",
        instance=document,
        unit_id=crate.unit_id,
        changes=audit.created_changes(document, DOCUMENT_FIELDS),
        actor=actor,
    )
    crate_recompute_retention(crate=crate, actor=actor, comment=f"document {document.number} added")
    return document


@transaction.atomic
def document_update(*, actor: Any, document: Document, data: dict[str, Any], reason: str = "") -> Document:
    """Correct a document of a draft crate (it cannot move to another crate); a correction
    needs `reason` (apps.policy.reasons), the audit event's comment."""
    crate = _lock_crate(document.crate)
    access.check_crate(crate, "edit")
    document = Document.objects.select_for_update().get(pk=document.pk)
    if "crate" in data and data["crate"].pk != document.crate_id:
        raise field_error("crate", "A document cannot move to another crate.")
    unknown = set(data) - {"crate", *Document.EDITABLE_FIELDS}
    if unknown:
        raise field_error(sorted(unknown)[0], "This field cannot be changed.")
    if "document_type" in data and data["document_type"].pk != document.document_type_id:
        _check_document_type(data["document_type"])
    if "number" in data:
        _check_document_number(crate=crate, number=data["number"], exclude_pk=document.pk)
    before = audit.snapshot(document, DOCUMENT_FIELDS)
    for name in Document.EDITABLE_FIELDS:
        if name in data:
            setattr(document, name, data[name])
    document.retention_until = document_retention_until(
        record_date=document.record_date, document_type=document.document_type, trigger_date=document.trigger_date
    )
    changes = audit.changes_between(before, audit.snapshot(document, DOCUMENT_FIELDS))
    reason = reasons.require_reason("document", changes, reason)
    document.save()
    if changes:
        audit.record(
            action="document.updated",
            instance=document,
            unit_id=crate.unit_id,
            changes=changes,
            comment=reason,
            actor=actor,
        )
        crate_recompute_retention(crate=crate, actor=actor, comment=f"document {document.number} changed: {reason}")
    return document


@transaction.atomic
def document_delete(*, actor: Any, document: Document) -> None:
    """Remove a document from a draft crate (not if it was ever in a request)."""
    crate = _lock_crate(document.crate)
    access.check_crate(crate, "edit")
    if document.request_items.exists():
        raise ApplicationError(
            f"Document {document.number} is part of a request and cannot be deleted.", code="conflict"
        )
    audit.record(
        action="document.deleted",
        instance=document,
        unit_id=crate.unit_id,
        changes={name: [value, None] for name, value in audit.snapshot(document, DOCUMENT_FIELDS).items()},
        actor=actor,
    )
    number = document.number
    document.delete()
    crate_recompute_retention(crate=crate, actor=actor, comment=f"document {number} deleted")
