from django.contrib import admin

from apps.emails.models import EmailDelivery


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    """Read-only: the delivery log is what proves each e-mail went out once."""

    list_display = ["subject", "recipient", "created_at", "sent_at"]
    search_fields = ["subject", "recipient", "dedupe_key"]
    readonly_fields = ["dedupe_key", "recipient", "subject", "notification", "created_at", "sent_at"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
