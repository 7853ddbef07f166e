from django.contrib import admin

from apps.audit.read_only_admin import ReadOnlyAdminMixin
from apps.core.models import NumberSequence


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: numbers are never reused, so nobody sets a series back by hand."""

    list_display = ["key", "last_value"]
    search_fields = ["key"]
