"""What each export contains (docs/background.md): columns and a unit-scoped queryset of value tuples.

Rows are read with `.iterator()` (a server-side cursor on PostgreSQL) as plain tuples, so an
export of 100,000 rows never holds more than one chunk in memory.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.auth.permissions import scope_to_unit
from apps.crates.models import Crate
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


def inventory_rows(report: Report) -> QuerySet[Any]:
    filters = report.filters
    crates = _scoped(Crate.objects.all(), report)
    if filters.get("status"):
        crates = crates.filter(status=filters["status"])
    if filters.get("department"):
        crates = crates.filter(department_id=filters["department"])
    if filters.get("location"):
        crates = crates.filter(location_id=filters["location"])
    if filters.get("legal_hold") is not None:
        crates = crates.filter(legal_hold=filters["legal_hold"])
    return (
        crates.order_by("unit__code", "number")
        .annotate(document_count=Count("documents"))
        .values_list(
            "number", "unit__code", "department__name", "status", "location__path", "description",
            "retention_until", "legal_hold", "document_count", "created_at",
        )
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
    return (
        _scoped(Request.objects.all(), report)
        .filter(rules.overdue_q(today=_today(report)))
        .order_by("expected_return_date", "number")
        .values_list(
            "number", "unit__code", "requester__username", "requester__full_name", "purpose", "executed_at",
            "expected_return_date",
        )
    )  # fmt: skip


def destruction_due_rows(report: Report) -> QuerySet[Any]:
    crates = _scoped(Crate.objects.all(), report).filter(rules.due_for_destruction_q(today=_today(report)))
    if report.filters.get("department"):
        crates = crates.filter(department_id=report.filters["department"])
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
        filters={"unit": _int, "status": _crate_status, "department": _int, "location": _int, "legal_hold": _bool},
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
        filters={"unit": _int},
    ),
    Report.Kind.DESTRUCTION_DUE: Source(
        title="Due for destruction",
        headers=["Crate", "Unit", "Department", "Location", "Retention until", "Documents"],
        rows=destruction_due_rows,
        filters={"unit": _int, "department": _int},
    ),
}
