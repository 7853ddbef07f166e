from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.auth import readcache, roles
from apps.auth.permissions import ActionPermission
from apps.core import labels as core_labels
from apps.core import prepared_keys
from apps.core.pagination import paginated_rows
from apps.core.schema import READ_ERRORS, WRITE_ERRORS
from apps.storage import labels, representations, services
from apps.storage.models import StorageLocation
from apps.storage.selectors import StorageLocationFilter, location_list_for, location_rows_of_page, locations_for
from apps.storage.serializers import StorageLocationSerializer


@extend_schema_view(
    create=extend_schema(responses={201: StorageLocationSerializer, **WRITE_ERRORS}),
    update=extend_schema(responses={200: StorageLocationSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(responses={200: StorageLocationSerializer, **WRITE_ERRORS}),
)
class StorageLocationViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Storage locations (room / rack / shelf / bin). Deactivate instead of deleting: crates'
    history refers to them."""

    # Cached answers (apps/auth/readcache.py): they depend on the unit and permissions only.
    read_cache = {"list": readcache.UNIT, "retrieve": readcache.UNIT}

    serializer_class = StorageLocationSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_permissions = {"*": roles.MANAGE_LOCATIONS}
    filterset_class = StorageLocationFilter
    search_fields = ["code", "name", "path"]
    ordering_fields = ["path", "code", "capacity", "occupied"]
    ordering = ["path"]
    # A list page's rows, read by their keys with SQL compiled once (apps/core/pagination.py).
    page_rows_for_keys = staticmethod(location_rows_of_page)
    # Its keys query compiled once per shape (apps/core/prepared_keys.py): get_queryset reads
    # nothing of the reader but their id, their unit and whether they see every unit.
    prepared_keys_scope = prepared_keys.UNIT

    def get_queryset(self) -> QuerySet[StorageLocation]:
        if self.action == "list":  # the page's keys; its rows are read by page_rows_for_keys
            return location_list_for(self.request.user)
        return locations_for(self.request.user)

    # Reads as plain dicts: the same JSON as the serializer (apps/storage/representations.py).
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return paginated_rows(self, representations.location_row)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(representations.location_row(self.get_object()))

    def perform_create(self, serializer: Any) -> None:
        fields = dict(serializer.validated_data)
        fields.pop("reason", None)
        serializer.instance = services.location_create(actor=self.request.user, **fields)

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        serializer.instance = services.location_update(
            actor=self.request.user, location=serializer.instance, data=data, reason=reason
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **READ_ERRORS})
    @action(detail=True, methods=["get"], filter_backends=[])
    def label(self, request: Any, pk: str | None = None) -> HttpResponse:
        """A printable PDF label (100 x 70 mm) with the barcode as Code 128 and QR code."""
        location = self.get_object()
        core_labels.labels_printed(actor=request.user, printed=[location], codes=[location.barcode], fmt="single")
        response = HttpResponse(labels.location_label_pdf(location), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{location.barcode}.pdf"'
        return response
