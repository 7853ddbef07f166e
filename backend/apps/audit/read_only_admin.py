"""The read-only admin for records only the services write. It lives in the audit app, the
bottom layer of the import contract, so every app's admin (the audit app's too) can use it."""

from typing import Any

from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """For records only the services write (audit events and reviews, requests, signatures,
    notifications, exports, the e-mail log, number series, signed-out sessions): browsable and
    searchable in the admin, never added, changed or deleted there. Works on a ModelAdmin and on
    an inline alike."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
