"""Thin API over electronic signatures (docs/api.md): read one, verify one, certify."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.auth.permissions import acting_user
from apps.core.schema import CONFLICT, READ_ERRORS, UNAUTHORIZED, WRITE_ERRORS
from apps.signatures import services
from apps.signatures.models import Signature
from apps.signatures.selectors import signatures_for
from apps.signatures.serializers import (
    CertificationInputSerializer,
    CertificationSerializer,
    SignatureDetailSerializer,
    SignatureVerificationSerializer,
)


@extend_schema_view(retrieve=extend_schema(responses={200: SignatureDetailSerializer, **READ_ERRORS}))
class SignatureViewSet(viewsets.GenericViewSet):
    """A signature with exactly what was signed (`content`) and its SHA-256 (§11.70)."""

    serializer_class = SignatureDetailSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Signature]:
        return signatures_for(self.request.user)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(SignatureDetailSerializer(self.get_object()).data)

    @extend_schema(request=None, responses={200: SignatureVerificationSerializer, **READ_ERRORS})
    @action(detail=True, methods=["get"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        """Recompute the hash of the stored content and compare it with the stored hash and the
        hash its audit event carries: `valid` is false after any edit of either."""
        return Response(SignatureVerificationSerializer(services.verify(signature=self.get_object())).data)


class SignatureCertificationView(APIView):
    """§11.100(c): the signed-in user certifies, once, that their electronic signature is the
    legally binding equivalent of their handwritten one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CertificationSerializer, 401: UNAUTHORIZED})
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        return Response(
            CertificationSerializer(
                {"signature_certified_at": user.signature_certified_at, "statement": services.CERTIFICATION_STATEMENT}
            ).data
        )

    @extend_schema(
        request=CertificationInputSerializer,
        responses={
            201: CertificationSerializer,
            **WRITE_ERRORS,
            403: OpenApiResponse(description="Wrong password (invalid_signature) or account_locked"),
            409: CONFLICT,
        },
    )
    def post(self, request: Request) -> Response:
        data = CertificationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.certify(actor=acting_user(request), password=data.validated_data["password"])
        return Response(
            CertificationSerializer(
                {"signature_certified_at": user.signature_certified_at, "statement": services.CERTIFICATION_STATEMENT}
            ).data,
            status=status.HTTP_201_CREATED,
        )
