from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse


class RejectNulCharactersMiddleware:
    """A NUL character in the path or query string is never meaningful and PostgreSQL text
    cannot hold it: answer 400 (docs/api.md shape) instead of letting a filter or search reach the
    database with it and fail there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return JsonResponse({"detail": "NUL characters are not allowed.", "code": "invalid"}, status=400)
        return self.get_response(request)
