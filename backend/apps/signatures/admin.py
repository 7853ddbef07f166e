"""Signatures in the admin: browsable and searchable, never added, edited or deleted
(21 CFR 11.70: a signature stays linked to what was signed)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.signatures.models import Signature


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["subject_number", "subject_type", "meaning", "full_name", "username", "signed_at"]
    list_filter = ["meaning", "subject_type"]
    search_fields = ["subject_number", "username", "full_name", "comment", "content_hash"]
    date_hierarchy = "signed_at"
    list_select_related = ["subject_type"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
