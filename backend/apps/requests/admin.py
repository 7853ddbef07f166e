"""Requests, send-backs and signatures in the admin: browsable and searchable, never edited.

Every change of a request goes through apps.requests.services (locks, transition table,
signatures, audit); the admin offers no add, change or delete, so it cannot bypass them.
"""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline

from apps.audit.read_only_admin import ReadOnlyAdminMixin
from apps.requests.models import Request, RequestItem, ReturnExtension, SendBack, SendBackItem
from apps.signatures.models import Signature


class RequestItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RequestItem
    extra = 0
    fields = ["crate", "document", "is_open", "source_location", "allocated_location", "returned_at"]


class SignatureInline(ReadOnlyAdminMixin, GenericTabularInline):
    model = Signature
    ct_field = "subject_type"
    ct_fk_field = "subject_id"
    extra = 0
    fields = ["meaning", "full_name", "username", "signed_at", "comment", "content_hash"]


@admin.register(Request)
class RequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "request_type",
        "status",
        "unit",
        "target_unit",
        "requester",
        "created_at",
        "expected_return_date",
    ]
    list_filter = ["request_type", "status", "unit"]
    search_fields = [
        "number",
        *Request.text_header_fields(),
        "requester__username",
        "requester__full_name",
        "items__crate__number",
    ]
    date_hierarchy = "created_at"
    list_select_related = ["unit", "target_unit", "requester"]
    inlines = [RequestItemInline, SignatureInline]


@admin.register(RequestItem)
class RequestItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["request", "crate", "document", "is_open", "returned_at"]
    list_filter = ["is_open", "request__request_type"]
    search_fields = ["request__number", "crate__number", "document__number"]
    list_select_related = ["request", "crate", "document"]


class SendBackItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SendBackItem
    extra = 0
    fields = ["request_item", "location"]


@admin.register(SendBack)
class SendBackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "request", "unit", "status", "returned_by", "received_by", "received_at", "created_at"]
    list_filter = ["status", "unit"]
    search_fields = ["number", "request__number", "condition_notes"]
    list_select_related = ["request", "unit", "returned_by", "received_by"]
    inlines = [SendBackItemInline]


@admin.register(ReturnExtension)
class ReturnExtensionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "request",
        "unit",
        "requester",
        "previous_date",
        "requested_date",
        "status",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status", "unit"]
    search_fields = ["request__number", "requester__username", "reason"]
    list_select_related = ["request", "unit", "requester", "decided_by"]
    inlines = [SignatureInline]
