from typing import Any

import django_filters
from django.db.models import F, QuerySet

from apps.auth.permissions import scope_to_unit
from apps.storage.models import StorageLocation


def locations_for(user: Any) -> QuerySet[StorageLocation]:
    return scope_to_unit(StorageLocation.objects.select_related("unit"), user)


class StorageLocationFilter(django_filters.FilterSet):
    available = django_filters.BooleanFilter(method="filter_available", label="Has free capacity")
    root = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull")

    class Meta:
        model = StorageLocation
        fields = ["unit", "parent", "kind", "is_active"]

    def filter_available(
        self, queryset: QuerySet[StorageLocation], name: str, value: bool
    ) -> QuerySet[StorageLocation]:
        if value:
            return queryset.filter(is_active=True, capacity__gt=0, occupied__lt=F("capacity"))
        return queryset.exclude(is_active=True, capacity__gt=0, occupied__lt=F("capacity"))
