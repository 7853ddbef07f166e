"""Retention endpoints (docs/api.md): document types' schedules, retention events, legal holds,
the single-crate legal hold, the disposition review and its extension."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.auth.permissions import ActionPermission
from apps.core.schema import READ_ERRORS, TRANSITION_ERRORS, WRITE_ERRORS
from apps.crates import selectors as crates_selectors
from apps.crates import services as crates_services
from apps.crates.models import Crate
from apps.crates.serializers import CrateDetailSerializer, CrateSerializer
from apps.crates.views import DocumentTypeViewSet as CratesDocumentTypeViewSet
from apps.policy import capabilities
from apps.retention import selectors, services
from apps.retention.models import LegalHold, RetentionRecompute
from apps.retention.serializers import (
    CrateLegalHoldSerializer,
    DispositionCrateSerializer,
    DispositionExtendSerializer,
    DispositionQuerySerializer,
    DocumentTypeChangeSerializer,
    DocumentTypeWriteSerializer,
    HoldCreateSerializer,
    HoldPreviewSerializer,
    HoldReleaseSerializer,
    HoldSerializer,
    HoldSignaturePreviewSerializer,
    RetentionEventResultSerializer,
    RetentionEventSerializer,
    RetentionRecomputeSerializer,
    SchedulePreviewInputSerializer,
    SchedulePreviewSerializer,
)


@extend_schema_view(
    create=extend_schema(
        request=DocumentTypeWriteSerializer, responses={201: DocumentTypeChangeSerializer, **WRITE_ERRORS}
    ),
    update=extend_schema(
        request=DocumentTypeWriteSerializer, responses={200: DocumentTypeChangeSerializer, **WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        request=DocumentTypeWriteSerializer, responses={200: DocumentTypeChangeSerializer, **WRITE_ERRORS}
    ),
)
class DocumentTypeViewSet(CratesDocumentTypeViewSet):
    """Document types and their retention schedules (company-wide: System Administrators edit).

    Any change needs `reason`; a schedule change (`retention_years`, `retention_trigger`) is recomputed in
    the background (`recompute` in the answer; progress over the socket) and, when it shortens
    retention, needs `password` (e-signature `retention_changed`)."""

    def get_serializer_class(self) -> type:
        return (
            DocumentTypeWriteSerializer
            if self.action in ("create", "update", "partial_update")
            else super().get_serializer_class()
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = DocumentTypeWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k not in ("reason", "password")}
        document_type = crates_services.document_type_create(actor=request.user, **fields)
        return Response(DocumentTypeChangeSerializer(document_type).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        document_type = self.get_object()
        data = DocumentTypeWriteSerializer(document_type, data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        reason = fields.pop("reason", "")
        password = fields.pop("password", "")
        document_type, recompute = services.document_type_change(
            actor=request.user, document_type=document_type, data=fields, reason=reason, password=password
        )
        return Response(DocumentTypeChangeSerializer(document_type, context={"recompute": recompute}).data)

    @extend_schema(request=SchedulePreviewInputSerializer, responses={200: SchedulePreviewSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"], url_path="schedule-preview")
    def schedule_preview(self, request: Request, pk: str | None = None) -> Response:
        """What a schedule change would do, changing nothing: `signature_required` when it
        shortens retention, and then `content`, exactly what the signature would sign."""
        document_type = self.get_object()
        data = SchedulePreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        reason = fields.pop("reason", "")
        preview = services.schedule_change_preview(
            actor=request.user, document_type=document_type, data=fields, reason=reason
        )
        return Response(SchedulePreviewSerializer(preview).data)


class RetentionRecomputeViewSet(viewsets.ReadOnlyModelViewSet):
    """Background recomputes of schedule changes, newest first (progress: done / total)."""

    serializer_class = RetentionRecomputeSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["document_type", "status"]

    def get_queryset(self) -> QuerySet[RetentionRecompute]:
        return selectors.recomputes_for(self.request.user)


class RetentionEventView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=RetentionEventSerializer, responses={200: RetentionEventResultSerializer, **WRITE_ERRORS})
    def post(self, request: Request) -> Response:
        """Record an event-triggered type's retention event for many documents at once
        (Document Manager): their retention and their crates' are recomputed; audited with the reason."""
        data = RetentionEventSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        documents = services.retention_event_record(actor=request.user, **data.validated_data)
        crates = {document.crate_id for document in documents}
        return Response({"documents": len(documents), "crates": len(crates)})


@extend_schema_view(
    list=extend_schema(responses={200: HoldSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: HoldSerializer, **READ_ERRORS}),
)
class HoldViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Legal hold cases of the user's unit and company-wide ones."""

    serializer_class = HoldSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_permissions = {
        "create": capabilities.SET_LEGAL_HOLD,
        "release": capabilities.SET_LEGAL_HOLD,
        "release_signature_content": capabilities.SET_LEGAL_HOLD,
        "signature_content": capabilities.SET_LEGAL_HOLD,
    }
    filterset_class = selectors.HoldFilter
    ordering_fields = ["number", "placed_at", "status"]

    def get_queryset(self) -> QuerySet[LegalHold]:
        if getattr(self, "swagger_fake_view", False):
            return LegalHold.objects.none()
        return selectors.holds_for(self.request.user)

    def _read(self, hold: LegalHold, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=hold.pk)
        return Response(HoldSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(request=HoldCreateSerializer, responses={201: HoldSerializer, **WRITE_ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Place a hold (Approver, System Administrator; `password`: e-signature `hold_placed`).
        Scope: explicit `crates` and/or filters; a crate matching either is held."""
        data = HoldCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hold = services.hold_place(actor=request.user, **data.validated_data)
        return self._read(hold, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=HoldPreviewSerializer, responses={200: HoldSignaturePreviewSerializer, **WRITE_ERRORS})
    @action(detail=False, methods=["post"], url_path="signature-content")
    def signature_content(self, request: Request) -> Response:
        """Exactly what placing this hold would sign, checked as the placement is; changes
        nothing (the hold's number and the time are given at placement: null here)."""
        data = HoldPreviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"content": services.hold_place_preview(actor=request.user, **data.validated_data)})

    @extend_schema(request=HoldReleaseSerializer, responses={200: HoldSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str | None = None) -> Response:
        """Release an active hold (`password`: e-signature `hold_released`); 409 if released."""
        hold = self.get_object()
        data = HoldReleaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hold = services.hold_release(actor=request.user, hold=hold, **data.validated_data)
        return self._read(hold)

    @extend_schema(responses={200: HoldSignaturePreviewSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["get"], url_path="release-signature-content", filter_backends=[])
    def release_signature_content(self, request: Request, pk: str | None = None) -> Response:
        """Exactly what releasing this hold would sign (`release_reason` and `comment`: the reason
        given in the dialog; the time is added at signing); 409 if released."""
        content = services.hold_release_preview(actor=request.user, hold=self.get_object())
        return Response({"content": content})

    @extend_schema(responses={200: CrateSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], filter_backends=[])
    def crates(self, request: Request, pk: str | None = None) -> Response:
        """The crates of your units the hold covers (by its scope), in number order."""
        hold = self.get_object()
        queryset = selectors.hold_crates(request.user, hold)
        page = self.paginate_queryset(queryset)
        serializer = CrateSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)


class CrateLegalHoldView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=CrateLegalHoldSerializer, responses={200: CrateDetailSerializer, **TRANSITION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        """One-crate legal hold: `legal_hold: true` places a hold on this crate alone, `false`
        releases it (409 while a wider hold covers it). `password`: the e-signature."""
        crate = get_object_or_404(crates_selectors.crates_for(request.user), pk=pk)
        data = CrateLegalHoldSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.crate_legal_hold(actor=request.user, crate=crate, **data.validated_data)
        fresh = crates_selectors.crates_for(request.user, with_documents=True).get(pk=crate.pk)
        return Response(CrateDetailSerializer(fresh, context={"request": request}).data)


@extend_schema_view(
    get=extend_schema(
        parameters=[OpenApiParameter("within_days", int, description="Window in days (default 90, 0-3650)")],
        responses={200: DispositionCrateSerializer(many=True), **READ_ERRORS},
    )
)
class DispositionView(generics.ListAPIView):
    """Crates of your units due for destruction now or within the window, not on hold and not
    in an open request, with their documents' types and dates (`due`: due today)."""

    permission_classes = [IsAuthenticated]
    serializer_class = DispositionCrateSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Crate]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Crate.objects.none()
        query = DispositionQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.disposition_for(
            self.request.user, within_days=query.validated_data["within_days"], today=self._today()
        )

    def _today(self) -> Any:
        if not hasattr(self, "today"):
            self.today = timezone.localdate()
        return self.today

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": self._today()}


class DispositionExtendView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=DispositionExtendSerializer, responses={200: CrateSerializer(many=True), **TRANSITION_ERRORS}
    )
    def post(self, request: Request) -> Response:
        """Keep crates longer (Approver; `password`: e-signature `retention_extended`)."""
        data = DispositionExtendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        crates = services.disposition_extend(actor=request.user, crates_ids=values.pop("crates"), **values)
        fresh = crates_selectors.crates_for(request.user).filter(pk__in=[c.pk for c in crates]).order_by("number")
        return Response(CrateSerializer(fresh, many=True, context={"request": request}).data)
