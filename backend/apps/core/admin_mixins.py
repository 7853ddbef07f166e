"""Admin edits are write paths too: every save and delete through the admin is audited."""

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import HttpRequest

from apps.audit import services as audit


class AuditedModelAdmin(admin.ModelAdmin):
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = {}
            if change and obj.pk:
                before = audit.json_values(model_to_dict(type(obj).objects.get(pk=obj.pk)))
            super().save_model(request, obj, form, change)
            after = audit.json_values(model_to_dict(obj, fields=[f.name for f in obj._meta.concrete_fields]))
            after.pop("password", None)
            before.pop("password", None)
            changes = audit.changes_between(before, after) if change else {k: [None, v] for k, v in after.items()}
            audit.record(
                action=f"{obj._meta.model_name}.{'updated' if change else 'created'}",
                instance=obj,
                changes=changes,
                comment="via admin",
                actor=request.user,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit.record(
                action=f"{obj._meta.model_name}.deleted", instance=obj, comment="via admin", actor=request.user
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
