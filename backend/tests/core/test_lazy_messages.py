"""Messages (the admin's) work as with Django's MessageMiddleware; a request that never uses
them, as every API request, does not build their storage (apps/core/middleware.py)."""

from typing import Any

from django.contrib import messages
from django.contrib.sessions.backends.cache import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from apps.core import middleware
from tests.conftest import World, record_calls


def _run(view: Any, cookies: dict[str, str] | None = None) -> Any:
    request = RequestFactory().get("/admin/")
    request.COOKIES.update(cookies or {})
    request.session = SessionStore()
    return middleware.LazyMessageMiddleware(view)(request)


def test_a_message_added_is_shown_on_the_next_request() -> None:
    def add(request: Any) -> HttpResponse:
        messages.success(request, "Unlocked 1 user(s).")
        return HttpResponse()

    shown: list[str] = []

    def show(request: Any) -> HttpResponse:
        shown.extend(str(message) for message in messages.get_messages(request))
        return HttpResponse()

    stored = _run(add).cookies["messages"].value
    assert stored
    after = _run(show, {"messages": stored})
    assert shown == ["Unlocked 1 user(s)."]
    assert after.cookies["messages"].value == ""  # shown once: the cookie is cleared


def test_a_request_that_never_uses_messages_leaves_them(monkeypatch: Any) -> None:
    built = record_calls(monkeypatch, middleware, "default_storage")
    response = _run(lambda request: HttpResponse())
    assert built == [] and "messages" not in response.cookies


def test_an_api_read_builds_no_message_storage(world: World, monkeypatch: Any) -> None:
    built = record_calls(monkeypatch, middleware, "default_storage")
    response = world.login("docmanager").get("/api/crates/")
    assert response.status_code == 200
    assert built == [] and "messages" not in response.cookies
