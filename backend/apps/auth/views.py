from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.auth import readcache, representations, roles, services
from apps.auth.models import Department, Unit, User
from apps.auth.permissions import ActionPermission, acting_user, scope_to_unit
from apps.auth.serializers import (
    ChangePasswordSerializer,
    CurrentUserSerializer,
    DepartmentSerializer,
    LoginResponseSerializer,
    LoginSerializer,
    RefreshSerializer,
    TokenPairSerializer,
    UnitSerializer,
    UserSerializer,
    UserWriteSerializer,
    WsTicketSerializer,
)
from apps.auth.sessions import SESSION_CLAIM
from apps.auth.throttles import LoginRateThrottle
from apps.core.schema import BAD_REQUEST, FORBIDDEN, THROTTLED, UNAUTHORIZED, WRITE_ERRORS


class LoginView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]

    @extend_schema(
        request=LoginSerializer,
        responses={
            200: LoginResponseSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: OpenApiResponse(description="code account_locked"),
            429: THROTTLED,
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.login(**data.validated_data)
        return Response(
            {
                "access": result["access"],
                "refresh": result["refresh"],
                "user": CurrentUserSerializer(result["user"]).data,
            }
        )


class RefreshView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshSerializer, responses={200: TokenPairSerializer, 401: UNAUTHORIZED}, auth=[])
    def post(self, request: Request) -> Response:
        data = RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.refresh_tokens(refresh=data.validated_data["refresh"]))


class LogoutView(APIView):
    @extend_schema(request=RefreshSerializer, responses={205: None, 400: BAD_REQUEST, 401: UNAUTHORIZED})
    def post(self, request: Request) -> Response:
        data = RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        access = request.auth  # the validated access token of this request (None for a session login)
        services.logout(
            user=acting_user(request),
            refresh=data.validated_data["refresh"],
            access_session_id=access.get(SESSION_CLAIM) if access is not None and hasattr(access, "get") else None,
        )
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeView(APIView):
    # Cached answers (apps/auth/readcache.py): the identity generations make a change of the
    # user, their roles or permissions a miss on the very next request.
    read_cache = {"get": readcache.USER}

    @extend_schema(responses={200: CurrentUserSerializer, 401: UNAUTHORIZED})
    def get(self, request: Request) -> Response:
        return Response(representations.current_user(request.user))


class ChangePasswordView(APIView):
    @extend_schema(request=ChangePasswordSerializer, responses={204: None, 400: BAD_REQUEST, 401: UNAUTHORIZED})
    def post(self, request: Request) -> Response:
        data = ChangePasswordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.change_password(user=acting_user(request), **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WsTicketView(APIView):
    @extend_schema(request=None, responses={200: WsTicketSerializer, 401: UNAUTHORIZED})
    def post(self, request: Request) -> Response:
        access = request.auth  # the validated access token (None for a session login)
        session_id = access.get(SESSION_CLAIM) if access is not None and hasattr(access, "get") else None
        return Response(
            services.ws_ticket_issue(user=acting_user(request), session_id=str(session_id) if session_id else None)
        )


@extend_schema_view(
    create=extend_schema(responses={201: UnitSerializer, **WRITE_ERRORS}),
    update=extend_schema(responses={200: UnitSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(responses={200: UnitSerializer, **WRITE_ERRORS}),
)
class UnitViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Units. Everyone sees their own; System Administrators see and create all; a Unit Admin
    edits their own unit. Units are deactivated, never deleted."""

    serializer_class = UnitSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_permissions = {
        "create": roles.MANAGE_UNITS,
        "update": roles.CHANGE_UNIT,
        "partial_update": roles.CHANGE_UNIT,
    }
    filterset_fields = ["is_active", "code"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]

    def get_queryset(self) -> QuerySet[Unit]:
        user = self.request.user
        # `?scope=all`: whoever raises requests picks a transfer's target unit among all active
        # units (code and name only leak nothing of the other unit's records).
        if (
            self.action == "list"
            and self.request.query_params.get("scope") == "all"
            and user.has_perm(roles.RAISE_REQUESTS)
        ):
            return Unit.objects.filter(is_active=True)
        return scope_to_unit(Unit.objects.all(), user, "pk")

    def perform_create(self, serializer: Any) -> None:
        fields = dict(serializer.validated_data)
        fields.pop("reason", None)
        serializer.instance = services.unit_create(actor=acting_user(self.request), **fields)

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        serializer.instance = services.unit_update(
            actor=acting_user(self.request), unit=serializer.instance, data=data, reason=reason
        )


@extend_schema_view(
    create=extend_schema(responses={201: DepartmentSerializer, **WRITE_ERRORS}),
    update=extend_schema(responses={200: DepartmentSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(responses={200: DepartmentSerializer, **WRITE_ERRORS}),
)
class DepartmentViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DepartmentSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    action_permissions = {"*": roles.MANAGE_DEPARTMENTS}
    filterset_fields = ["unit", "is_active"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]

    def get_queryset(self) -> QuerySet[Department]:
        return scope_to_unit(Department.objects.select_related("unit"), self.request.user)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.department_create(actor=acting_user(self.request), **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.department_update(
            actor=acting_user(self.request), department=serializer.instance, data=serializer.validated_data
        )


@extend_schema_view(
    create=extend_schema(request=UserWriteSerializer, responses={201: UserSerializer, **WRITE_ERRORS}),
    update=extend_schema(request=UserWriteSerializer, responses={200: UserSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(request=UserWriteSerializer, responses={200: UserSerializer, **WRITE_ERRORS}),
)
class UserViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Users are never deleted (their signatures and audit history must survive): deactivate."""

    permission_classes = [IsAuthenticated, ActionPermission]
    action_permissions = {
        "create": "accounts.add_user",
        "update": roles.MANAGE_USERS,
        "partial_update": roles.MANAGE_USERS,
        "deactivate": roles.MANAGE_USERS,
        "unlock": "accounts.unlock_user",
    }
    filterset_fields = ["unit", "is_active", "groups__name"]
    search_fields = ["username", "full_name", "email", "employee_id"]
    ordering_fields = ["username", "full_name", "date_joined"]

    def get_queryset(self) -> QuerySet[User]:
        return scope_to_unit(User.objects.select_related("unit").prefetch_related("groups"), self.request.user)

    def get_serializer_class(self) -> type:
        return UserWriteSerializer if self.action in {"create", "update", "partial_update"} else UserSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = UserWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("is_active", None)
        user = services.user_create(actor=acting_user(request), role_names=values.pop("roles", []), **values)
        return Response(UserSerializer(user, context={"request": request}).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        data = UserWriteSerializer(user, data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        user = services.user_update(actor=acting_user(request), user=user, data=dict(data.validated_data))
        return Response(UserSerializer(self.get_queryset().get(pk=user.pk), context={"request": request}).data)

    @extend_schema(request=None, responses={200: UserSerializer, 403: FORBIDDEN})
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        user = services.user_deactivate(actor=acting_user(request), user=self.get_object())
        return Response(UserSerializer(self.get_queryset().get(pk=user.pk), context={"request": request}).data)

    @extend_schema(request=None, responses={200: UserSerializer, 403: FORBIDDEN})
    @action(detail=True, methods=["post"])
    def unlock(self, request: Request, pk: str | None = None) -> Response:
        user = services.user_unlock(actor=acting_user(request), user=self.get_object())
        return Response(UserSerializer(self.get_queryset().get(pk=user.pk), context={"request": request}).data)
