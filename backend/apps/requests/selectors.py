"""Read querysets for requests and send-backs: unit-scoped, with everything the serializers
touch loaded up front so a list costs the same number of queries at any page size."""

from typing import Any

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.auth import roles
from apps.auth.permissions import scope_to_unit
from apps.requests.models import Request, RequestItem, SendBack, SendBackItem


def request_items_queryset() -> QuerySet[RequestItem]:
    return RequestItem.objects.select_related("crate__location", "document", "source_location", "allocated_location")


def requests_for(user: Any) -> QuerySet[Request]:
    """Requests the user may see: their unit's, and transfers addressed to their unit."""
    queryset = Request.objects.select_related(
        "unit", "target_unit", "requester", "decided_by", "executed_by", "received_by"
    ).prefetch_related(Prefetch("items", queryset=request_items_queryset()), "signatures")
    return scope_to_unit(queryset, user, "unit", "target_unit")


def overdue_q(today: Any = None) -> Q:
    return Q(status=Request.Status.ISSUED, expected_return_date__lt=today or timezone.localdate())


def awaiting_action_q(user: Any, action: str) -> Q:
    """Requests waiting for `user` to approve, execute or receive (never their own decisions:
    segregation of duties)."""
    unit_filter = Q() if user.is_system_admin else Q(unit_id=user.unit_id)
    if action == "approve":
        if not user.has_perm(roles.APPROVE_REQUESTS):
            return Q(pk__in=[])
        return unit_filter & Q(status=Request.Status.SUBMITTED) & ~Q(requester_id=user.pk)
    if action == "execute":
        if not user.has_perm(roles.EXECUTE_REQUESTS):
            return Q(pk__in=[])
        return unit_filter & Q(status=Request.Status.APPROVED) & ~Q(decided_by_id=user.pk)
    if action == "receive":
        if not user.has_perm(roles.EXECUTE_REQUESTS):
            return Q(pk__in=[])
        target_filter = Q() if user.is_system_admin else Q(target_unit_id=user.unit_id)
        return (
            target_filter
            & Q(request_type=Request.Type.TRANSFER, status=Request.Status.IN_TRANSIT)
            & ~Q(decided_by_id=user.pk)
        )
    return Q(pk__in=[])


class RequestFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Issued and past the expected return date")
    mine = django_filters.BooleanFilter(method="filter_mine", label="Raised by me")
    awaiting_my_action = django_filters.ChoiceFilter(
        method="filter_awaiting",
        choices=[("approve", "approve"), ("execute", "execute"), ("receive", "receive")],
        label="Waiting for me to approve, execute or receive",
    )

    class Meta:
        model = Request
        fields = ["status", "request_type", "unit", "target_unit", "requester"]

    def filter_overdue(self, queryset: QuerySet[Request], name: str, value: bool | None) -> QuerySet[Request]:
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())

    def filter_mine(self, queryset: QuerySet[Request], name: str, value: bool | None) -> QuerySet[Request]:
        if value is None:
            return queryset
        user = self.request.user  # type: ignore[union-attr]
        return queryset.filter(requester_id=user.pk) if value else queryset.exclude(requester_id=user.pk)

    def filter_awaiting(self, queryset: QuerySet[Request], name: str, value: str) -> QuerySet[Request]:
        if not value:
            return queryset
        return queryset.filter(awaiting_action_q(self.request.user, value))  # type: ignore[union-attr]


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
