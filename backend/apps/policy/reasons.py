"""Reason for change (EU GMP Annex 11 §9; docs/audit.md, "Reasons for change").

A change that affects records must say why, and the audit event keeps the reason as its
comment. Which changes those are is written here once; every service that makes one (and so
the API and the Django admin, which call the services) asks `require_reason` with the changes
it is about to save, before it saves them: a refused change changes nothing.

- a document type: any change (its schedule decides when records may be destroyed; its code
  and name are what records are filed under);
- a storage location: its capacity or its parent (where crates are, and how many fit);
- a unit: its deactivation;
- a crate or a document: any correction of its data once stored in the system.
"""

from typing import Any

from apps.core.errors import field_error

REASON_MESSAGE = "Give the reason for this change."

# Entity -> the fields whose change needs a reason (None: any field).
REASON_FIELDS: dict[str, frozenset[str] | None] = {
    "document_type": None,
    "location": frozenset({"capacity", "parent"}),
    "unit": frozenset({"is_active"}),
    "crate": None,
    "document": None,
}


def needs_reason(entity: str, changes: dict[str, list[Any]]) -> bool:
    """`changes` ({field: [old, new]}, only fields that really change) of `entity` need a reason."""
    if entity not in REASON_FIELDS or not changes:
        return False
    if entity == "unit":
        # Deactivating a unit stops its work; reactivating it or renaming it does not.
        return changes.get("is_active") == [True, False]
    fields = REASON_FIELDS[entity]
    return fields is None or bool(fields & changes.keys())


def given_reason(reason: str | None) -> str:
    """The reason, trimmed; 400 `{"reason": [...]}` when it is missing or only spaces."""
    text = (reason or "").strip()
    if not text:
        raise field_error("reason", REASON_MESSAGE)
    return text


def require_reason(entity: str, changes: dict[str, list[Any]], reason: str | None) -> str:
    """The trimmed reason ("" when none is needed and none given); 400 on `reason` when the
    changes need one and it is missing or blank."""
    if needs_reason(entity, changes):
        return given_reason(reason)
    return (reason or "").strip()
