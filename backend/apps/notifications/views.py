"""The current user's own notifications; nobody reads another user's."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.auth import readcache
from apps.core import prepared_keys
from apps.core.filters import FilterSet
from apps.core.pagination import paginated_rows
from apps.core.schema import READ_ERRORS
from apps.notifications import representations, services
from apps.notifications.models import Notification
from apps.notifications.serializers import NotificationSerializer, ReadAllResultSerializer


class NotificationFilter(FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Only unread")

    class Meta:
        model = Notification
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(responses={200: NotificationSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: NotificationSerializer, **READ_ERRORS}),
)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    # Cached answers (apps/auth/readcache.py): they depend on the user only.
    read_cache = {"list": readcache.USER, "retrieve": readcache.USER}
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    search_fields = ["title", "body"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    # A list page's rows, read by their keys with SQL compiled once (apps/core/pagination.py).
    page_rows_for_keys = staticmethod(services.notification_rows_of_page)
    # Its keys query compiled once per shape (apps/core/prepared_keys.py): get_queryset reads
    # nothing of the reader but their id.
    prepared_keys_scope = prepared_keys.READER

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Notification.objects.none()
        return services.notifications_for(self.request.user)

    # Reads as plain dicts: the same JSON as the serializer (apps/notifications/representations.py).
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return paginated_rows(self, representations.notification_row)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(representations.notification_row(self.get_object()))

    @extend_schema(request=None, responses={200: NotificationSerializer, **READ_ERRORS})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: Any = None) -> Response:
        notification = services.notification_mark_read(notification=self.get_object(), user=request.user)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses={200: ReadAllResultSerializer, **READ_ERRORS})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked_read": services.notifications_mark_all_read(user=request.user)})
