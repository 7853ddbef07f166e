"""What each export contains (docs/background.md): columns and a unit-scoped queryset of value tuples.

Rows are read with `.iterator()` (a server-side cursor on PostgreSQL) as plain tuples, so an
export of 100,000 rows never holds more than one chunk in memory.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, QuerySet
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.auth.permissions import scope_to_unit
from apps.crates.models import Crate, Document
from apps.crates.selectors import CrateFilter, DocumentFilter
from apps.policy import rules
from apps.reports.models import Report
from apps.requests.models import Request

AUDIT_COLUMNS = [
    "sequence", "timestamp", "actor_username", "action", "entity_type", "entity_id", "entity_repr", "unit_id",
    "changes", "comment", "ip_address", "user_agent", "request_id", "prev_hash", "hash",
]  # fmt: skip


@dataclass(frozen=True)
class Source:
    title: str
    headers: Sequence[str]
    rows: Callable[[Report], QuerySet[Any]]
    # Which filters the report accepts and how each is parsed.
    filters: dict[str, Callable[[Any], Any]]


def _today(report: Report) -> datetime.date:
    return timezone.localdate()


def _scoped(queryset: QuerySet[Any], report: Report) -> QuerySet[Any]:
    queryset = scope_to_unit(queryset, report.user)
    if report.unit_id is not None:
        queryset = queryset.filter(unit_id=report.unit_id)
    return queryset


def _list_filter(filterset: type[Any], queryset: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
    """The crate or document list's own filters, so an export holds exactly the rows the list shows."""
    names = set(filterset.base_filters)
    data = {name: str(value).lower() if isinstance(value, bool) else value for name, value in filters.items()}
    return filterset(data={k: v for k, v in data.items() if k in names}, queryset=queryset).qs


def inventory_rows(report: Report) -> QuerySet[Any]:
    filters = report.filters
    crates = _list_filter(CrateFilter, _scoped(Crate.objects.all(), report), filters)
    if filters.get("date_from"):
        crates = crates.filter(created_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        crates = crates.filter(created_at__date__lte=filters["date_to"])
    return (
        crates.order_by("unit__code", "number")
        .annotate(
            document_count=Count("documents"),
            legal_hold=ExpressionWrapper(rules.on_hold_q(), output_field=BooleanField()),
        )
        .values_list(
            "number", "unit__code", "department__name", "status", "location__path", "description",
            "retention_until", "legal_hold", "document_count", "created_at",
        )
    )  # fmt: skip


def documents_rows(report: Report) -> QuerySet[Any]:
    documents = scope_to_unit(Document.objects.all(), report.user, "crate__unit")
    if report.unit_id is not None:
        documents = documents.filter(crate__unit_id=report.unit_id)
    documents = _list_filter(DocumentFilter, documents, report.filters)
    held = ExpressionWrapper(rules.on_hold_q(crate="crate"), output_field=BooleanField())
    documents = documents.annotate(crate_legal_hold=held).order_by("crate__unit__code", "crate__number", "number")
    return documents.values_list(
        "number", "title", "document_type__code", "record_date", "retention_until", "status", "crate__number",
        "crate__unit__code", "crate__department__name", "crate__location__path", "crate_legal_hold",
    )  # fmt: skip


def audit_rows(report: Report) -> QuerySet[Any]:
    filters = report.filters
    events = _scoped(AuditEvent.objects.all(), report)
    if filters.get("date_from"):
        events = events.filter(timestamp__date__gte=filters["date_from"])
    if filters.get("date_to"):
        events = events.filter(timestamp__date__lte=filters["date_to"])
    if filters.get("action"):
        events = events.filter(action__startswith=filters["action"])
    if filters.get("entity_type"):
        events = events.filter(entity_type=filters["entity_type"])
    return events.order_by("sequence").values_list(*AUDIT_COLUMNS)


def overdue_rows(report: Report) -> QuerySet[Any]:
    requests = _scoped(Request.objects.all(), report).filter(rules.overdue_q(today=_today(report)))
    if report.filters.get("date_from"):
        requests = requests.filter(expected_return_date__gte=report.filters["date_from"])
    if report.filters.get("date_to"):
        requests = requests.filter(expected_return_date__lte=report.filters["date_to"])
    return (
        requests.order_by("expected_return_date", "number")
        .values_list(
            "number", "unit__code", "requester__username", "requester__full_name", "purpose", "executed_at",
            "expected_return_date",
        )
    )  # fmt: skip


def destruction_due_rows(report: Report) -> QuerySet[Any]:
    crates = _scoped(Crate.objects.all(), report).filter(rules.due_for_destruction_q(today=_today(report)))
    if report.filters.get("department"):
        crates = crates.filter(department_id=report.filters["department"])
    if report.filters.get("date_from"):
        crates = crates.filter(retention_until__gte=report.filters["date_from"])
    if report.filters.get("date_to"):
        crates = crates.filter(retention_until__lte=report.filters["date_to"])
    return (
        crates.order_by("retention_until", "number")
        .annotate(document_count=Count("documents"))
        .values_list("number", "unit__code", "department__name", "location__path", "retention_until", "document_count")
    )


def _int(value: Any) -> int:
    return int(value)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in {"true", "1", "yes"}:
        return True
    if str(value).lower() in {"false", "0", "no"}:
        return False
    raise ValueError(value)


def _date(value: Any) -> str:
    return datetime.date.fromisoformat(str(value)).isoformat()


def _str(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 100:
        raise ValueError(value)
    return value


def _crate_status(value: Any) -> str:
    if value not in Crate.Status.values:
        raise ValueError(value)
    return str(value)


def _document_status(value: Any) -> str:
    if value not in Document.Status.values:
        raise ValueError(value)
    return str(value)


SOURCES: dict[str, Source] = {
    Report.Kind.INVENTORY: Source(
        title="Inventory",
        headers=[
            "Crate",
            "Unit",
            "Department",
            "Status",
            "Location",
            "Description",
            "Retention until",
            "Legal hold",
            "Documents",
            "Created at",
        ],
        rows=inventory_rows,
        filters={
            "unit": _int,
            "status": _crate_status,
            "department": _int,
            "location": _int,
            "legal_hold": _bool,
            "due_for_destruction": _bool,
            "search": _str,
            "date_from": _date,
            "date_to": _date,
        },
    ),
    Report.Kind.DOCUMENTS: Source(
        title="Documents",
        headers=[
            "Document",
            "Title",
            "Type",
            "Record date",
            "Retention until",
            "Status",
            "Crate",
            "Unit",
            "Department",
            "Location",
            "Legal hold",
        ],
        rows=documents_rows,
        filters={
            "unit": _int,
            "search": _str,
            "status": _document_status,
            "document_type": _int,
            "department": _int,
            "crate": _int,
            "record_date_from": _date,
            "record_date_to": _date,
        },
    ),
    Report.Kind.AUDIT: Source(
        title="Audit trail",
        headers=AUDIT_COLUMNS,
        rows=audit_rows,
        filters={"unit": _int, "date_from": _date, "date_to": _date, "action": _str, "entity_type": _str},
    ),
    Report.Kind.OVERDUE: Source(
        title="Overdue withdrawals",
        headers=[
            "Request",
            "Unit",
            "Requester",
            "Requester name",
            "Purpose",
            "Issued at",
            "Expected return",
        ],
        rows=overdue_rows,
        filters={"unit": _int, "date_from": _date, "date_to": _date},
    ),
    Report.Kind.DESTRUCTION_DUE: Source(
        title="Due for destruction",
        headers=["Crate", "Unit", "Department", "Location", "Retention until", "Documents"],
        rows=destruction_due_rows,
        filters={"unit": _int, "department": _int, "date_from": _date, "date_to": _date},
    ),
}
