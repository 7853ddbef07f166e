from django.contrib import admin

from apps.core.admin_mixins import AuditedModelAdmin
from apps.crates.models import DocumentType


@admin.register(DocumentType)
class DocumentTypeAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "retention_years", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
