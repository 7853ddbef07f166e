"""Admin: crates and documents are browsed (document types: apps/retention/admin.py, whose
service recomputes retention when a schedule changes).

Status, location, number and retention are read-only and nothing is added or deleted here:
those change only through the services (the request workflow, relocation, the API), so the
admin cannot bypass the workflow. Draft crates and documents may be corrected, with a reason,
through the same services (draft-only rule, reason for change, retention recomputation,
audit event).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from apps.core.admin_mixins import ReasonAdminMixin, ReasonForm, ServiceModelAdmin, changed, reason_of
from apps.crates import services
from apps.crates.models import Crate, Document
from apps.policy.states import CRATE_TABLE


class DocumentInline(admin.TabularInline):
    model = Document
    fields = ["number", "title", "document_type", "record_date", "retention_until", "status"]
    readonly_fields = ["number", "title", "document_type", "record_date", "retention_until", "status"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CrateAdminForm(ReasonForm):
    class Meta:
        model = Crate
        fields = list(Crate.EDITABLE_FIELDS)

    def clean_department(self) -> Any:
        department = self.cleaned_data["department"]
        if self.instance.pk and department.unit_id != self.instance.unit_id:
            raise forms.ValidationError("The department belongs to another unit.")
        return department


@admin.register(Crate)
class CrateAdmin(ReasonAdminMixin, ServiceModelAdmin):
    """A refused correction (no reason, or raced with a workflow transition since the form was
    shown) is reported on the same page and changes nothing."""

    form = CrateAdminForm
    list_display = ["number", "unit", "department", "status", "location", "retention_until"]
    list_filter = ["status", "unit", "department"]
    list_select_related = ["unit", "department", "location"]
    search_fields = ["number", "description", "documents__number"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "number",
        "unit",
        "status",
        "location",
        "previous_location",
        "retention_until",
        "retention_extended_until",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [DocumentInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not CRATE_TABLE.allows(obj.status, "edit"):
            return False
        return super().has_change_permission(request, obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The documents inline is read-only: nothing of it is saved, and the change message
        # Django builds from it finds nothing new, changed or deleted.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def write(self, request: HttpRequest, obj: Crate, form: Any, change: bool) -> Crate:
        return services.crate_update(
            actor=request.user,
            crate=Crate.objects.get(pk=obj.pk),
            data=changed(form, list(Crate.EDITABLE_FIELDS)),
            reason=reason_of(form),
        )


class DocumentAdminForm(ReasonForm):
    class Meta:
        model = Document
        fields = list(Document.EDITABLE_FIELDS)


@admin.register(Document)
class DocumentAdmin(ReasonAdminMixin, ServiceModelAdmin):
    form = DocumentAdminForm
    unit_field = "crate__unit"
    list_display = ["number", "title", "crate", "document_type", "record_date", "retention_until", "status"]
    list_filter = ["status", "document_type", "crate__unit"]
    list_select_related = ["crate", "document_type"]
    search_fields = ["number", "title", "crate__number"]
    readonly_fields = ["crate", "retention_until", "status", "created_by", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not CRATE_TABLE.allows(obj.crate.status, "edit"):
            return False
        return super().has_change_permission(request, obj)

    def write(self, request: HttpRequest, obj: Document, form: Any, change: bool) -> Document:
        return services.document_update(
            actor=request.user,
            document=Document.objects.select_related("crate").get(pk=obj.pk),
            data=changed(form, list(Document.EDITABLE_FIELDS)),
            reason=reason_of(form),
        )
