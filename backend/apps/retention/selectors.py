"""Read querysets for legal holds, the disposition review and schedule recomputes, unit-scoped,
with a fixed number of queries whatever the page size."""

import datetime
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.core.filters import ID_FILTERS, FilterSet
from apps.crates import selectors as crates_selectors
from apps.crates.models import Crate
from apps.policy import access, rules
from apps.retention.models import LegalHold, RetentionRecompute


def holds_for(user: Any) -> QuerySet[LegalHold]:
    """Holds of the user's unit and company-wide ones (System Administrator: all)."""
    queryset = LegalHold.objects.select_related(
        "unit", "department", "document_type", "placed_by", "released_by"
    ).prefetch_related("crates", "signatures")
    scope = access.unit_scope_q(user)
    return queryset if scope is None else queryset.filter(scope | Q(unit__isnull=True))


def hold_crates(user: Any, hold: LegalHold) -> QuerySet[Crate]:
    """The crates of the user's units that `hold` covers (while active; what it covered by its
    scope once released), in number order."""
    return crates_selectors.crates_for(user).filter(rules.covered_by_hold_q(hold.pk)).order_by("number")


def disposition_for(user: Any, *, within_days: int, today: datetime.date | None = None) -> QuerySet[Crate]:
    """Crates due for destruction now or within `within_days` days (the due rule at the window's
    end), not in an open request, with their documents; soonest first."""
    horizon = (today or timezone.localdate()) + datetime.timedelta(days=within_days)
    return (
        crates_selectors.crates_for(user, with_documents=True)
        .filter(rules.due_for_destruction_q(today=horizon))
        .filter(Q(has_open_items=False))
        .order_by("retention_until", "number")
    )


def recomputes_for(user: Any) -> QuerySet[RetentionRecompute]:
    return RetentionRecompute.objects.select_related("document_type", "requested_by")


class HoldFilter(FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Number, title or reason")

    class Meta:
        model = LegalHold
        fields = ["status", "unit"]
        filter_overrides = ID_FILTERS

    def filter_search(self, queryset: QuerySet[LegalHold], name: str, value: str) -> QuerySet[LegalHold]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value) | Q(reason__icontains=value))
