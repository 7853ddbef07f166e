"""The API's JSON parser: bounded in size and nesting, every malformed body a 400/413.

DRF's parser reads the request stream itself, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE does
not apply to it; and `json.loads` of a deeply nested document raises RecursionError, which
DRF does not map. Both would otherwise end as a 500 or a body held whole in memory.
"""

import json
from typing import IO, Any

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class BoundedJSONParser(JSONParser):
    def parse(self, stream: IO[Any], media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = int(settings.API_JSON_MAX_BYTES)
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(f"The request body exceeds {limit} bytes.")
        if b"\\u0000" in raw:
            # PostgreSQL text cannot hold NUL: refused here rather than failing at the INSERT.
            raise exceptions.ParseError("JSON parse error - NUL characters (\\u0000) are not allowed.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(raw.decode(encoding), parse_constant=_reject_constant)
        except RecursionError as error:
            raise exceptions.ParseError("JSON parse error - the document is nested too deeply.") from error
        except (ValueError, UnicodeDecodeError) as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from error


def _reject_constant(name: str) -> Any:
    # NaN / Infinity are not JSON; storing them breaks PostgreSQL's jsonb and the audit hash.
    raise ValueError(f"{name} is not valid JSON")
