from django.contrib import admin

from apps.audit.read_only_admin import ReadOnlyAdminMixin
from apps.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: notifications are made by the services and marked read by their user."""

    list_display = ["title", "user", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["title", "body", "user__username"]
    list_select_related = ["user"]
