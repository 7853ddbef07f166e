"""Document types in the Django admin go through the retention service, like the API: any
change needs a reason. The schedule itself changes only in the app (see below)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.core.admin_mixins import ReasonAdminMixin, ReasonForm, ServiceModelAdmin, changed, reason_of, submitted
from apps.crates import services as crates
from apps.crates.models import DocumentType
from apps.retention import services


class DocumentTypeAdminForm(ReasonForm):
    class Meta:
        model = DocumentType
        fields = crates.DOCUMENT_TYPE_FIELDS


@admin.register(DocumentType)
class DocumentTypeAdmin(ReasonAdminMixin, ServiceModelAdmin):
    """Company-wide: edited by System Administrators, deactivated, never deleted."""

    form = DocumentTypeAdminForm
    unit_field = None
    list_display = ["code", "name", "retention_years", "retention_trigger", "is_active"]
    list_filter = ["is_active", "retention_trigger"]
    search_fields = ["code", "name"]
    fields = (*crates.DOCUMENT_TYPE_FIELDS, "reason")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A schedule change is recomputed in the background and, when it shortens retention,
        # e-signed: the schedule screen of the app does that; the admin's save runs inside a
        # transaction where a refused signature could not even be recorded.
        if obj is not None:
            return ["retention_years", "retention_trigger", "event_name"]
        return []

    def write(self, request: HttpRequest, obj: DocumentType, form: Any, change: bool) -> DocumentType:
        if not change:
            return crates.document_type_create(actor=request.user, **submitted(form, crates.DOCUMENT_TYPE_FIELDS))
        document_type, _recompute = services.document_type_change(
            actor=request.user,
            document_type=DocumentType.objects.get(pk=obj.pk),
            data=changed(form, crates.DOCUMENT_TYPE_FIELDS),
            reason=reason_of(form),
        )
        return document_type
