"""Legacy inventory import (docs/workflows.md, "Legacy inventory import").

Upload (`import_create`) checks what can be checked at once (a readable CSV or XLSX, at most
MAX_ROWS rows) and stores the file; a task validates every row (`import_validate`); a user
asks for the commit (`import_request_commit`) and a task runs it (`import_commit`): one
transaction that re-validates under lock, numbers every crate at once, bulk-inserts crates and
documents, takes the places, and writes one audit event per crate plus one for the import.
Any error leaves nothing behind.
"""

import csv
import datetime
import hashlib
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from apps.audit import services as audit
from apps.auth.models import Department, Unit
from apps.core import broadcast, domain_signals
from apps.core.errors import ApplicationError, field_error
from apps.core.numbering import reserve_numbers
from apps.crates.models import Crate, Document, DocumentType
from apps.crates.services import add_years
from apps.inventory.models import InventoryImport
from apps.policy import access
from apps.policy.states import IMPORT_TABLE, CrateStatus, ImportStatus
from apps.storage import services as storage
from apps.storage.models import StorageLocation

COLUMNS = (
    "legacy_number",
    "department",
    "location",
    "description",
    "document_number",
    "document_title",
    "document_type",
    "record_date",
)
REQUIRED = (
    "legacy_number",
    "department",
    "location",
    "document_number",
    "document_title",
    "document_type",
    "record_date",
)
MAX_ROWS = 50_000
MAX_FILE_BYTES = 25 * 1024 * 1024
PREVIEW_CRATES = 20
# The API shows this many errors; the CSV report has them all.
ERRORS_SHOWN = 500
LIMITS = {"legacy_number": 100, "description": 4000, "document_number": 100, "document_title": 300}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _refuse(message: str) -> ApplicationError:
    return field_error("file", message)


# --- Reading the file -----------------------------------------------------------------------


def file_format_of(content: bytes) -> str:
    """ "xlsx" or "csv", by what the bytes are, whatever the file is called."""
    if content.startswith(b"PK\x03\x04"):
        return "xlsx"
    head = content[:65536]
    if b"\x00" in head:
        raise _refuse("The file is not a CSV text file or an XLSX workbook (it holds binary data).")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A cut in the middle of a multi-byte character at the end of the sample is fine.
        if error.start < len(head) - 4:
            raise _refuse("The file is not UTF-8 text: save the spreadsheet as CSV UTF-8 or XLSX.") from error
    return "csv"


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(content: bytes, file_format: str) -> Iterator[tuple[int, list[str]]]:
    """(line as a spreadsheet shows it, cells) for every line, header first (line 1)."""
    if file_format == "xlsx":
        import openpyxl  # only when an XLSX arrives

        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise _refuse("The file is not a readable XLSX workbook.") from error
        try:
            sheet = workbook.worksheets[0]
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield line, [_cell_text(value) for value in values]
        finally:
            workbook.close()
        return
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refuse("The file is not UTF-8 text: save the spreadsheet as CSV UTF-8 or XLSX.") from error
    if "\x00" in text:
        raise _refuse("The file is not a CSV text file or an XLSX workbook (it holds binary data).")
    try:
        for line, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            yield line, [value.strip() for value in values]
    except csv.Error as error:
        raise _refuse(f"The CSV file cannot be read: {error}.") from error


def _is_blank(values: list[str]) -> bool:
    return not any(values)


def count_data_rows(content: bytes, file_format: str) -> int:
    rows = 0
    for line, values in read_rows(content, file_format):
        if line > 1 and not _is_blank(values):
            rows += 1
            if rows > MAX_ROWS:
                break
    return rows


# --- Validation -----------------------------------------------------------------------------


@dataclass
class PlannedCrate:
    legacy_number: str
    department_id: int
    location_id: int
    description: str
    lines: list[int] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Plan:
    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    crates: dict[str, PlannedCrate] = field(default_factory=dict)

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append({"row": line, "field": column, "message": message})

    @property
    def documents(self) -> int:
        return sum(len(crate.documents) for crate in self.crates.values())


class _Lookups:
    """The unit's master data by code, loaded once per validation."""

    def __init__(self, unit: Unit, locations: dict[int, StorageLocation] | None = None) -> None:
        self.departments = {d.code.upper(): d for d in Department.objects.filter(unit=unit)}
        self.document_types = {t.code.upper(): t for t in DocumentType.objects.all()}
        rows = list(locations.values()) if locations is not None else list(StorageLocation.objects.filter(unit=unit))
        self.locations: dict[str, StorageLocation] = {}
        for location in rows:
            self.locations[location.code.upper()] = location
            # The location's label barcode (LOC-<UNIT>-<code>) is accepted as well.
            self.locations[f"LOC-{unit.code}-{location.code}".upper()] = location
            barcode = getattr(location, "barcode", "")
            if barcode:
                self.locations[str(barcode).upper()] = location


def validate(
    content: bytes,
    file_format: str,
    unit: Unit,
    *,
    locations: dict[int, StorageLocation] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Check every row; `plan.errors` lists each problem as {row, field, message}."""
    plan = Plan()
    lookups = _Lookups(unit, locations)
    today = timezone.localdate()
    header: list[str] = []
    for line, values in read_rows(content, file_format):
        if line == 1:
            header = [value.strip().lower() for value in values]
            while header and not header[-1]:
                header.pop()
            for column in COLUMNS:
                if column not in header:
                    plan.error(1, column, f"The column {column} is missing.")
            for column in header:
                if column not in COLUMNS:
                    plan.error(
                        1, column or "(empty)", f"Unknown column {column!r}; the columns are {', '.join(COLUMNS)}."
                    )
            for column, seen in Counter(header).items():
                if seen > 1 and column in COLUMNS:
                    plan.error(1, column, f"The column {column} appears {seen} times.")
            if plan.errors:
                return plan
            continue
        if _is_blank(values):
            continue
        plan.rows += 1
        if plan.rows > MAX_ROWS:
            plan.error(line, "file", f"An import holds at most {MAX_ROWS:,} rows.")
            return plan
        if progress is not None and plan.rows % 5000 == 0:
            progress(plan.rows)
        row = {column: (values[index] if index < len(values) else "") for index, column in enumerate(header)}
        _validate_row(plan, line, row, lookups, today)
    if not header:
        plan.error(1, "file", "The file is empty: the first line must name the columns.")
    elif plan.rows == 0 and not plan.errors:
        plan.error(2, "file", "The file has no data rows.")
    _check_capacity(plan, lookups)
    _check_already_imported(plan, unit)
    plan.errors.sort(
        key=lambda error: (error["row"], COLUMNS.index(error["field"]) if error["field"] in COLUMNS else 99)
    )
    return plan


def _validate_row(plan: Plan, line: int, row: dict[str, str], lookups: _Lookups, today: datetime.date) -> None:
    before = len(plan.errors)
    for column in REQUIRED:
        if not row[column]:
            plan.error(line, column, f"{column} is required.")
    for column, limit in LIMITS.items():
        if len(row[column]) > limit:
            plan.error(line, column, f"{column} has more than {limit} characters.")
    department = lookups.departments.get(row["department"].upper()) if row["department"] else None
    if row["department"] and (department is None or not department.is_active):
        plan.error(line, "department", f"No active department {row['department']!r} in this unit.")
    location = lookups.locations.get(row["location"].upper()) if row["location"] else None
    if row["location"]:
        if location is None:
            plan.error(line, "location", f"No location {row['location']!r} in this unit (a code or a LOC- barcode).")
        elif not location.is_active or location.capacity == 0:
            plan.error(line, "location", f"{location.path} is not an active place for crates.")
    document_type = lookups.document_types.get(row["document_type"].upper()) if row["document_type"] else None
    if row["document_type"] and (document_type is None or not document_type.is_active):
        plan.error(line, "document_type", f"No active document type {row['document_type']!r}.")
    record_date = None
    if row["record_date"]:
        try:
            if not _DATE.match(row["record_date"]):
                raise ValueError
            record_date = datetime.date.fromisoformat(row["record_date"])
        except ValueError:
            plan.error(line, "record_date", f"{row['record_date']!r} is not a date YYYY-MM-DD.")
        else:
            if record_date > today:
                plan.error(line, "record_date", f"{row['record_date']} is in the future.")
    if len(plan.errors) > before:
        return
    assert department is not None and location is not None and document_type is not None and record_date is not None
    legacy_number = row["legacy_number"]
    crate = plan.crates.get(legacy_number)
    if crate is None:
        crate = plan.crates[legacy_number] = PlannedCrate(
            legacy_number=legacy_number,
            department_id=department.pk,
            location_id=location.pk,
            description=row["description"],
        )
    else:
        first = crate.lines[0]
        if department.pk != crate.department_id:
            plan.error(line, "department", f"Crate {legacy_number} has another department on row {first}.")
        if location.pk != crate.location_id:
            plan.error(line, "location", f"Crate {legacy_number} has another location on row {first}.")
        if row["description"] and row["description"] != crate.description:
            plan.error(line, "description", f"Crate {legacy_number} has another description on row {first}.")
        if any(document["number"] == row["document_number"] for document in crate.documents):
            plan.error(line, "document_number", f"Crate {legacy_number} already holds {row['document_number']}.")
        if len(plan.errors) > before:
            return
    crate.lines.append(line)
    crate.documents.append(
        {
            "number": row["document_number"],
            "title": row["document_title"],
            "document_type": document_type,
            "record_date": record_date,
        }
    )


def _check_capacity(plan: Plan, lookups: _Lookups) -> None:
    by_location: dict[int, list[PlannedCrate]] = {}
    for crate in plan.crates.values():
        by_location.setdefault(crate.location_id, []).append(crate)
    locations = {location.pk: location for location in lookups.locations.values()}
    for location_id, crates in by_location.items():
        location = locations[location_id]
        if len(crates) > location.free:
            for crate in crates[location.free :]:
                plan.error(
                    crate.lines[0],
                    "location",
                    f"{location.path} has {location.free} free place(s); this file puts {len(crates)} crates there.",
                )


def _check_already_imported(plan: Plan, unit: Unit) -> None:
    numbers = list(plan.crates)
    existing: set[str] = set()
    for start in range(0, len(numbers), 5000):
        existing.update(
            Crate.objects.filter(unit=unit, legacy_number__in=numbers[start : start + 5000]).values_list(
                "legacy_number", flat=True
            )
        )
    for number in sorted(existing, key=lambda n: plan.crates[n].lines[0]):
        plan.error(
            plan.crates[number].lines[0], "legacy_number", f"A crate with legacy number {number} exists already."
        )


def _preview(plan: Plan) -> list[dict[str, Any]]:
    locations = dict(
        StorageLocation.objects.filter(pk__in={c.location_id for c in plan.crates.values()}).values_list("pk", "path")
    )
    departments = dict(
        Department.objects.filter(pk__in={c.department_id for c in plan.crates.values()}).values_list("pk", "code")
    )
    return [
        {
            "legacy_number": crate.legacy_number,
            "department": departments.get(crate.department_id, ""),
            "location": crate.location_id,
            "location_path": locations.get(crate.location_id, ""),
            "description": crate.description,
            "documents": len(crate.documents),
            "rows": crate.lines,
        }
        for crate in list(plan.crates.values())[:PREVIEW_CRATES]
    ]


# --- Progress (not data: a cache entry and a socket event, outside any transaction) --------


def _progress_key(import_id: int) -> str:
    return f"inventory-import-progress:{import_id}"


def progress_of(import_id: int) -> dict[str, Any] | None:
    value = cache.get(_progress_key(import_id))
    return value if isinstance(value, dict) else None


def _report_progress(inventory_import: InventoryImport, phase: str, done: int, total: int) -> None:
    value = {"phase": phase, "done": done, "total": total}
    cache.set(_progress_key(inventory_import.pk), value, timeout=3600)
    message = broadcast.entity_envelope(
        entity="import",
        action="progress",
        obj_id=inventory_import.pk,
        unit_id=inventory_import.unit_id,
        status=inventory_import.status,
        number=str(inventory_import.pk),
    )
    message.update(value)
    message["visible_units"] = [inventory_import.unit_id]
    message["visible_users"] = []
    broadcast.send_now([broadcast.unit_group(inventory_import.unit_id)], message)


def _announce(inventory_import: InventoryImport, action: str) -> None:
    domain_signals.import_changed.send_on_commit(
        sender=InventoryImport, inventory_import=inventory_import, action=action
    )


# --- Services -------------------------------------------------------------------------------


@transaction.atomic
def import_create(*, actor: Any, unit: Unit | None, file_name: str, content: bytes) -> InventoryImport:
    """Store an uploaded file and queue its validation. Refused at once: not CSV/XLSX, too
    large, more than MAX_ROWS rows."""
    if not actor.has_perm(access.cap.IMPORT_INVENTORY):
        raise ApplicationError("Your role does not allow importing inventory.", code="permission_denied")
    if not actor.is_system_admin or unit is None:
        unit = actor.unit
    if unit is None:
        raise field_error("unit", "Choose the unit to import into.")
    if not content:
        raise _refuse("The file is empty.")
    if len(content) > MAX_FILE_BYTES:
        raise _refuse(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    file_format = file_format_of(content)
    rows = count_data_rows(content, file_format)
    if rows > MAX_ROWS:
        raise _refuse(f"The file has more than {MAX_ROWS:,} rows; an import holds at most {MAX_ROWS:,}. Split it.")
    inventory_import = InventoryImport.objects.create(
        unit=unit,
        file_name=file_name[:255],
        file_format=file_format,
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        rows=rows,
        created_by=actor,
    )
    audit.record(
        action="import.uploaded",
        instance=inventory_import,
        changes={
            "file_name": [None, inventory_import.file_name],
            "sha256": [None, inventory_import.sha256],
            "rows": [None, rows],
        },
        actor=actor,
    )
    _announce(inventory_import, "created")
    return inventory_import


def import_validate(*, import_id: int) -> InventoryImport | None:
    """The task's work: validate every row, then `validated` or `invalid` (idempotent)."""
    inventory_import = InventoryImport.objects.select_related("unit").filter(pk=import_id).first()
    if inventory_import is None or inventory_import.status != ImportStatus.VALIDATING:
        return inventory_import
    total = inventory_import.rows
    try:
        plan = validate(
            bytes(inventory_import.content),
            inventory_import.file_format,
            inventory_import.unit,
            progress=lambda done: _report_progress(inventory_import, "validating", done, total),
        )
    except ApplicationError as error:
        plan = Plan()
        plan.error(1, "file", error.message)
    with transaction.atomic():
        locked = InventoryImport.objects.select_for_update().get(pk=import_id)
        if locked.status != ImportStatus.VALIDATING:
            return locked
        _apply_plan(locked, plan, "reject" if plan.errors else "validate")
        locked.validated_at = timezone.now()
        locked.save()
        audit.record(
            action="import.validated" if locked.status == ImportStatus.VALIDATED else "import.invalid",
            instance=locked,
            changes={"status": [ImportStatus.VALIDATING, locked.status], "errors": [None, locked.error_count]},
            actor=locked.created_by,
        )
        _announce(locked, "updated")
    _report_progress(locked, "validated", total, total)
    return locked


def _apply_plan(inventory_import: InventoryImport, plan: Plan, action: str) -> None:
    inventory_import.status = IMPORT_TABLE.next_state(inventory_import.status, action, label="The import")
    inventory_import.rows = plan.rows
    inventory_import.crates = len(plan.crates)
    inventory_import.documents = plan.documents
    inventory_import.errors = plan.errors
    inventory_import.error_count = len(plan.errors)
    inventory_import.preview = _preview(plan) if not plan.errors else []


@transaction.atomic
def import_request_commit(*, actor: Any, inventory_import: InventoryImport) -> InventoryImport:
    """Only a validated import; the commit itself runs in the background (`import_commit`)."""
    inventory_import = InventoryImport.objects.select_for_update().get(pk=inventory_import.pk)
    inventory_import.status = IMPORT_TABLE.next_state(inventory_import.status, "commit", label="The import")
    if not actor.has_perm(access.cap.IMPORT_INVENTORY) or not access.belongs_to_unit(actor, inventory_import.unit_id):
        raise ApplicationError("Your role does not allow importing inventory.", code="permission_denied")
    inventory_import.committed_by = actor
    inventory_import.save(update_fields=["status", "committed_by", "updated_at"])
    audit.record(
        action="import.commit_requested",
        instance=inventory_import,
        changes={"status": [ImportStatus.VALIDATED, ImportStatus.IMPORTING]},
        actor=actor,
    )
    _announce(inventory_import, "committed")
    return inventory_import


def import_commit(*, import_id: int) -> InventoryImport | None:
    """The task's work: everything in one transaction, or nothing (idempotent: only `importing`)."""
    try:
        return _import_commit(import_id=import_id)
    except Exception as error:
        with transaction.atomic():
            locked = InventoryImport.objects.select_for_update().filter(pk=import_id).first()
            if locked is None or locked.status != ImportStatus.IMPORTING:
                raise
            locked.status = IMPORT_TABLE.next_state(locked.status, "fail")
            locked.failure = f"{type(error).__name__}: {error}"[:4000]
            locked.save(update_fields=["status", "failure", "updated_at"])
            audit.record(
                action="import.failed",
                instance=locked,
                changes={"status": [ImportStatus.IMPORTING, ImportStatus.FAILED]},
                comment=locked.failure,
                actor=locked.committed_by,
            )
            _announce(locked, "updated")
        raise


def _import_commit(*, import_id: int) -> InventoryImport | None:
    with transaction.atomic():
        inventory_import = (
            InventoryImport.objects.select_for_update().select_related("unit").filter(pk=import_id).first()
        )
        if inventory_import is None or inventory_import.status != ImportStatus.IMPORTING:
            return inventory_import
        unit = inventory_import.unit
        actor = inventory_import.committed_by
        total = inventory_import.rows
        content = bytes(inventory_import.content)
        # Every location of the unit locked (in id order) for the whole commit: occupancy read
        # now holds until the crates are in.
        locations = storage.lock_locations(list(StorageLocation.objects.filter(unit=unit).values_list("pk", flat=True)))
        plan = validate(content, inventory_import.file_format, unit, locations=locations)
        if plan.errors:
            _apply_plan(inventory_import, plan, "reject")
            inventory_import.save()
            audit.record(
                action="import.invalid",
                instance=inventory_import,
                changes={"status": [ImportStatus.IMPORTING, ImportStatus.INVALID], "errors": [None, len(plan.errors)]},
                comment="the data changed since the validation",
                actor=actor,
            )
            _announce(inventory_import, "updated")
            return inventory_import
        _report_progress(inventory_import, "importing", 0, total)
        year = timezone.localdate().year
        planned = list(plan.crates.values())
        last = reserve_numbers(f"CRT-{unit.code}-{year}", len(planned))
        first = last - len(planned) + 1
        now = timezone.now()
        crates: list[Crate] = []
        for offset, crate in enumerate(planned):
            retention = max(add_years(d["record_date"], d["document_type"].retention_years) for d in crate.documents)
            crates.append(
                Crate(
                    number=f"CRT-{unit.code}-{year}-{first + offset:06d}",
                    unit=unit,
                    department_id=crate.department_id,
                    location_id=crate.location_id,
                    status=CrateStatus.STORED,
                    description=crate.description,
                    retention_until=retention,
                    legacy_number=crate.legacy_number,
                    created_by=actor,
                    created_at=now,
                    updated_at=now,
                )
            )
        batch = 2000
        done = 0
        for start in range(0, len(crates), batch):
            Crate.objects.bulk_create(crates[start : start + batch])
            done += sum(len(c.documents) for c in planned[start : start + batch])
            _report_progress(inventory_import, "importing", done // 2, total)
        documents = [
            Document(
                crate=crate,
                number=d["number"],
                title=d["title"],
                document_type=d["document_type"],
                record_date=d["record_date"],
                retention_until=add_years(d["record_date"], d["document_type"].retention_years),
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
            for crate, plan_crate in zip(crates, planned, strict=True)
            for d in plan_crate.documents
        ]
        for start in range(0, len(documents), 5000):
            Document.objects.bulk_create(documents[start : start + 5000])
            _report_progress(inventory_import, "importing", total // 2 + min(start + 5000, total) // 2, total)
        storage.occupancy_take([plan_crate.location_id for plan_crate in planned], unit_id=unit.pk)
        comment = f"imported from {inventory_import.file_name} (import {inventory_import.pk})"
        audit.record_many(
            [
                {
                    "action": "crate.imported",
                    "instance": crate,
                    "changes": {
                        "number": [None, crate.number],
                        "legacy_number": [None, crate.legacy_number],
                        "department": [None, crate.department_id],
                        "location": [None, crate.location_id],
                        "status": [None, crate.status],
                        "description": [None, crate.description],
                        "retention_until": [None, crate.retention_until],
                        "documents": [None, [d["number"] for d in plan_crate.documents]],
                    },
                    "comment": f"{comment}, rows {', '.join(map(str, plan_crate.lines))}"[:4000],
                }
                for crate, plan_crate in zip(crates, planned, strict=True)
            ],
            actor=actor,
        )
        inventory_import.status = IMPORT_TABLE.next_state(inventory_import.status, "finish")
        inventory_import.crates = len(crates)
        inventory_import.documents = len(documents)
        inventory_import.committed_at = timezone.now()
        inventory_import.save(update_fields=["status", "crates", "documents", "committed_at", "updated_at"])
        audit.record(
            action="import.committed",
            instance=inventory_import,
            changes={
                "status": [ImportStatus.IMPORTING, ImportStatus.DONE],
                "file_name": [None, inventory_import.file_name],
                "sha256": [None, inventory_import.sha256],
                "crates": [None, len(crates)],
                "documents": [None, len(documents)],
            },
            actor=actor,
        )
        _announce(inventory_import, "updated")
    _report_progress(inventory_import, "done", total, total)
    return inventory_import


def report_rows(inventory_import: InventoryImport) -> Iterator[list[str]]:
    """The CSV report: each data row -> the crate number it became, or its errors."""
    yield ["row", "legacy_number", "document_number", "result", "crate_number", "errors"]
    errors: dict[int, list[str]] = {}
    for error in inventory_import.errors:
        errors.setdefault(error["row"], []).append(f"{error['field']}: {error['message']}")
    numbers: dict[str, str] = {}
    if inventory_import.status == ImportStatus.DONE:
        numbers = dict(
            Crate.objects.filter(unit_id=inventory_import.unit_id)
            .exclude(legacy_number="")
            .filter(created_at__gte=inventory_import.created_at)
            .values_list("legacy_number", "number")
        )
    if 1 in errors:
        yield ["1", "", "", "error", "", "; ".join(errors[1])]
        return
    header: list[str] = []
    for line, values in read_rows(bytes(inventory_import.content), inventory_import.file_format):
        if line == 1:
            header = [value.strip().lower() for value in values]
            continue
        if _is_blank(values):
            continue
        row = dict(zip(header, values, strict=False))
        legacy_number, document_number = row.get("legacy_number", ""), row.get("document_number", "")
        if line in errors:
            yield [str(line), legacy_number, document_number, "error", "", "; ".join(errors[line])]
        elif legacy_number in numbers:
            yield [str(line), legacy_number, document_number, "imported", numbers[legacy_number], ""]
        else:
            yield [str(line), legacy_number, document_number, inventory_import.status, "", ""]
