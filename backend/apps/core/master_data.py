"""Create and update of simple master data (units, departments, document types), audited.

One place for the pattern "lock, apply, diff, audit the change" so each master-data service
states only what is particular to it.
"""

from typing import Any, TypeVar

from django.db import models, transaction

from apps.audit import services as audit

M = TypeVar("M", bound=models.Model)


@transaction.atomic
def audited_create(model: type[M], *, actor: Any, entity: str, audit_fields: list[str], **fields: Any) -> M:
    instance = model._default_manager.create(**fields)
    extra = {"unit_id": instance.pk} if entity == "unit" else {}
    audit.record(
        action=f"{entity}.created",
        instance=instance,
        changes=audit.created_changes(instance, audit_fields),
        actor=actor,
        **extra,
    )
    return instance


@transaction.atomic
def audited_update(
    instance: M, *, actor: Any, entity: str, audit_fields: list[str], data: dict[str, Any], comment: str = ""
) -> M:
    """Apply `data` under a row lock; audit the fields that really changed (none: no event)."""
    locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    before = audit.snapshot(locked, audit_fields)
    for name, value in data.items():
        setattr(locked, name, value)
    locked.save()
    changes = audit.changes_between(before, audit.snapshot(locked, audit_fields))
    if changes:
        extra = {"unit_id": locked.pk} if entity == "unit" else {}
        audit.record(
            action=f"{entity}.updated", instance=locked, changes=changes, actor=actor, comment=comment, **extra
        )
    return locked
