from django.contrib import admin

from apps.audit.read_only_admin import ReadOnlyAdminMixin
from apps.reports.models import Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Exports are made by the API's background task; the admin only looks at them."""

    list_display = ["id", "report", "format", "user", "unit", "status", "done", "total", "created_at", "finished_at"]
    list_filter = ["report", "format", "status", "unit"]
    search_fields = ["user__username", "error"]
    date_hierarchy = "created_at"
