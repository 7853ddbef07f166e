from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.reports.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Exports are made by the API's background task; the admin only looks at them."""

    list_display = ["id", "report", "format", "user", "unit", "status", "done", "total", "created_at", "finished_at"]
    list_filter = ["report", "format", "status", "unit"]
    search_fields = ["user__username", "error"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Report._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
