from django.contrib import admin

from apps.audit.read_only_admin import ReadOnlyAdminMixin
from apps.emails.models import EmailDelivery


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the delivery log is what proves each e-mail went out once."""

    list_display = ["subject", "recipient", "created_at", "sent_at"]
    search_fields = ["subject", "recipient", "dedupe_key"]
