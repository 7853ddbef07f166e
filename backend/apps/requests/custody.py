"""Custody (docs/workflows.md): who has what out, with due dates; "out to me".

Items are out while an issued withdrawal holds them (`rules.in_custody_q`); the person who has
them is the withdrawal's requester. Reads only: every change of custody is a request or
send-back transition.
"""

from typing import Any

import django_filters
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import filters, serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request as HttpRequest
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.auth.permissions import scope_to_unit
from apps.core.filters import FilterSet, IdFilter
from apps.core.schema import READ_ERRORS
from apps.policy import rules
from apps.policy.states import SendBackStatus
from apps.requests.models import RequestItem, SendBackItem

# The people summary is one aggregate row per person with something out; a unit has a few
# hundred staff at most, so it is not paginated, but it is capped.
PEOPLE_LIMIT = 500


def custody_items_for(user: Any) -> QuerySet[RequestItem]:
    pending_sendback = SendBackItem.objects.filter(request_item=OuterRef("pk"), sendback__status=SendBackStatus.PENDING)
    queryset = (
        RequestItem.objects.filter(rules.in_custody_q())
        .select_related("request__requester", "request__unit", "crate", "document", "source_location")
        .annotate(on_pending_sendback=Exists(pending_sendback))
    )
    return scope_to_unit(queryset, user, "request__unit")


class CustodyFilter(FilterSet):
    mine = django_filters.BooleanFilter(method="filter_mine", label="Out to me")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Past the expected return date")
    requester = IdFilter(field_name="request__requester")
    unit = IdFilter(field_name="request__unit")

    class Meta:
        model = RequestItem
        fields: list[str] = []

    def filter_mine(self, queryset: QuerySet[RequestItem], name: str, value: bool | None) -> QuerySet[RequestItem]:
        if value is None:
            return queryset
        user = self.request.user  # type: ignore[union-attr]
        mine = Q(request__requester_id=user.pk)
        return queryset.filter(mine) if value else queryset.exclude(mine)

    def filter_overdue(self, queryset: QuerySet[RequestItem], name: str, value: bool | None) -> QuerySet[RequestItem]:
        if value is None:
            return queryset
        overdue = rules.custody_overdue_q()
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class CustodyItemSerializer(serializers.ModelSerializer):
    request_number = serializers.CharField(source="request.number")
    requester = serializers.IntegerField(source="request.requester_id")
    requester_name = serializers.CharField(source="request.requester.full_name")
    requester_username = serializers.CharField(source="request.requester.username")
    unit = serializers.IntegerField(source="request.unit_id")
    unit_code = serializers.CharField(source="request.unit.code")
    crate_number = serializers.CharField(source="crate.number")
    document_number = serializers.CharField(source="document.number", default=None)
    document_title = serializers.CharField(source="document.title", default=None)
    taken_from = serializers.CharField(source="source_location.path", default=None)
    issued_at = serializers.DateTimeField(source="request.executed_at")
    expected_return_date = serializers.DateField(source="request.expected_return_date")
    is_overdue = serializers.SerializerMethodField()
    on_pending_sendback = serializers.BooleanField()

    class Meta:
        model = RequestItem
        fields = [
            "id", "request", "request_number", "requester", "requester_name", "requester_username", "unit",
            "unit_code", "crate", "crate_number", "document", "document_number", "document_title", "taken_from",
            "issued_at", "expected_return_date", "is_overdue", "on_pending_sendback",
        ]  # fmt: skip
        read_only_fields = fields

    def get_is_overdue(self, item: RequestItem) -> bool:
        return rules.is_overdue(item.request)


@extend_schema(responses={200: CustodyItemSerializer(many=True), **READ_ERRORS})
class CustodyListView(ListAPIView):
    """Crates and documents out, soonest due first: `?mine=true` (out to me), `?requester=`,
    `?overdue=true`, `?unit=`."""

    serializer_class = CustodyItemSerializer
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = CustodyFilter
    ordering_fields = ["request__expected_return_date", "request__executed_at"]

    def get_queryset(self) -> QuerySet[RequestItem]:
        if getattr(self, "swagger_fake_view", False):
            return RequestItem.objects.none()
        return custody_items_for(self.request.user).order_by(
            "request__expected_return_date", "request__number", "crate__number", "document__number"
        )


class CustodyPersonSerializer(serializers.Serializer):
    requester = serializers.IntegerField()
    requester_name = serializers.CharField()
    requester_username = serializers.CharField()
    unit_code = serializers.CharField()
    crates = serializers.IntegerField(help_text="Whole crates out")
    documents = serializers.IntegerField(help_text="Single documents out")
    overdue = serializers.IntegerField(help_text="Items past their expected return date")
    next_due = serializers.DateField()


def custody_people_for(user: Any) -> list[dict[str, Any]]:
    today = timezone.localdate()
    rows = (
        custody_items_for(user)
        .order_by()
        .values(
            requester=F("request__requester_id"),
            requester_name=F("request__requester__full_name"),
            requester_username=F("request__requester__username"),
            unit_code=F("request__unit__code"),
        )
        .annotate(
            crates=Count("pk", filter=Q(document__isnull=True)),
            documents=Count("pk", filter=Q(document__isnull=False)),
            overdue=Count("pk", filter=rules.custody_overdue_q(today=today)),
            next_due=Min("request__expected_return_date"),
        )
        .order_by("-overdue", "next_due", "requester_name")
    )
    return list(rows[:PEOPLE_LIMIT])


class CustodyPeopleView(APIView):
    """Who has what: one row per person with items out, the most overdue first."""

    @extend_schema(responses={200: CustodyPersonSerializer(many=True), **READ_ERRORS})
    def get(self, request: HttpRequest) -> Response:
        return Response(CustodyPersonSerializer(custody_people_for(request.user), many=True).data)
