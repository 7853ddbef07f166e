from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from apps.auth import roles
from apps.auth.permissions import ActionPermission
from apps.core.schema import WRITE_ERRORS
from apps.crates import services
from apps.crates.models import DocumentType
from apps.crates.serializers import DocumentTypeSerializer


@extend_schema_view(
    create=extend_schema(responses={201: DocumentTypeSerializer, **WRITE_ERRORS}),
    update=extend_schema(responses={200: DocumentTypeSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(responses={200: DocumentTypeSerializer, **WRITE_ERRORS}),
)
class DocumentTypeViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Document types are shared by all units (retention is a company rule). Deactivate, don't delete."""

    serializer_class = DocumentTypeSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_permissions = {"*": roles.MANAGE_DOCUMENT_TYPES}
    filterset_fields = ["is_active"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "retention_years"]

    def get_queryset(self) -> QuerySet[DocumentType]:
        return DocumentType.objects.all()

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.document_type_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.document_type_update(
            actor=self.request.user, document_type=serializer.instance, data=serializer.validated_data
        )
