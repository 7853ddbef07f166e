from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.audit.serializers import AuditEventSerializer
from apps.auth import readcache, roles
from apps.auth.permissions import ActionPermission, scope_to_unit
from apps.core import labels as core_labels
from apps.core import prepared_keys
from apps.core.pagination import paginated_rows
from apps.core.schema import BAD_REQUEST, CONFLICT, READ_ERRORS, TRANSITION_ERRORS, WRITE_ERRORS
from apps.crates import labels, representations, selectors, services
from apps.crates.models import Crate, Document, DocumentType
from apps.crates.serializers import (
    CrateCreateSerializer,
    CrateDetailSerializer,
    CrateNeighboursSerializer,
    CrateSerializer,
    CrateUpdateSerializer,
    DocumentSerializer,
    DocumentTypeSerializer,
    DocumentWriteSerializer,
    LabelsInputSerializer,
    RelocateSerializer,
    ScanQuerySerializer,
    ScanResultSerializer,
)
from apps.policy import access, capabilities
from apps.storage.labels import location_label


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


@extend_schema_view(
    list=extend_schema(responses={200: CrateSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: CrateDetailSerializer, **READ_ERRORS}),
    create=extend_schema(request=CrateCreateSerializer, responses={201: CrateDetailSerializer, **WRITE_ERRORS}),
    update=extend_schema(request=CrateUpdateSerializer, responses={200: CrateDetailSerializer, **TRANSITION_ERRORS}),
    partial_update=extend_schema(
        request=CrateUpdateSerializer, responses={200: CrateDetailSerializer, **TRANSITION_ERRORS}
    ),
    destroy=extend_schema(responses={204: None, **TRANSITION_ERRORS}),
)
class CrateViewSet(viewsets.ModelViewSet):
    """Crates of the user's unit (all units for a System Administrator).

    Create / edit / delete only in `draft`; status and location change only through the
    request workflow and relocation.
    """

    # Cached answers (apps/auth/readcache.py): they depend on the unit and permissions only.
    read_cache = {"list": readcache.UNIT, "retrieve": readcache.UNIT}

    permission_classes = [IsAuthenticated, ActionPermission]
    action_permissions = {
        "create": capabilities.CREATE_CRATES,
        "update": access.CRATE_ACTORS["edit"].capability,
        "partial_update": access.CRATE_ACTORS["edit"].capability,
        "destroy": access.CRATE_ACTORS["delete"].capability,
        "relocate": access.CRATE_ACTORS["relocate"].capability,
    }
    # Search (number, description, a document's number) is a filter of CrateFilter.
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = selectors.CrateFilter
    ordering_fields = ["number", "status", "retention_until", "created_at", "updated_at"]
    serializer_class = CrateSerializer
    # A list page's rows, read by their keys with SQL compiled once (apps/core/pagination.py).
    page_rows_for_keys = staticmethod(selectors.crate_rows_of_page)
    # Its keys query compiled once per shape (apps/core/prepared_keys.py): get_queryset reads
    # nothing of the reader but their id, their unit and whether they see every unit.
    prepared_keys_scope = prepared_keys.UNIT

    def get_queryset(self) -> QuerySet[Crate]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Crate.objects.none()
        if self.action == "list":  # the page's keys; its rows are read by page_rows_for_keys
            return selectors.crate_list_for(self.request.user)
        return selectors.crates_for(self.request.user, with_documents=self.action == "retrieve")

    def get_serializer_class(self) -> type:
        return CrateSerializer if self.action == "list" else CrateDetailSerializer

    # Reads as plain dicts: the same JSON as the serializers (apps/crates/representations.py).
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        allowed_actions = access.crate_allowed_actions_for(request.user)
        return paginated_rows(self, lambda crate: representations.crate_row(crate, allowed_actions))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            page = selectors.crate_page(request.user, int(kwargs["pk"]))
        except (TypeError, ValueError):
            page = None
        if page is None:
            raise Http404
        self.check_object_permissions(request, page.crate)
        return Response(representations.crate_detail_row(page, request.user))

    def _detail(self, crate: Crate, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.crate_page(self.request.user, crate.pk)
        if fresh is None:  # written a moment ago by this user, within their unit
            raise Http404
        return Response(representations.crate_detail_row(fresh, self.request.user), status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CrateCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        crate = services.crate_create(actor=request.user, **data.validated_data)
        return self._detail(crate, status_code=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        crate = self.get_object()
        data = CrateUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        reason = fields.pop("reason", "")
        crate = services.crate_update(actor=request.user, crate=crate, data=fields, reason=reason)
        return self._detail(crate)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.crate_delete(actor=request.user, crate=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=RelocateSerializer,
        responses={
            200: CrateDetailSerializer,
            **TRANSITION_ERRORS,
            409: OpenApiResponse(description="Not stored (invalid_transition) or location full (capacity_exceeded)"),
        },
    )
    @action(detail=True, methods=["post"])
    def relocate(self, request: Request, pk: str | None = None) -> Response:
        crate = self.get_object()
        data = RelocateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        crate = services.crate_relocate(actor=request.user, crate=crate, location=data.validated_data["location"])
        return self._detail(crate)

    @extend_schema(responses={200: AuditEventSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        """The audit events of the crate and of its documents, oldest first."""
        crate = self.get_object()
        return Response(AuditEventSerializer(selectors.crate_history(crate), many=True).data)

    @extend_schema(responses={200: CrateNeighboursSerializer, **READ_ERRORS})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def neighbours(self, request: Request, pk: str | None = None) -> Response:
        """The crate's location (its previous one while it is out), the other crates there, and the
        crates of the sibling locations just before and after it."""
        crate = self.get_object()
        return Response(CrateNeighboursSerializer(selectors.crate_neighbours(request.user, crate)).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **READ_ERRORS})
    @action(detail=True, methods=["get"], filter_backends=[])
    def label(self, request: Request, pk: str | None = None) -> HttpResponse:
        """A printable PDF label (100 x 70 mm) with the number as Code 128 barcode and QR code."""
        crate = self.get_object()
        core_labels.labels_printed(actor=request.user, printed=[crate], codes=[crate.number], fmt="single")
        response = HttpResponse(labels.crate_label_pdf(crate), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{crate.number}.pdf"'
        return response


@extend_schema_view(
    list=extend_schema(responses={200: DocumentSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: DocumentSerializer, **READ_ERRORS}),
    create=extend_schema(request=DocumentWriteSerializer, responses={201: DocumentSerializer, **TRANSITION_ERRORS}),
    update=extend_schema(request=DocumentWriteSerializer, responses={200: DocumentSerializer, **TRANSITION_ERRORS}),
    partial_update=extend_schema(
        request=DocumentWriteSerializer, responses={200: DocumentSerializer, **TRANSITION_ERRORS}
    ),
    destroy=extend_schema(responses={204: None, **TRANSITION_ERRORS}),
)
class DocumentViewSet(viewsets.ModelViewSet):
    """Documents of the user's unit's crates. Create / edit / delete only in draft crates;
    `retention_until` = record_date + the type's retention_years."""

    # Cached answers (apps/auth/readcache.py): they depend on the unit and permissions only.
    read_cache = {"list": readcache.UNIT, "retrieve": readcache.UNIT}

    permission_classes = [IsAuthenticated, ActionPermission]
    action_permissions = {
        "create": "crates.add_document",
        "update": "crates.change_document",
        "partial_update": "crates.change_document",
        "destroy": "crates.delete_document",
    }
    serializer_class = DocumentSerializer
    page_rows_for_keys = staticmethod(selectors.document_rows_of_page)
    # Its keys query compiled once per shape (apps/core/prepared_keys.py): get_queryset reads
    # nothing of the reader but their id, their unit and whether they see every unit.
    prepared_keys_scope = prepared_keys.UNIT
    # Search (number, title, the crate's number) is a filter of DocumentFilter. Its matches are
    # a union of index scans, all computed before they are ordered: counted and paged from one
    # computation (apps/core/pagination.py).
    keys_matched_whole_for = ("search",)
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = selectors.DocumentFilter
    ordering_fields = ["number", "title", "record_date", "retention_until", "created_at"]

    def get_queryset(self) -> QuerySet[Document]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Document.objects.none()
        if self.action == "list":  # the page's keys; its rows are read by page_rows_for_keys
            return selectors.document_list_for(self.request.user)
        documents = selectors.documents_for(self.request.user)
        # A document's page reads what its row shows (representations.document_row).
        return selectors.documents_as_rows(documents) if self.action == "retrieve" else documents

    # Reads as plain dicts: the same JSON as DocumentSerializer (apps/crates/representations.py).
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return paginated_rows(self, representations.document_row)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(representations.document_row(self.get_object()))

    def _write_serializer(self, **kwargs: Any) -> DocumentWriteSerializer:
        visible = scope_to_unit(Crate.objects.all(), self.request.user)
        return DocumentWriteSerializer(crates=visible, **kwargs)

    def _read(self, document: Document, *, status_code: int = status.HTTP_200_OK) -> Response:
        # What the document's page answers (plain dicts, the same JSON as DocumentSerializer).
        fresh = selectors.documents_as_rows(self.get_queryset()).get(pk=document.pk)
        return Response(representations.document_row(fresh), status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._write_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("reason", None)
        document = services.document_create(actor=request.user, **fields)
        return self._read(document, status_code=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        document = self.get_object()
        data = self._write_serializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        reason = fields.pop("reason", "")
        document = services.document_update(actor=request.user, document=document, data=fields, reason=reason)
        return self._read(document)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.document_delete(actor=request.user, document=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScanView(APIView):
    """What a scanned code is: a crate number, a location barcode or a document number, within
    the user's units. Unknown codes and another unit's are 404."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("code", str, required=True, description="The scanned or typed text")],
        responses={200: ScanResultSerializer, 400: BAD_REQUEST, 409: CONFLICT, **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = ScanQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = selectors.resolve_scan(request.user, query.validated_data["code"])
        return Response(ScanResultSerializer(result).data)


class LabelsView(APIView):
    """Labels for up to 500 crates or locations of the user's units, as one PDF or ZPL file."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=LabelsInputSerializer,
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "text/plain"): OpenApiTypes.STR,
            400: BAD_REQUEST,
            **READ_ERRORS,
        },
    )
    def post(self, request: Request) -> HttpResponse:
        data = LabelsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        options = data.validated_data
        printed: list[Any]
        if options.get("crates"):
            printed = selectors.label_crates(request.user, options["crates"])
            contents = [labels.crate_label(crate) for crate in printed]
            name = "crate-labels"
        else:
            printed = selectors.label_locations(request.user, options["locations"], subtree=options["subtree"])
            contents = [location_label(location) for location in printed]
            name = "location-labels"
        codes = [content.code for content in contents]
        core_labels.labels_printed(actor=request.user, printed=printed, codes=codes, fmt=options["format"])
        if options["format"] == "zpl":
            response = HttpResponse(core_labels.labels_zpl(contents), content_type="text/plain; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.zpl"'
            return response
        layout = core_labels.PDF_LAYOUTS[options["format"]]
        pdf = core_labels.labels_pdf(contents, layout, title=f"{len(contents)} labels ({options['format']})")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}-{options["format"]}.pdf"'
        return response
