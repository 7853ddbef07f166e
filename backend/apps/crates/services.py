"""Crate and document services (numbering, retention, legal hold, relocation)."""

from typing import Any

from django.db import transaction

from apps.audit import services as audit
from apps.crates.models import DocumentType

DOCUMENT_TYPE_FIELDS = ["code", "name", "retention_years", "is_active"]


@transaction.atomic
def document_type_create(*, actor: Any, **fields: Any) -> DocumentType:
    document_type = DocumentType.objects.create(**fields)
    audit.record(action="document_type.created", instance=document_type,
                 changes=audit.created_changes(document_type, DOCUMENT_TYPE_FIELDS), actor=actor)
    return document_type


@transaction.atomic
def document_type_update(*, actor: Any, document_type: DocumentType, data: dict[str, Any]) -> DocumentType:
    document_type = DocumentType.objects.select_for_update().get(pk=document_type.pk)
    before = audit.snapshot(document_type, DOCUMENT_TYPE_FIELDS)
    for name, value in data.items():
        setattr(document_type, name, value)
    document_type.save()
    changes = audit.changes_between(before, audit.snapshot(document_type, DOCUMENT_TYPE_FIELDS))
    if changes:
        audit.record(action="document_type.updated", instance=document_type, changes=changes, actor=actor)
    return document_type
