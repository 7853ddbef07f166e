from django.contrib import admin

from apps.audit.models import AuditEvent, AuditReview
from apps.audit.read_only_admin import ReadOnlyAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: audit events can be searched and read, never added, changed or deleted."""

    list_display = ["sequence", "timestamp", "actor_username", "action", "entity_type", "entity_repr", "unit"]
    list_filter = ["action", "entity_type", "unit"]
    search_fields = ["actor_username", "entity_repr", "entity_id", "comment", "request_id"]
    date_hierarchy = "timestamp"
    ordering = ["-sequence"]


@admin.register(AuditReview)
class AuditReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a review is recorded, e-signed, through the API (docs/api.md)."""

    list_display = ["number", "period_from", "period_to", "unit", "reviewed_by", "reviewed_at", "events_reviewed"]
    list_filter = ["unit"]
    search_fields = ["number", "comment", "chain_head_hash"]
    ordering = ["-reviewed_at"]
