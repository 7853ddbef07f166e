from typing import Any

import django_filters
from django.db.models import F, QuerySet

from apps.auth.permissions import scope_to_unit
from apps.core.filters import ID_FILTERS, FilterSet
from apps.core.prepared import PreparedRead, any_of
from apps.storage.models import StorageLocation


def locations_for(user: Any) -> QuerySet[StorageLocation]:
    return scope_to_unit(StorageLocation.objects.select_related("unit"), user)


def location_list_for(user: Any) -> QuerySet[StorageLocation]:
    """The locations a list pages through: `locations_for(user)` without the unit's join (a
    page's keys are chosen from it; its rows are read by `location_rows_of_page`)."""
    return scope_to_unit(StorageLocation.objects.all(), user)


_location_rows = PreparedRead(
    lambda shape, *, keys: StorageLocation.objects.select_related("unit").filter(any_of("pk", keys))
)


def location_rows_of_page(keys: list[int]) -> list[StorageLocation]:
    """The locations of a list page, as `locations_for()` reads them. `keys` were picked from the
    reader's scoped, filtered list (apps/core/pagination.py): no scope is applied again."""
    return _location_rows.fetch("page", keys=keys)


class StorageLocationFilter(FilterSet):
    available = django_filters.BooleanFilter(method="filter_available", label="Has free capacity")
    root = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull")

    class Meta:
        model = StorageLocation
        fields = ["unit", "parent", "kind", "is_active"]
        filter_overrides = ID_FILTERS

    # Its SQL depends on the value alone (apps/core/prepared_keys.py may hold it in a shape).
    value_only_methods = frozenset({"available"})

    def filter_available(
        self, queryset: QuerySet[StorageLocation], name: str, value: bool
    ) -> QuerySet[StorageLocation]:
        if value:
            return queryset.filter(is_active=True, capacity__gt=0, occupied__lt=F("capacity"))
        return queryset.exclude(is_active=True, capacity__gt=0, occupied__lt=F("capacity"))


def subtree_ids(location_ids: list[int]) -> list[int]:
    """The given locations and every location inside them (parents before their children),
    from one query over their units' locations; ids that are no location are left out."""
    rows = list(
        StorageLocation.objects.filter(
            unit_id__in=StorageLocation.objects.filter(pk__in=location_ids).values("unit_id")
        ).values_list("id", "parent_id")
    )
    known = {pk for pk, _ in rows}
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in rows:
        children.setdefault(parent_id, []).append(pk)
    found: list[int] = []
    seen: set[int] = set()
    level = [pk for pk in dict.fromkeys(location_ids) if pk in known]
    while level:
        level = [pk for pk in level if pk not in seen]
        seen.update(level)
        found.extend(level)
        level = [child for pk in level for child in children.get(pk, [])]
    return found


def ancestor_ids(location: StorageLocation) -> list[int]:
    """The locations above `location`, nearest first."""
    ids: list[int] = []
    parent_id = location.parent_id
    while parent_id is not None and parent_id not in ids:
        ids.append(parent_id)
        parent_id = StorageLocation.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return ids
