"""Storage locations as plain dicts for the reads the SPA makes on every crate form (the
locations list, `?available=true`): the same JSON as StorageLocationSerializer (a test compares
them), without DRF's per-field work on every row of a page, the larger part of the list's
server time. They read the rows locations_for() loads (with the unit)."""

from typing import Any

from apps.core.representations import iso_datetime as _datetime


def location_row(location: Any) -> dict[str, Any]:
    """StorageLocationSerializer's answer (`reason` is write-only)."""
    return {
        "id": location.pk,
        "unit": location.unit_id,
        "unit_code": location.unit.code,
        "parent": location.parent_id,
        "kind": location.kind,
        "code": location.code,
        "barcode": location.barcode,
        "name": location.name,
        "capacity": location.capacity,
        "occupied": location.occupied,
        "free": location.free,
        "path": location.path,
        "is_active": location.is_active,
        "created_at": _datetime(location.created_at),
        "updated_at": _datetime(location.updated_at),
    }
