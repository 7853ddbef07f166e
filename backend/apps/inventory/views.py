"""Thin API over cycle counts and legacy imports (docs/api.md): parse, call a service, answer
with the fresh read."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request as HttpRequest
from rest_framework.response import Response

from apps.audit import services as audit
from apps.auth.models import Unit
from apps.auth.permissions import ActionPermission
from apps.core.errors import field_error
from apps.core.parsers import BoundedJSONParser
from apps.core.schema import READ_ERRORS, TRANSITION_ERRORS, WRITE_ERRORS
from apps.core.spreadsheet import cell
from apps.inventory import imports, reports, selectors, services
from apps.inventory.models import CountScan, InventoryCount, InventoryImport
from apps.inventory.serializers import (
    CountCancelSerializer,
    CountDetailSerializer,
    CountOpenSerializer,
    CountReviewSerializer,
    CountScanInputSerializer,
    CountScanResultSerializer,
    CountSerializer,
    ImportCreateSerializer,
    ImportSerializer,
)
from apps.policy import access
from apps.policy import capabilities as cap
from apps.storage.selectors import locations_for

SIGNATURE_ERRORS = {
    **TRANSITION_ERRORS,
    403: OpenApiResponse(
        description="Role lacks the capability (permission_denied), wrong password (invalid_signature), "
        "certification missing (certification_required), locked (account_locked) or the reviewer counted "
        "(segregation_of_duties)"
    ),
}


class FileFormatNegotiation(BaseContentNegotiation):
    """`?format=pdf|csv` picks the file the view writes, not a DRF renderer (which would answer
    404 for a format it has no renderer for); errors stay JSON."""

    def select_renderer(self, request: Any, renderers: Iterable[BaseRenderer], format_suffix: str | None = None) -> Any:
        first = next(iter(renderers))
        return first, first.media_type

    def select_parser(self, request: Any, parsers: Iterable[BaseParser]) -> Any:
        return DefaultContentNegotiation().select_parser(request, parsers)


def _input(serializer_class: Any, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@extend_schema_view(
    list=extend_schema(responses={200: CountSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: CountDetailSerializer, **READ_ERRORS}),
    create=extend_schema(request=CountOpenSerializer, responses={201: CountDetailSerializer, **TRANSITION_ERRORS}),
)
class CountViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Cycle counts of a location subtree (docs/workflows.md): open, scan, submit, review."""

    serializer_class = CountSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_permissions = {
        "create": cap.COUNT_CRATES,
        "scans": access.COUNT_ACTORS["scan"].capability,
        "submit": access.COUNT_ACTORS["submit"].capability,
        "cancel": access.COUNT_ACTORS["cancel"].capability,
        "review": access.COUNT_ACTORS["review"].capability,
    }
    filterset_fields = ["status", "location", "unit"]
    search_fields = ["number", "location__path"]
    ordering_fields = ["opened_at", "number", "status"]
    ordering = ["-opened_at", "-id"]

    def get_queryset(self) -> QuerySet[InventoryCount]:
        queryset = selectors.counts_for(self.request.user)
        if self.action == "list":
            queryset = queryset.prefetch_related(
                Prefetch("scans", queryset=CountScan.objects.only("id", "count_id", "scanned_by_id"))
            )
        return queryset

    def _detail(self, count: InventoryCount) -> dict[str, Any]:
        fresh = selectors.counts_for(self.request.user).get(pk=count.pk)
        fresh.result = selectors.count_result(fresh)  # type: ignore[attr-defined]
        fresh.resolution_list = selectors.count_resolutions(fresh)  # type: ignore[attr-defined]
        return dict(CountDetailSerializer(fresh, context=self.get_serializer_context()).data)

    def retrieve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        return Response(self._detail(self.get_object()))

    def create(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        data = _input(CountOpenSerializer, request.data)
        location = locations_for(request.user).filter(pk=data["location"]).first()
        if location is None:
            raise field_error("location", "No such location in your unit.")
        count = services.count_open(actor=request.user, location=location, comment=data["comment"])
        return Response(self._detail(count), status=status.HTTP_201_CREATED)

    @extend_schema(request=CountScanInputSerializer, responses={201: CountScanResultSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def scans(self, request: HttpRequest, pk: str | None = None) -> Response:
        count = self.get_object()
        data = _input(CountScanInputSerializer, request.data)
        location = locations_for(request.user).filter(pk=data["location"]).first()
        if location is None:
            raise field_error("location", "No such location in your unit.")
        scan = services.count_scan(actor=request.user, count=count, location=location, code=data["code"])
        body = {
            "code": scan.code,
            "crate": scan.crate_id,
            "number": scan.crate.number if scan.crate is not None else None,
            "location": location.pk,
            "location_path": location.path,
            "replaced": bool(getattr(scan, "replaced", False)),
            "count": self._detail(count),
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: CountDetailSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request: HttpRequest, pk: str | None = None) -> Response:
        return Response(self._detail(services.count_submit(actor=request.user, count=self.get_object())))

    @extend_schema(request=CountCancelSerializer, responses={200: CountDetailSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request: HttpRequest, pk: str | None = None) -> Response:
        data = _input(CountCancelSerializer, request.data)
        count = services.count_cancel(actor=request.user, count=self.get_object(), **data)
        return Response(self._detail(count))

    @extend_schema(request=CountReviewSerializer, responses={200: CountDetailSerializer, **SIGNATURE_ERRORS})
    @action(detail=True, methods=["post"])
    def review(self, request: HttpRequest, pk: str | None = None) -> Response:
        data = _input(CountReviewSerializer, request.data)
        count = services.count_review(
            actor=request.user,
            count=self.get_object(),
            password=data["password"],
            comment=data["comment"],
            resolutions=[dict(item) for item in data["resolutions"]],
        )
        return Response(self._detail(count))

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["pdf", "csv"], required=False)],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The count's report (PDF)"),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The count's report (?format=csv)"),
            **READ_ERRORS,
        },
    )
    @action(detail=True, methods=["get"], content_negotiation_class=FileFormatNegotiation)
    def report(self, request: HttpRequest, pk: str | None = None) -> HttpResponse:
        count = self.get_object()
        result = selectors.count_result(count)
        resolutions = {row["number"]: row["action"] for row in selectors.count_resolutions(count)}
        as_csv = request.query_params.get("format") == "csv"
        audit.record(
            action="count.report_exported", instance=count, actor=request.user, comment="CSV" if as_csv else "PDF"
        )
        if as_csv:
            response = HttpResponse(reports.count_report_csv(count, result, resolutions), content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="{count.number}.csv"'
            return response
        response = HttpResponse(reports.count_report_pdf(count, result, resolutions), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{count.number}.pdf"'
        return response


@extend_schema_view(
    list=extend_schema(responses={200: ImportSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: ImportSerializer, **READ_ERRORS}),
)
class ImportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Legacy inventory imports (docs/workflows.md): upload, background validation, commit."""

    serializer_class = ImportSerializer
    # The upload is multipart; the other actions take no body.
    parser_classes = [MultiPartParser, BoundedJSONParser]
    permission_classes = [IsAuthenticated, ActionPermission]
    action_permissions = {
        "list": cap.IMPORT_INVENTORY,
        "retrieve": cap.IMPORT_INVENTORY,
        "create": cap.IMPORT_INVENTORY,
        "commit": cap.IMPORT_INVENTORY,
        "report": cap.IMPORT_INVENTORY,
    }
    filterset_fields = ["status", "unit"]
    ordering_fields = ["created_at", "status"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[InventoryImport]:
        return selectors.imports_for(self.request.user)

    def _read(self, inventory_import: InventoryImport, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=inventory_import.pk)
        return Response(ImportSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(
        request={"multipart/form-data": ImportCreateSerializer}, responses={202: ImportSerializer, **WRITE_ERRORS}
    )
    def create(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        data = _input(ImportCreateSerializer, request.data)
        unit = None
        if data.get("unit") is not None:
            unit = Unit.objects.filter(pk=data["unit"]).first()
            if unit is None:
                raise field_error("unit", "No such unit.")
        upload = data["file"]
        created = imports.import_create(
            actor=request.user, unit=unit, file_name=upload.name or "upload", content=upload.read()
        )
        return self._read(created, status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: ImportSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def commit(self, request: HttpRequest, pk: str | None = None) -> Response:
        committed = imports.import_request_commit(actor=request.user, inventory_import=self.get_object())
        return self._read(committed, status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(description="Row by row: crate created or the error"),
            **READ_ERRORS,
        }
    )
    @action(detail=True, methods=["get"], content_negotiation_class=FileFormatNegotiation)
    def report(self, request: HttpRequest, pk: str | None = None) -> StreamingHttpResponse:
        inventory_import = InventoryImport.objects.get(pk=self.get_object().pk)
        rows = imports.report_rows(inventory_import)
        response = StreamingHttpResponse(
            (",".join(_csv_field(cell(value)) for value in row) + "\r\n" for row in rows), content_type="text/csv"
        )
        response["Content-Disposition"] = f'attachment; filename="import-{inventory_import.pk}-report.csv"'
        return response


def _csv_field(value: Any) -> str:
    text = str(value)
    if any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
