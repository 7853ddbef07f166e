"""Storage locations: the hierarchy, and the only code that changes a location's occupancy.

Placing and removing crates goes through `occupancy_take` / `occupancy_release`, which lock
the location rows (SELECT .. FOR UPDATE, in id order so concurrent callers cannot deadlock)
before counting; the CHECK constraint occupied <= capacity backs them in the database.
"""

from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import F

from apps.audit import services as audit
from apps.core import domain_signals
from apps.core.errors import ApplicationError, field_error
from apps.policy import access, reasons
from apps.storage.models import StorageLocation

LOCATION_FIELDS = ["unit", "parent", "kind", "code", "name", "capacity", "is_active"]


def _path_for(name: str, parent: StorageLocation | None) -> str:
    return f"{parent.path} / {name}" if parent is not None else name


def _validate_parent(location: StorageLocation) -> None:
    parent = location.parent
    if parent is None:
        return
    if parent.unit_id != location.unit_id:
        raise field_error("parent", "The parent location belongs to another unit.")
    ancestor: StorageLocation | None = parent
    while ancestor is not None:
        if location.pk is not None and ancestor.pk == location.pk:
            raise field_error("parent", "A location cannot be inside itself.")
        ancestor = ancestor.parent


def _refresh_descendant_paths(location: StorageLocation) -> None:
    for child in StorageLocation.objects.filter(parent=location):
        child.path = _path_for(child.name, location)
        child.save(update_fields=["path", "updated_at"])
        _refresh_descendant_paths(child)


def _announce(location: StorageLocation, action: str) -> None:
    """After the commit, the receivers (apps.storage.signals: the broadcast) hear of the change."""
    domain_signals.location_changed.send_on_commit(sender=StorageLocation, location=location, action=action)


def _check_unit(actor: Any, unit_id: int | None) -> None:
    # `actor` None: the system itself (initial_setup, demo data), not a user.
    if actor is not None and unit_id is not None and not access.belongs_to_unit(actor, unit_id):
        raise field_error("unit", "You can only manage locations of your own unit.")


@transaction.atomic
def location_create(*, actor: Any, **fields: Any) -> StorageLocation:
    """A location of the actor's own unit (any unit for a System Administrator)."""
    location = StorageLocation(**fields)
    _check_unit(actor, location.unit_id)
    _validate_parent(location)
    if StorageLocation.objects.filter(unit=location.unit, code=location.code).exists():
        raise field_error("code", "A location with this code exists in this unit.")
    location.path = _path_for(location.name, location.parent)
    location.save()
    audit.record(
        action="location.created",
        instance=location,
        changes=audit.created_changes(location, LOCATION_FIELDS),
        actor=actor,
    )
    _announce(location, "created")
    return location


@transaction.atomic
def location_update(
    *, actor: Any, location: StorageLocation, data: dict[str, Any], reason: str = ""
) -> StorageLocation:
    """Change a location; a change of its capacity or parent needs `reason`
    (apps.policy.reasons), the audit event's comment."""
    location = StorageLocation.objects.select_for_update().get(pk=location.pk)
    if actor is not None and not access.belongs_to_unit(actor, location.unit_id):
        raise ApplicationError("Location not found.", code="not_found")  # another unit's: as the API's 404
    if "unit" in data:
        _check_unit(actor, data["unit"].pk)
    before = audit.snapshot(location, LOCATION_FIELDS)
    for name, value in data.items():
        setattr(location, name, value)
    if "unit" in data and data["unit"].pk != before["unit"]:
        raise field_error("unit", "A location cannot move to another unit.")
    _validate_parent(location)
    if (
        "code" in data
        and StorageLocation.objects.filter(unit=location.unit, code=location.code).exclude(pk=location.pk).exists()
    ):
        raise field_error("code", "A location with this code exists in this unit.")
    if location.capacity < location.occupied:
        raise field_error("capacity", f"The location holds {location.occupied} crates; capacity cannot be lower.")
    if not location.is_active and location.occupied:
        raise field_error("is_active", "A location that holds crates cannot be deactivated.")
    changes = audit.changes_between(before, audit.snapshot(location, LOCATION_FIELDS))
    reason = reasons.require_reason("location", changes, reason)
    location.path = _path_for(location.name, location.parent)
    location.save()
    if {"name", "parent"} & data.keys():
        _refresh_descendant_paths(location)
    if changes:
        audit.record(action="location.updated", instance=location, changes=changes, comment=reason, actor=actor)
        _announce(location, "updated")
    return location


def lock_locations(location_ids: list[int]) -> dict[int, StorageLocation]:
    """Lock the rows in id order (a fixed order prevents deadlocks between executions)."""
    locked = StorageLocation.objects.select_for_update().filter(pk__in=sorted(set(location_ids))).order_by("pk")
    return {location.pk: location for location in locked}


def occupancy_take(location_ids: list[int], *, unit_id: int) -> dict[int, StorageLocation]:
    """Reserve one place per entry of `location_ids` (repeats allowed) in the caller's transaction.

    Raises 409 `capacity_exceeded` if any location would go over capacity, 400 if a location
    is inactive, of another unit, or not a place for crates. Nothing changes on error.
    """
    wanted = Counter(location_ids)
    locations = lock_locations(list(wanted))
    for location_id, count in wanted.items():
        location = locations.get(location_id)
        if location is None or location.unit_id != unit_id:
            raise field_error("allocations", f"Location {location_id} is not a location of this unit.")
        if not location.is_active or location.capacity == 0:
            raise field_error("allocations", f"{location.path} is not an active place for crates.")
        if location.occupied + count > location.capacity:
            raise ApplicationError(
                f"{location.path} has {location.free} free place(s); {count} requested.",
                code="capacity_exceeded",
                extra={"location": location.pk, "free": location.free},
            )
    for location_id, count in wanted.items():
        StorageLocation.objects.filter(pk=location_id).update(occupied=F("occupied") + count)
        locations[location_id].occupied += count
        _announce(locations[location_id], "updated")
    return locations


def occupancy_release(location_ids: list[int]) -> None:
    """Free one place per entry of `location_ids` in the caller's transaction."""
    freed = Counter(location_id for location_id in location_ids if location_id is not None)
    locations = lock_locations(list(freed))
    for location_id, count in freed.items():
        StorageLocation.objects.filter(pk=location_id).update(occupied=F("occupied") - count)
        _announce(locations[location_id], "updated")
