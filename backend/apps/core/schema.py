"""Shared OpenAPI pieces so every endpoint documents its error responses."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    "Error", fields={"detail": serializers.CharField(), "code": serializers.CharField()}
)
FieldErrorsSerializer = inline_serializer(
    "FieldErrors", fields={"field": serializers.ListField(child=serializers.CharField())}
)

BAD_REQUEST = OpenApiResponse(FieldErrorsSerializer, description="Field errors: {field: [messages]}")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Role lacks the capability (code permission_denied)")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not found, or belongs to another unit")
CONFLICT = OpenApiResponse(ErrorSerializer, description="Not allowed in the current state (code invalid_transition)")
UNAUTHORIZED = OpenApiResponse(ErrorSerializer, description="Missing or invalid credentials")
THROTTLED = OpenApiResponse(ErrorSerializer, description="Too many requests (code throttled)")

READ_ERRORS = {401: UNAUTHORIZED, 404: NOT_FOUND}
WRITE_ERRORS = {400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND}
TRANSITION_ERRORS = {**WRITE_ERRORS, 409: CONFLICT}
