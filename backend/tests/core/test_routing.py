"""Paths resolve as Django resolves them, once per process (apps/core/routing.py)."""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from django.test import RequestFactory, override_settings
from django.urls import Resolver404, URLResolver, get_resolver
from django.urls import resolve as djangos_resolve

from apps.core import routing

PATHS = [
    "/api/health/",
    "/api/auth/me/",
    "/api/crates/",
    "/api/crates/17/",
    "/api/crates/17/relocate/",
    "/api/documents/",
    "/api/requests/42/approve/",
    "/api/dashboard/",
    "/api/notifications/",
    "/api/locations/",
    "/admin/",
    "/requests/42",  # a client-side route of the SPA
]


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The paths the root resolver walked its patterns for, from an empty memory."""
    walked: list[str] = []
    root = get_resolver()
    own = URLResolver.resolve

    def resolve(self: URLResolver, path: str) -> Any:
        if self is root:
            walked.append(path)
        return own(self, path)

    monkeypatch.setattr(URLResolver, "resolve", resolve)
    routing._match.cache_clear()
    yield walked
    routing._match.cache_clear()


def described(match: Any) -> tuple[Any, ...]:
    return (
        match.func,
        match.args,
        match.kwargs,
        match.url_name,
        match.route,
        match.app_names,
        match.namespaces,
        match.__dict__["captured_kwargs"],
    )


@pytest.mark.parametrize("path", PATHS)
def test_a_path_resolves_as_djangos_resolve_does(path: str, walks: list[str]) -> None:
    assert described(routing.resolve(path)) == described(djangos_resolve(path))
    assert described(routing.resolve(path)) == described(djangos_resolve(path))  # remembered


def test_a_path_is_walked_once(walks: list[str]) -> None:
    for _ in range(3):
        routing.resolve("/api/crates/17/")
        routing.resolve("/api/crates/")
    routing.resolve("/api/crates/18/")

    assert walks == ["/api/crates/17/", "/api/crates/", "/api/crates/18/"]


def test_each_match_has_its_own_arguments(walks: list[str]) -> None:
    first = routing.resolve("/api/crates/17/")
    first.kwargs["pk"] = "99"
    first.__dict__["captured_kwargs"]["pk"] = "99"

    again = routing.resolve("/api/crates/17/")

    assert again.kwargs == {"pk": "17"} and again.__dict__["captured_kwargs"] == {"pk": "17"}
    assert walks == ["/api/crates/17/"]


def test_a_path_that_does_not_resolve_is_refused_every_time_and_not_kept(walks: list[str]) -> None:
    for _ in range(2):
        with pytest.raises(Resolver404):
            routing.resolve("/api/no-such-thing/")

    assert walks == ["/api/no-such-thing/"] * 2
    assert routing._match.cache_info().currsize == 0


@override_settings(ROOT_URLCONF="tests.core.urls_elsewhere")
def test_another_urlconf_is_resolved_by_its_own_patterns() -> None:
    routing._match.cache_clear()
    assert routing.resolve("/elsewhere/").url_name == "elsewhere"
    with pytest.raises(Resolver404):
        routing.resolve("/api/crates/")


def _wsgi_get(application: Any, path: str) -> int:
    statuses: list[str] = []
    environ = RequestFactory().get(path).environ
    b"".join(application(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    return int(statuses[0][:3])


@pytest.mark.django_db
def test_the_wsgi_application_resolves_each_path_once(walks: list[str]) -> None:
    from config.wsgi import django_application

    statuses = [_wsgi_get(django_application, "/api/auth/me/") for _ in range(3)]

    assert statuses == [401, 401, 401]
    assert walks == ["/api/auth/me/"]


@pytest.mark.django_db(transaction=True)
def test_the_asgi_application_resolves_each_path_once(walks: list[str]) -> None:
    from config.asgi import django_asgi_app

    async def get(path: str) -> int:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver")],
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
        }
        communicator = ApplicationCommunicator(django_asgi_app, scope)
        await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await communicator.receive_output(timeout=10)
        await communicator.wait(timeout=10)
        return int(start["status"])

    statuses = [asyncio.run(get("/api/auth/me/")) for _ in range(3)]

    assert statuses == [401, 401, 401]
    assert walks == ["/api/auth/me/"]
