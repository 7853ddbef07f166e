"""Read querysets for requests and send-backs: unit-scoped, with everything the serializers
touch loaded up front so a list costs the same number of queries at any page size."""

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet

from apps.auth.permissions import scope_to_unit
from apps.policy import access, rules
from apps.requests.models import Request, RequestItem, SendBack, SendBackItem


def request_items_queryset() -> QuerySet[RequestItem]:
    return RequestItem.objects.select_related("crate__location", "document", "source_location", "allocated_location")


def requests_for(user: Any) -> QuerySet[Request]:
    """Requests the user may see: their unit's, and transfers addressed to their unit."""
    queryset = Request.objects.select_related(
        "unit", "target_unit", "requester", "decided_by", "executed_by", "received_by"
    ).prefetch_related(Prefetch("items", queryset=request_items_queryset()), "signatures")
    return scope_to_unit(queryset, user, "unit", "target_unit")


class RequestFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Issued and past the expected return date")
    mine = django_filters.BooleanFilter(method="filter_mine", label="Raised by me")
    awaiting_my_action = django_filters.ChoiceFilter(
        method="filter_awaiting",
        choices=[(action, action) for action in access.AWAITED_REQUEST_ACTIONS],
        label="Waiting for me to approve, execute or receive",
    )

    class Meta:
        model = Request
        fields = ["status", "request_type", "unit", "target_unit", "requester"]

    def filter_overdue(self, queryset: QuerySet[Request], name: str, value: bool | None) -> QuerySet[Request]:
        if value is None:
            return queryset
        overdue = rules.overdue_q()
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_mine(self, queryset: QuerySet[Request], name: str, value: bool | None) -> QuerySet[Request]:
        if value is None:
            return queryset
        user = self.request.user  # type: ignore[union-attr]
        return queryset.filter(requester_id=user.pk) if value else queryset.exclude(requester_id=user.pk)

    def filter_awaiting(self, queryset: QuerySet[Request], name: str, value: str) -> QuerySet[Request]:
        if not value:
            return queryset
        return queryset.filter(access.awaiting_action_q(self.request.user, value))  # type: ignore[union-attr]


def sendbacks_for(user: Any) -> QuerySet[SendBack]:
    items = SendBackItem.objects.select_related("request_item__crate", "request_item__document", "location")
    queryset = SendBack.objects.select_related("request", "unit", "returned_by", "received_by").prefetch_related(
        Prefetch("items", queryset=items)
    )
    return scope_to_unit(queryset, user)


class SendBackFilter(django_filters.FilterSet):
    class Meta:
        model = SendBack
        fields = ["status", "request", "unit"]
