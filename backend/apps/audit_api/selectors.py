from typing import Any

import django_filters
from django.db.models import QuerySet

from apps.audit.models import AuditEvent
from apps.auth.permissions import scope_to_unit
from apps.core.filters import ID_FILTERS, FilterSet


def audit_events_for(user: Any) -> QuerySet[AuditEvent]:
    """Events the user may read: all for a System Administrator, else their unit's."""
    return scope_to_unit(AuditEvent.objects.all(), user)


class AuditEventFilter(FilterSet):
    timestamp_after = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte")
    timestamp_before = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="lte")
    date_from = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__lte")
    actor_username = django_filters.CharFilter(lookup_expr="iexact")
    action = django_filters.CharFilter()
    action_prefix = django_filters.CharFilter(field_name="action", lookup_expr="startswith")

    class Meta:
        model = AuditEvent
        fields = ["actor", "entity_type", "entity_id", "unit", "request_id"]
        filter_overrides = ID_FILTERS
