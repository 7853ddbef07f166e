from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.schema import CONFLICT, READ_ERRORS, WRITE_ERRORS
from apps.reports import services
from apps.reports.models import Report
from apps.reports.serializers import ReportRequestSerializer, ReportSerializer
from apps.reports.writers import CONTENT_TYPES


@extend_schema_view(
    list=extend_schema(responses={200: ReportSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: ReportSerializer, **READ_ERRORS}),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Background exports (docs/background.md). Each user sees their own reports only; the rows of a report
    are limited to what its requester may see (their unit; all units for a System Administrator)."""

    serializer_class = ReportSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["status", "report", "format"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]

    def get_queryset(self) -> QuerySet[Report]:
        user = self.request.user
        if not user.is_authenticated:  # the schema generator's anonymous probe
            return Report.objects.none()
        return Report.objects.filter(user_id=user.pk)

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportSerializer, **WRITE_ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_request(user=request.user, **serializer.validated_data)
        report.refresh_from_db()  # an eager run (no Redis) may already have finished it
        return Response(ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(description="The CSV or XLSX file"),
            409: CONFLICT,
            **READ_ERRORS,
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: Any = None) -> FileResponse:
        report = self.get_object()
        path = services.report_download(user=request.user, report=report)
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=services.download_name(report),
            content_type=CONTENT_TYPES[report.format],
        )
