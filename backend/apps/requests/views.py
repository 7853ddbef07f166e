"""Thin API over the request workflow: parse, call a service, answer with the fresh read."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request as HttpRequest
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.audit import services as audit
from apps.auth import readcache, roles
from apps.auth.permissions import ActionPermission
from apps.core import prepared_keys
from apps.core.errors import field_error
from apps.core.pagination import list_source
from apps.core.renderers import ORJSONRenderer, PDFRenderer
from apps.core.schema import BAD_REQUEST, CONFLICT, READ_ERRORS, TRANSITION_ERRORS, WRITE_ERRORS
from apps.policy import access
from apps.requests import pick_lists, representations, services
from apps.requests.certificate import destruction_certificate_pdf
from apps.requests.models import Request, ReturnExtension, SendBack
from apps.requests.selectors import (
    ExtensionFilter,
    RequestFilter,
    SendBackFilter,
    extensions_for,
    request_context,
    request_list_for,
    request_rows_of_page,
    requests_as_rows,
    requests_for,
    sendbacks_for,
)
from apps.requests.serializers import (
    CancelInputSerializer,
    CertificateVerificationSerializer,
    CertificateVerifyQuerySerializer,
    ExecuteInputSerializer,
    ExtensionInputSerializer,
    PickItemSerializer,
    ReceiveInputSerializer,
    RequestContextSerializer,
    RequestCreateSerializer,
    RequestSerializer,
    RequestUpdateSerializer,
    ReturnExtensionSerializer,
    SendBackCreateSerializer,
    SendBackReceiveSerializer,
    SendBackSerializer,
    SignaturePreviewQuerySerializer,
    SignaturePreviewSerializer,
    SignInputSerializer,
)

SIGNATURE_ERRORS = {
    **TRANSITION_ERRORS,
    403: OpenApiResponse(
        description="Role lacks the capability (permission_denied), wrong password "
        "(invalid_signature) or segregation of duties (segregation_of_duties)"
    ),
}


PICK_LIST_FORMAT = OpenApiParameter(
    "format", str, enum=["json", "pdf"], description="pdf: printable, with each crate's barcode"
)
PICK_LIST_ERRORS = {
    400: BAD_REQUEST,
    409: OpenApiResponse(description="A request is not approved (invalid_transition)"),
    **READ_ERRORS,
}


def _input(serializer_class: Any, data: Any, *, partial: bool = False) -> dict[str, Any]:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@extend_schema_view(
    list=extend_schema(responses={200: RequestSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: RequestSerializer, **READ_ERRORS}),
    create=extend_schema(request=RequestCreateSerializer, responses={201: RequestSerializer, **WRITE_ERRORS}),
    update=extend_schema(request=RequestUpdateSerializer, responses={200: RequestSerializer, **TRANSITION_ERRORS}),
    partial_update=extend_schema(
        request=RequestUpdateSerializer, responses={200: RequestSerializer, **TRANSITION_ERRORS}
    ),
    destroy=extend_schema(responses={204: None, **TRANSITION_ERRORS}),
)
class RequestViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Storage, withdrawal, destruction and transfer requests (docs/workflows.md). Every state change is
    a POST to an action; `allowed_actions` in each read lists what the current user may do now."""

    serializer_class = RequestSerializer
    # A list page's rows, read by their keys with SQL compiled once (apps/core/pagination.py).
    page_rows_for_keys = staticmethod(request_rows_of_page)
    # Its keys query compiled once per shape (apps/core/prepared_keys.py): get_queryset reads
    # nothing of the reader but their id, their unit and whether they see every unit.
    prepared_keys_scope = prepared_keys.UNIT
    permission_classes = [IsAuthenticated, ActionPermission]
    # Cached answers (apps/auth/readcache.py): `allowed_actions` depends on who asks.
    read_cache = {"list": readcache.USER, "retrieve": readcache.USER}
    # The capability of each action comes from the policy's actor rules (403 before the lookup).
    action_permissions = {
        "create": roles.RAISE_REQUESTS,
        "update": access.REQUEST_ACTORS["edit"].capability,
        "partial_update": access.REQUEST_ACTORS["edit"].capability,
        "destroy": access.REQUEST_ACTORS["delete"].capability,
        **{
            action: access.REQUEST_ACTORS[action].capability
            for action in ("submit", "cancel", "approve", "reject", "execute", "receive", "request_extension")
        },
    }
    filterset_class = RequestFilter
    search_fields = ["number", *Request.text_header_fields()]
    ordering_fields = ["created_at", "number", "status", "expected_return_date", "submitted_at"]
    ordering = ["-created_at", "-id"]

    # Writes lock and re-read the row in their service: the lookup before them only decides
    # 404 (not visible to the user), without the read's joins and prefetches (two queries).
    WRITE_ACTIONS = frozenset(
        {"update", "partial_update", "destroy", "submit", "cancel", "approve", "reject", "execute", "receive"}
    )

    def get_queryset(self) -> QuerySet[Request]:
        if self.action == "list":  # the page's keys; its rows are read by page_rows_for_keys
            return request_list_for(self.request.user)
        queryset = requests_for(self.request.user)
        if self.action in self.WRITE_ACTIONS:
            return queryset.select_related(None).prefetch_related(None)
        return queryset

    def list(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        # Plain dicts, the same JSON as RequestSerializer (apps/requests/representations.py).
        queryset = list_source(self)
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(representations.request_rows(list(requests_as_rows(queryset)), request.user))
        return self.get_paginated_response(representations.request_rows(page, request.user))

    def _read(self, request_obj: Request, status_code: int = status.HTTP_200_OK) -> Response:
        # The answer of a write: the request's page as plain dicts, the same JSON as
        # RequestSerializer (a test compares them) without DRF's per-field work on every write.
        fresh = requests_as_rows(requests_for(self.request.user)).get(pk=request_obj.pk)
        return Response(representations.request_rows([fresh], self.request.user)[0], status=status_code)

    def create(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        data = _input(RequestCreateSerializer, request.data)
        created = services.request_create(actor=request.user, **data)
        return self._read(created, status.HTTP_201_CREATED)

    def update(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        data = _input(RequestUpdateSerializer, request.data, partial=kwargs.get("partial", False))
        updated = services.request_update(request=self.get_object(), actor=request.user, data=data)
        return self._read(updated)

    def destroy(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        services.request_delete(request=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: RequestSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request: HttpRequest, pk: str | None = None) -> Response:
        return self._read(services.request_submit(request=self.get_object(), actor=request.user))

    @extend_schema(request=CancelInputSerializer, responses={200: RequestSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request: HttpRequest, pk: str | None = None) -> Response:
        data = _input(CancelInputSerializer, request.data)
        return self._read(services.request_cancel(request=self.get_object(), actor=request.user, **data))

    @extend_schema(request=SignInputSerializer, responses={200: RequestSerializer, **SIGNATURE_ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request: HttpRequest, pk: str | None = None) -> Response:
        data = _input(SignInputSerializer, request.data)
        return self._read(services.request_approve(request=self.get_object(), actor=request.user, **data))

    @extend_schema(request=SignInputSerializer, responses={200: RequestSerializer, **SIGNATURE_ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request: HttpRequest, pk: str | None = None) -> Response:
        data = _input(SignInputSerializer, request.data)
        return self._read(services.request_reject(request=self.get_object(), actor=request.user, **data))

    @extend_schema(request=ExecuteInputSerializer, responses={200: RequestSerializer, **SIGNATURE_ERRORS})
    @action(detail=True, methods=["post"])
    def execute(self, request: HttpRequest, pk: str | None = None) -> Response:
        data = _input(ExecuteInputSerializer, request.data)
        return self._read(services.request_execute(request=self.get_object(), actor=request.user, data=data))

    @extend_schema(request=ReceiveInputSerializer, responses={200: RequestSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def receive(self, request: HttpRequest, pk: str | None = None) -> Response:
        data = _input(ReceiveInputSerializer, request.data)
        return self._read(services.request_receive(request=self.get_object(), actor=request.user, **data))

    @extend_schema(
        request=ExtensionInputSerializer, responses={201: ReturnExtensionSerializer, **TRANSITION_ERRORS, 409: CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request: HttpRequest, pk: str | None = None) -> Response:
        """The requester asks for a later return date of their issued withdrawal."""
        data = _input(ExtensionInputSerializer, request.data)
        extension = services.extension_request(request=self.get_object(), actor=request.user, **data)
        fresh = extensions_for(request.user).get(pk=extension.pk)
        return Response(
            ReturnExtensionSerializer(fresh, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: RequestContextSerializer, **READ_ERRORS})
    @action(detail=True, methods=["get"], filter_backends=[])
    def context(self, request: HttpRequest, pk: str | None = None) -> Response:
        """Each crate of the request with its documents, retention dates and legal hold: what an
        approver decides on."""
        return Response(RequestContextSerializer({"crates": request_context(self.get_object())}).data)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(description="Certificate of destruction (PDF)"),
            409: CONFLICT,
            **READ_ERRORS,
        },
    )
    @action(detail=True, methods=["get"])
    def certificate(self, request: HttpRequest, pk: str | None = None) -> HttpResponse:
        request_obj = self.get_object()
        pdf = destruction_certificate_pdf(request_obj)
        audit.record(
            action="request.certificate_exported",
            instance=request_obj,
            actor=request.user,
            comment="certificate of destruction (PDF)",
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="destruction-certificate-{request_obj.number}.pdf"'
        return response

    @extend_schema(
        parameters=[SignaturePreviewQuerySerializer],
        responses={200: SignaturePreviewSerializer, 400: BAD_REQUEST, **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], url_path="signature-content")
    def signature_content(self, request: HttpRequest, pk: str | None = None) -> Response:
        """Exactly what the current user would sign with this meaning (the signature dialog)."""
        query = _input(SignaturePreviewQuerySerializer, request.query_params)
        content = services.signature_preview(request=self.get_object(), actor=request.user, meaning=query["meaning"])
        return Response({"content": content})

    @extend_schema(
        parameters=[CertificateVerifyQuerySerializer],
        responses={200: CertificateVerificationSerializer, 400: BAD_REQUEST, 409: CONFLICT, **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], url_path="certificate/verify")
    def certificate_verify(self, request: HttpRequest, pk: str | None = None) -> Response:
        """Check a printed certificate: is this the SHA-256 the certificate was issued with?"""
        query = _input(CertificateVerifyQuerySerializer, request.query_params)
        return Response({"valid": services.certificate_verify(request=self.get_object(), sha256=query["sha256"])})

    @extend_schema(
        parameters=[PICK_LIST_FORMAT],
        responses={200: PickItemSerializer(many=True), **PICK_LIST_ERRORS},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="pick-list",
        renderer_classes=[ORJSONRenderer, PDFRenderer],
        filter_backends=[],
        pagination_class=None,
    )
    def pick_list(self, request: HttpRequest, pk: str | None = None) -> HttpResponse:
        """What an approved request moves, in shelf order (docs/workflows.md, "Pick lists")."""
        return _pick_list_response(request, [self.get_object()])


def _pick_list_response(request: HttpRequest, requests: list[Request]) -> HttpResponse:
    items = pick_lists.pick_list(requests)
    if request.accepted_renderer.format != "pdf":
        return Response(PickItemSerializer(items, many=True).data)
    pdf = pick_lists.pick_list_pdf(requests, items, printed_by=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    numbers = "_".join(r.number for r in requests[:5]) + ("_and_more" if len(requests) > 5 else "")
    response["Content-Disposition"] = f'inline; filename="pick-list-{numbers}.pdf"'
    return response


class PickListView(APIView):
    """One walk for several approved requests of one unit: `?requests=1,2,3`."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [ORJSONRenderer, PDFRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("requests", str, required=True, description="Request ids, comma-separated"),
            PICK_LIST_FORMAT,
        ],
        responses={200: PickItemSerializer(many=True), **PICK_LIST_ERRORS},
    )
    def get(self, request: HttpRequest) -> HttpResponse:
        ids = pick_lists.parse_request_ids(request.query_params.get("requests"))
        found = requests_for(request.user).in_bulk(ids)
        return _pick_list_response(request, pick_lists.found_in_order(found, ids))


@extend_schema_view(
    list=extend_schema(responses={200: SendBackSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: SendBackSerializer, **READ_ERRORS}),
    create=extend_schema(request=SendBackCreateSerializer, responses={201: SendBackSerializer, **TRANSITION_ERRORS}),
)
class SendBackViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Returns of withdrawn crates and documents; the Store Head receives them into storage."""

    serializer_class = SendBackSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_permissions = {
        "create": access.REQUEST_ACTORS["create_sendback"].capability,
        "receive": access.SENDBACK_ACTORS["receive"].capability,
    }
    filterset_class = SendBackFilter
    search_fields = ["number", "request__number"]
    ordering_fields = ["created_at", "number", "status"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[SendBack]:
        return sendbacks_for(self.request.user)

    def _read(self, sendback: SendBack, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=sendback.pk)
        return Response(SendBackSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    def create(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        data = _input(SendBackCreateSerializer, request.data)
        withdrawal = requests_for(request.user).filter(pk=data.pop("request")).first()
        if withdrawal is None:
            raise field_error("request", "No such withdrawal request in your unit.")
        sendback = services.sendback_create(actor=request.user, request=withdrawal, **data)
        return self._read(sendback, status.HTTP_201_CREATED)

    @extend_schema(request=SendBackReceiveSerializer, responses={200: SendBackSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def receive(self, request: HttpRequest, pk: str | None = None) -> Response:
        data = _input(SendBackReceiveSerializer, request.data)
        return self._read(services.sendback_receive(sendback=self.get_object(), actor=request.user, **data))


@extend_schema_view(
    list=extend_schema(responses={200: ReturnExtensionSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: ReturnExtensionSerializer, **READ_ERRORS}),
)
class ReturnExtensionViewSet(viewsets.ReadOnlyModelViewSet):
    """Asks for a later return date of an issued withdrawal (docs/workflows.md); an Approver of
    the unit approves or rejects each with an electronic signature."""

    serializer_class = ReturnExtensionSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_permissions = {
        "approve": access.EXTENSION_ACTORS["approve"].capability,
        "reject": access.EXTENSION_ACTORS["reject"].capability,
    }
    filterset_class = ExtensionFilter
    ordering_fields = ["created_at", "requested_date"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[ReturnExtension]:
        if getattr(self, "swagger_fake_view", False):
            return ReturnExtension.objects.none()
        return extensions_for(self.request.user)

    def _read(self, extension: ReturnExtension) -> Response:
        fresh = self.get_queryset().get(pk=extension.pk)
        return Response(ReturnExtensionSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=SignInputSerializer, responses={200: ReturnExtensionSerializer, **SIGNATURE_ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request: HttpRequest, pk: str | None = None) -> Response:
        data = _input(SignInputSerializer, request.data)
        return self._read(services.extension_approve(extension=self.get_object(), actor=request.user, **data))

    @extend_schema(request=SignInputSerializer, responses={200: ReturnExtensionSerializer, **SIGNATURE_ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request: HttpRequest, pk: str | None = None) -> Response:
        data = _input(SignInputSerializer, request.data)
        return self._read(services.extension_reject(extension=self.get_object(), actor=request.user, **data))
