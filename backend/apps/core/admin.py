from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.core.models import NumberSequence


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    """Read-only: numbers are never reused, so nobody sets a series back by hand."""

    list_display = ["key", "last_value"]
    search_fields = ["key"]
    readonly_fields = ["key", "last_value"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
