"""What the HTTP server hands Django (config/wsgi.py): granian's own environ, built by its own
code, without the process environment that granian starts every request's environ from."""

import io
import os
from typing import Any

import pytest
from granian.wsgi import _callback_wrapper


class Protocol:
    """granian's side of one request: what the wrapper answers through it."""

    answer: tuple[int, bytes] | None = None

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.answer = (status, body)


def test_the_process_environment_does_not_reach_django(monkeypatch: pytest.MonkeyPatch) -> None:
    from config import wsgi

    seen: dict[str, Any] = {}

    def django(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    monkeypatch.setattr(wsgi, "fast_path", django)
    serve = _callback_wrapper(wsgi.application, {})
    scope = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/health/",
        "QUERY_STRING": "verbose=1",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.1.2.3",
        "HTTP_HOST": "localhost",
        "HTTP_AUTHORIZATION": "Bearer abc",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
    }
    protocol = Protocol()

    assert serve(protocol, scope) == 200

    assert protocol.answer == (200, b"ok")
    # Variables of the process (PATH is always there; the settings module and, in CI, the
    # database URL too) are not in the request.
    for name in ("PATH", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY"):
        if name in os.environ:
            assert name not in seen, name
    assert "PATH" in os.environ
    # The request's own keys and granian's WSGI keys are.
    assert {key: seen[key] for key in scope} == scope
    assert seen["wsgi.version"] == (1, 0) and seen["SCRIPT_NAME"] == ""
