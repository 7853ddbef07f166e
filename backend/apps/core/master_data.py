"""Create and update of simple master data (units, departments, document types), audited.

One place for the pattern "lock, apply, diff, audit the change" so each master-data service
states only what is particular to it.
"""

from collections.abc import Callable
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
    instance: M,
    *,
    actor: Any,
    entity: str,
    audit_fields: list[str],
    data: dict[str, Any],
    comment: str = "",
    reason_for: Callable[[dict[str, list[Any]]], str] | None = None,
) -> M:
    """Apply `data` under a row lock; audit the fields that really changed (none: no event).

    `reason_for(changes)`, asked before anything is saved, returns the audit event's comment or
    raises (a change that needs a reason without one: apps.policy.reasons)."""
    locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    before = audit.snapshot(locked, audit_fields)
    for name, value in data.items():
        setattr(locked, name, value)
    changes = audit.changes_between(before, audit.snapshot(locked, audit_fields))
    if reason_for is not None:
        comment = reason_for(changes)
    locked.save()
    if changes:
        extra = {"unit_id": locked.pk} if entity == "unit" else {}
        audit.record(
            action=f"{entity}.updated", instance=locked, changes=changes, actor=actor, comment=comment, **extra
        )
    return locked
