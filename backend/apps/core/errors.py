"""The one error type of the application.

Services raise ApplicationError with a machine-readable `code`; the DRF exception handler
maps it to the HTTP status below and docs/api.md's body `{"detail", "code"}`.
"""

from typing import Any

STATUS_BY_CODE = {
    "invalid_transition": 409,
    "conflict": 409,
    "capacity_exceeded": 409,
    "item_unavailable": 409,
    "invalid_signature": 403,
    "certification_required": 403,
    "segregation_of_duties": 403,
    "permission_denied": 403,
    "account_locked": 403,
    "not_found": 404,
    "invalid": 400,
}


class ApplicationError(Exception):
    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        status: int | None = None,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status or STATUS_BY_CODE.get(code, 400)
        # With `fields`, the error answers 400 `{field: [messages]}` like a validation error.
        self.fields = fields
        self.extra = extra or {}


def field_error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid", status=400, fields={field: [message]})


def invalid_transition(message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_transition")
