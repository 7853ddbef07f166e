from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.audit.models import AuditEvent, AuditReview


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit events can be searched and read, never added, changed or deleted.

    The same rule as apps.core.admin_mixins.ReadOnlyAdminMixin, written out here because
    apps.audit sits below apps.core (the import contract): nothing in it may import core."""

    list_display = ["sequence", "timestamp", "actor_username", "action", "entity_type", "entity_repr", "unit"]
    list_filter = ["action", "entity_type", "unit"]
    search_fields = ["actor_username", "entity_repr", "entity_id", "comment", "request_id"]
    date_hierarchy = "timestamp"
    ordering = ["-sequence"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditReview)
class AuditReviewAdmin(admin.ModelAdmin):
    """Read-only: a review is recorded, e-signed, through the API (docs/api.md)."""

    list_display = ["number", "period_from", "period_to", "unit", "reviewed_by", "reviewed_at", "events_reviewed"]
    list_filter = ["unit"]
    search_fields = ["number", "comment", "chain_head_hash"]
    ordering = ["-reviewed_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in AuditReview._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
