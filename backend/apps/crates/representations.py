"""Crates and documents as plain dicts for the reads the SPA makes most (the crates list, a
crate's page, the documents list and search): the same JSON as CrateSerializer,
CrateDetailSerializer and DocumentSerializer (tests compare them), without DRF's per-field
work, which was most of these reads' server time (a crate's page: its ten documents through a
22-field ModelSerializer each). They read the rows of selectors.crates_as_rows() and
selectors.documents_as_rows(): what a row shows of its unit, department, location, type and
creator is a plain value of the row.
"""

from collections.abc import Callable
from typing import Any

from apps.core.representations import iso_date as _date
from apps.core.representations import iso_datetime as _datetime
from apps.policy import access, rules


def crate_row(crate: Any, allowed_actions: Callable[[Any], list[str]]) -> dict[str, Any]:
    """CrateSerializer's answer for the user of `allowed_actions` (access.crate_allowed_actions_for)."""
    return {
        "id": crate.pk,
        "number": crate.number,
        "unit": crate.unit_id,
        "unit_code": crate.unit_code,
        "department": crate.department_id,
        "department_code": crate.department_code,
        "department_name": crate.department_name,
        "location": crate.location_id,
        "location_path": crate.location_path,
        "previous_location": crate.previous_location_id,
        "status": crate.status,
        "description": crate.description,
        "retention_until": _date(crate.retention_until),
        "retention_extended_until": _date(crate.retention_extended_until),
        "legal_hold": crate.legal_hold,
        "document_count": crate.document_count,
        "created_by": crate.created_by_id,
        "created_by_name": crate.created_by_name,
        "allowed_actions": allowed_actions(crate),
        "created_at": _datetime(crate.created_at),
        "updated_at": _datetime(crate.updated_at),
    }


def crate_detail_row(page: Any, user: Any) -> dict[str, Any]:
    """CrateDetailSerializer's answer for `user`: the crate of a selectors.CratePage with its
    documents and holds."""
    crate = page.crate
    row = crate_row(crate, access.crate_allowed_actions_for(user))
    row["documents"] = [document_row(document) for document in page.documents]
    row["holds"] = (
        list(rules.covering_holds(crate).order_by("number").values("id", "number", "title")) if crate.legal_hold else []
    )
    return row


def document_row(document: Any) -> dict[str, Any]:
    """DocumentSerializer's answer."""
    return {
        "id": document.pk,
        "crate": document.crate_id,
        "crate_number": document.crate_number,
        "crate_status": document.crate_status,
        "crate_legal_hold": document.crate_legal_hold,
        "unit": document.crate_unit,
        "unit_code": document.unit_code,
        "department_name": document.department_name,
        "location_path": document.location_path,
        "number": document.number,
        "title": document.title,
        "document_type": document.document_type_id,
        "document_type_code": document.document_type_code,
        "document_type_name": document.document_type_name,
        "record_date": _date(document.record_date),
        "trigger_date": _date(document.trigger_date),
        "retention_until": _date(document.retention_until),
        "status": document.status,
        "created_by": document.created_by_id,
        "created_by_name": document.created_by_name,
        "created_at": _datetime(document.created_at),
        "updated_at": _datetime(document.updated_at),
    }
