from collections.abc import Callable

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import SimpleLazyObject, empty


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


class LazyMessageMiddleware(MessageMiddleware):
    """Django's MessageMiddleware, its storage made when a message is first read or added.

    Only the admin shows messages; the API never does, and building the storage for each of its
    requests (a cookie and a session backend) was 1 % of a read's CPU (OPTIMIZATIONS.md §2.S).
    A request that never touched its messages leaves them as they were, as Django's storage
    does when nothing was read or added."""

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:  # type: ignore[attr-defined]
            return response
        return super().process_response(request, response)  # type: ignore[no-any-return]
