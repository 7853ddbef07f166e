import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.audit import services
from apps.audit.models import AuditEvent, AuditReview
from apps.audit.serializers import AuditEventSerializer, ChainVerificationSerializer
from apps.audit_api import reviews
from apps.audit_api.selectors import AuditEventFilter, audit_events_for
from apps.audit_api.serializers import AuditReviewInputSerializer, AuditReviewSerializer
from apps.auth import roles
from apps.auth.permissions import ActionPermission
from apps.core.schema import FORBIDDEN, READ_ERRORS, WRITE_ERRORS
from apps.core.spreadsheet import cell

EXPORT_COLUMNS = [
    "sequence",
    "timestamp",
    "actor_username",
    "action",
    "entity_type",
    "entity_id",
    "entity_repr",
    "unit_id",
    "changes",
    "comment",
    "ip_address",
    "user_agent",
    "request_id",
    "prev_hash",
    "hash",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(queryset: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for event in queryset.iterator(chunk_size=2000):
        # Any stored text (a login name, a User-Agent) may be a formula: neutralised per cell.
        yield writer.writerow([cell(getattr(event, column)) for column in EXPORT_COLUMNS])


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail, read-only (events are never changed: writes answer 405)."""

    serializer_class = AuditEventSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_permissions = {
        "list": roles.READ_AUDIT,
        "retrieve": roles.READ_AUDIT,
        "export": roles.EXPORT_AUDIT,
        "verify": roles.READ_AUDIT,
    }
    filterset_class = AuditEventFilter
    search_fields = ["entity_repr", "actor_username", "action", "comment"]
    ordering_fields = ["sequence", "timestamp"]
    ordering = ["-sequence"]

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return audit_events_for(self.request.user)

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(description="CSV of the filtered events"), 403: FORBIDDEN}
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> StreamingHttpResponse:
        queryset = self.filter_queryset(self.get_queryset()).order_by("sequence")
        services.record(
            action="audit.exported",
            entity_type="audit",
            entity_repr="audit trail CSV",
            unit_id=None if request.user.is_system_admin else request.user.unit_id,  # type: ignore[union-attr]
            changes={"filters": [None, dict(request.query_params)]},
        )
        response = StreamingHttpResponse(_csv_rows(queryset), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        return response

    @extend_schema(responses={200: ChainVerificationSerializer, 403: FORBIDDEN})
    @action(detail=False, methods=["get"])
    def verify(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(services.verify_chain().as_dict())


@extend_schema_view(
    list=extend_schema(responses={200: AuditReviewSerializer(many=True), 403: FORBIDDEN}),
    retrieve=extend_schema(responses={200: AuditReviewSerializer, **READ_ERRORS, 403: FORBIDDEN}),
)
class AuditReviewViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Periodic reviews of the audit trail, newest first (docs/audit.md): read by whoever reads
    the audit trail (their unit's; a System Administrator all), recorded with an e-signature by
    an Approver or a System Administrator."""

    serializer_class = AuditReviewSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_permissions = {
        "list": roles.READ_AUDIT,
        "retrieve": roles.READ_AUDIT,
        "create": roles.REVIEW_AUDIT,
    }
    filterset_fields = ["unit"]
    ordering_fields = ["reviewed_at", "period_to"]
    ordering = ["-reviewed_at", "-id"]

    def get_queryset(self) -> QuerySet[AuditReview]:
        return reviews.reviews_for(self.request.user)

    @extend_schema(
        request=AuditReviewInputSerializer,
        responses={
            201: AuditReviewSerializer,
            **WRITE_ERRORS,
            403: OpenApiResponse(
                description="Role lacks the capability, wrong password (invalid_signature), "
                "certification_required or account_locked"
            ),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = AuditReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        review = reviews.audit_review_record(
            actor=request.user,
            period_from=values["from"],
            period_to=values["to"],
            unit=values.get("unit"),
            comment=values["comment"],
            password=values["password"],
        )
        return Response(
            AuditReviewSerializer(self.get_queryset().get(pk=review.pk)).data, status=status.HTTP_201_CREATED
        )
