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
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.admin_mixins import ReasonAdminMixin, ReasonForm, in_own_unit, reason_of
from apps.core.errors import ApplicationError
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


def _apply(request: HttpRequest, write: Any) -> None:
    try:
        write()
    except ApplicationError as error:
        # Raced with a workflow transition since the form was shown: report, change nothing.
        messages.error(request, error.message)


@admin.register(Crate)
class CrateAdmin(ReasonAdminMixin, admin.ModelAdmin):
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Crate]:
        return in_own_unit(super().get_queryset(request), request, "unit")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not CRATE_TABLE.allows(obj.status, "edit"):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Crate, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in Crate.EDITABLE_FIELDS}
        if data:
            current = Crate.objects.get(pk=obj.pk)
            _apply(
                request,
                lambda: services.crate_update(actor=request.user, crate=current, data=data, reason=reason_of(form)),
            )


class DocumentAdminForm(ReasonForm):
    class Meta:
        model = Document
        fields = list(Document.EDITABLE_FIELDS)


@admin.register(Document)
class DocumentAdmin(ReasonAdminMixin, admin.ModelAdmin):
    form = DocumentAdminForm
    list_display = ["number", "title", "crate", "document_type", "record_date", "retention_until", "status"]
    list_filter = ["status", "document_type", "crate__unit"]
    list_select_related = ["crate", "document_type"]
    search_fields = ["number", "title", "crate__number"]
    readonly_fields = ["crate", "retention_until", "status", "created_by", "created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        return in_own_unit(super().get_queryset(request), request, "crate__unit")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not CRATE_TABLE.allows(obj.crate.status, "edit"):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Document, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in Document.EDITABLE_FIELDS}
        if data:
            current = Document.objects.select_related("crate").get(pk=obj.pk)
            _apply(
                request,
                lambda: services.document_update(
                    actor=request.user, document=current, data=data, reason=reason_of(form)
                ),
            )
