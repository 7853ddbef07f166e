"""Requests as plain dicts for the list: the same JSON as RequestSerializer (a test compares
the two on requests of every type and state), without DRF's per-field work.

The requests list is the most expensive read of the SPA: 25 requests, each with its items and
signatures, went through three nested ModelSerializers, whose field objects are built and
walked again for every row, after Django's prefetch had built a queryset per request. Here
the requests come from selectors.requests_as_rows() (their users' names and units' codes as
values of the row), their items and signatures as column values, and dates are formatted as
DRF does (ISO 8601, UTC as "Z").
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType

from apps.core.prepared import PreparedRead, any_of
from apps.core.representations import iso_date as _date
from apps.core.representations import iso_datetime as _datetime
from apps.policy import access, rules
from apps.requests.models import Request, RequestItem
from apps.signatures.models import Signature

# What each item shows, and the column it comes from (one query for the page's items).
_ITEM_COLUMNS = {
    "id": "id",
    "crate": "crate_id",
    "crate_number": "crate__number",
    "crate_status": "crate__status",
    "document": "document_id",
    "document_number": "document__number",
    "document_title": "document__title",
    "is_open": "is_open",
    "returned_at": "returned_at",
    "source_location": "source_location_id",
    "source_location_path": "source_location__path",
    "source_unit_code": "source_location__unit__code",
    "allocated_location": "allocated_location_id",
    "allocated_location_path": "allocated_location__path",
    "location_path": "crate__location__path",
    "location_unit_code": "crate__location__unit__code",
}
_SIGNATURE_COLUMNS = ("id", "meaning", "full_name", "username", "comment", "signed_at", "content_hash")


def _item_columns(items: Any) -> Any:
    return items.order_by("id").values("request_id", *_ITEM_COLUMNS.values())


def _items_queryset(shape: str, *, keys: list[int]) -> Any:
    return _item_columns(RequestItem.objects.filter(any_of("request_id", keys)))


# On PostgreSQL a prepared read (apps/core/prepared.py): one SQL text for any number of
# requests, so PostgreSQL keeps its plan of these seven joins instead of planning them for
# every page (1.2 ms of planning for 0.2 ms of running, OPTIMIZATIONS.md §2.L).
_items = PreparedRead[Any](_items_queryset)


def _items_by_request(request_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    rows = _items.fetch("page", keys=request_ids)
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        item = {name: row[column] for name, column in _ITEM_COLUMNS.items()}
        item["returned_at"] = _datetime(item["returned_at"])
        grouped[row["request_id"]].append(item)
    return grouped


def _signatures_queryset(shape: str, *, subject_type: int, keys: list[int]) -> Any:
    return (
        Signature.objects.filter(any_of("subject_id", keys), subject_type_id=subject_type)
        .order_by("signed_at", "id")
        .values("subject_id", *_SIGNATURE_COLUMNS)
    )


_signatures = PreparedRead[Any](_signatures_queryset)


def _signatures_by_request(request_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    subject_type = ContentType.objects.get_for_model(Request).pk  # cached by Django after the first
    rows = _signatures.fetch("page", subject_type=subject_type, keys=request_ids)
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        signature = {name: row[name] for name in _SIGNATURE_COLUMNS}
        signature["signed_at"] = _datetime(signature["signed_at"])
        grouped[row["subject_id"]].append(signature)
    return grouped


def request_rows(requests: Sequence[Any], user: Any) -> list[dict[str, Any]]:
    """RequestSerializer's answer for each of `requests` (loaded by selectors.requests_as_rows()):
    the page's items and signatures in one query each, as column values. Django's prefetch
    built a filtered queryset for every request of the page (half the list's time)."""
    ids = [request.pk for request in requests]
    items, signatures = _items_by_request(ids), _signatures_by_request(ids)
    return [request_row(request, user, items[request.pk], signatures[request.pk]) for request in requests]


def request_row(
    request: Any, user: Any, items: list[dict[str, Any]], signatures: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": request.pk,
        "number": request.number,
        "request_type": request.request_type,
        "status": request.status,
        "unit": request.unit_id,
        "unit_code": request.unit_code,
        "requester": request.requester_id,
        "requester_name": request.requester_name,
        "purpose": request.purpose,
        "expected_return_date": _date(request.expected_return_date),
        "target_unit": request.target_unit_id,
        "target_unit_code": request.target_unit_code,
        "items": items,
        "submitted_at": _datetime(request.submitted_at),
        "decided_by": request.decided_by_id,
        "decided_by_name": request.decided_by_name,
        "decided_at": _datetime(request.decided_at),
        "decision_comment": request.decision_comment,
        "executed_by": request.executed_by_id,
        "executed_by_name": request.executed_by_name,
        "executed_at": _datetime(request.executed_at),
        "received_by": request.received_by_id,
        "received_by_name": request.received_by_name,
        "received_at": _datetime(request.received_at),
        "completed_at": _datetime(request.completed_at),
        "cancelled_at": _datetime(request.cancelled_at),
        "destruction_method": request.destruction_method,
        "destruction_vendor": request.destruction_vendor,
        "destruction_witness": request.destruction_witness_id,
        "destruction_witness_name": request.destruction_witness_name,
        "certificate_sha256": request.certificate_sha256,
        "is_overdue": rules.is_overdue(request),
        "signatures": signatures,
        "allowed_actions": access.request_allowed_actions(
            user, request, has_open_items=any(item["is_open"] for item in items)
        ),
        "created_at": _datetime(request.created_at),
        "updated_at": _datetime(request.updated_at),
    }
