"""Log lines are JSON with the request id (nginx's X-Request-ID), in the web process, the
WebSocket server and Celery workers alike."""

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from pythonjsonlogger.json import JsonFormatter
from rest_framework.test import APIClient

from apps.audit import context, log
from apps.audit.models import AuditEvent
from apps.realtime.middleware import RequestIdMiddleware
from tests.conftest import DEMO_PASSWORD, World


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """A copy of what the configured console handler writes (its formatter and filters)."""
    console = next(h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(console.formatter)
    for item in console.filters:
        handler.addFilter(item)
    logging.getLogger().addHandler(handler)
    yield stream
    logging.getLogger().removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_a_request_logs_json_lines_with_the_proxy_request_id(world: World, json_lines: io.StringIO) -> None:
    response = APIClient().get("/api/auth/me/", HTTP_X_REQUEST_ID="rid-from-nginx-1")

    assert response.status_code == 401
    assert response["X-Request-ID"] == "rid-from-nginx-1"
    [line] = [item for item in lines(json_lines) if item["logger"] == "django.request"]
    assert line["request_id"] == "rid-from-nginx-1"
    assert line["level"] == "WARNING"
    assert line["message"] == "Unauthorized: /api/auth/me/"
    assert set(line) >= {"time", "level", "logger", "pid", "request_id", "message"}


def test_lines_logged_inside_the_request_carry_its_id(json_lines: io.StringIO) -> None:
    with context.use(context.AuditContext(request_id="rid-inside")):
        logging.getLogger("apps.example").warning("something happened")

    assert lines(json_lines)[-1]["request_id"] == "rid-inside"


def test_the_audit_event_and_the_response_share_the_request_id(world: World) -> None:
    response = APIClient().post(
        "/api/auth/login/",
        {"username": "approver", "password": DEMO_PASSWORD},
        format="json",
        HTTP_X_REQUEST_ID="rid-login-7",
    )

    assert response["X-Request-ID"] == "rid-login-7"
    assert AuditEvent.objects.get(action="login.succeeded").request_id == "rid-login-7"


def test_a_celery_task_runs_under_the_request_id_of_the_request_that_queued_it() -> None:
    headers: dict[str, Any] = {}
    with context.use(context.AuditContext(request_id="rid-task-3")):
        log._send_request_id(headers=headers)
    assert headers == {log.HEADER: "rid-task-3"}

    class Task:
        request = type("TaskRequest", (), {log.HEADER: "rid-task-3"})()

    log._adopt_request_id(task_id="t1", task=Task())
    inside = context.current().request_id
    log._drop_request_id(task_id="t1")

    assert (inside, context.current().request_id) == ("rid-task-3", "")


def test_a_websocket_runs_under_the_request_id_of_its_upgrade_request() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(context.current().request_id)
        await receive()
        await send({"type": "websocket.close", "code": 1000})

    communicator = WebsocketCommunicator(
        RequestIdMiddleware(app), "/ws/updates/", headers=[(b"x-request-id", b"rid-socket-9")]
    )
    async_to_sync(communicator.connect)()
    async_to_sync(communicator.disconnect)()

    assert seen == ["rid-socket-9"]
