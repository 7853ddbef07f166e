from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from apps.auth import roles
from apps.auth.permissions import ActionPermission
from apps.core.schema import WRITE_ERRORS
from apps.storage import services
from apps.storage.models import StorageLocation
from apps.storage.selectors import StorageLocationFilter, locations_for
from apps.storage.serializers import StorageLocationSerializer


@extend_schema_view(
    create=extend_schema(responses={201: StorageLocationSerializer, **WRITE_ERRORS}),
    update=extend_schema(responses={200: StorageLocationSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(responses={200: StorageLocationSerializer, **WRITE_ERRORS}),
)
class StorageLocationViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Storage locations (room / rack / shelf / bin). Deactivate instead of deleting: crates'
    history refers to them."""

    serializer_class = StorageLocationSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_permissions = {"*": roles.MANAGE_LOCATIONS}
    filterset_class = StorageLocationFilter
    search_fields = ["code", "name", "path"]
    ordering_fields = ["path", "code", "capacity", "occupied"]
    ordering = ["path"]

    def get_queryset(self) -> QuerySet[StorageLocation]:
        return locations_for(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.location_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.location_update(
            actor=self.request.user, location=serializer.instance, data=serializer.validated_data
        )
