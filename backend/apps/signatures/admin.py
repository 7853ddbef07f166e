"""Signatures in the admin: browsable and searchable, never added, edited or deleted
(21 CFR 11.70: a signature stays linked to what was signed)."""

from django.contrib import admin

from apps.audit.read_only_admin import ReadOnlyAdminMixin
from apps.signatures.models import Signature


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["subject_number", "subject_type", "meaning", "full_name", "username", "signed_at"]
    list_filter = ["meaning", "subject_type"]
    search_fields = ["subject_number", "username", "full_name", "comment", "content_hash"]
    date_hierarchy = "signed_at"
    list_select_related = ["subject_type"]
