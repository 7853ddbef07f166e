"""The shipped nginx config never forwards /metrics, and hands every request a request id
that the backend receives (X-Request-ID) and nginx logs (rid=)."""

import http.client
import http.server
import ssl
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.production.support import NginxLayout, free_port, make_test_certificate, render_nginx, require_tool


class _Backend(http.server.BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []
    headers_seen: list[Any] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        _Backend.seen.append((self.path, self.headers.get("X-Request-ID", "")))
        _Backend.headers_seen.append(self.headers)
        body = b"backend"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def nginx_in_front(tmp_path: Path) -> Iterator[NginxLayout]:
    nginx = require_tool("nginx")
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Backend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    cert, key = make_test_certificate(tmp_path / "ssl")
    for sub in ("static", "media"):
        (tmp_path / sub).mkdir()
    layout = NginxLayout(
        root=tmp_path / "nginx",
        https_port=free_port(),
        http_port=free_port(),
        backends=[f"127.0.0.1:{backend.server_address[1]}"],
        websockets=[f"127.0.0.1:{backend.server_address[1]}"],
        frontend=f"127.0.0.1:{backend.server_address[1]}",
        cert=cert,
        key=key,
        static_root=tmp_path / "static",
        media_root=tmp_path / "media",
    )
    conf = render_nginx(layout)
    args = [nginx, "-c", str(conf), "-p", str(conf.parent), "-e", str(conf.parent / "logs" / "error.log")]
    subprocess.run([*args, "-t"], check=True, capture_output=True)
    subprocess.run(args, check=True, capture_output=True)  # daemonizes; stopped below by its pid file
    _Backend.seen, _Backend.headers_seen = [], []
    try:
        yield layout
    finally:
        subprocess.run([*args, "-s", "stop"], capture_output=True)
        backend.shutdown()
        backend.server_close()


def get(layout: NginxLayout, path: str) -> tuple[int, bytes]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(f"https://127.0.0.1:{layout.https_port}{path}", headers={"X-Request-ID": "forged"})
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_metrics_are_not_reachable_through_nginx(nginx_in_front: NginxLayout) -> None:
    status, body = get(nginx_in_front, "/metrics")

    assert status == 404
    assert body != b"backend"
    assert all(path != "/metrics" for path, _ in _Backend.seen)


def test_nginx_sets_the_request_id_that_the_backend_receives_and_nginx_logs(nginx_in_front: NginxLayout) -> None:
    status, body = get(nginx_in_front, "/api/health/")

    assert (status, body) == (200, b"backend")
    [(path, request_id)] = _Backend.seen
    assert path == "/api/health/"
    # nginx's own id (32 hex digits), not the one the client tried to set.
    assert len(request_id) == 32 and request_id != "forged"
    # /api/health/ is not access-logged; an API call is, with the same id.
    get(nginx_in_front, "/api/units/")
    api_id = _Backend.seen[-1][1]
    # nginx writes the line in its log phase, after the response has gone: wait for it.
    access_log = nginx_in_front.root / "logs" / "access.log"
    deadline = time.monotonic() + 5
    while f"rid={api_id}" not in access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert f"rid={api_id}" in access_log.read_text()


def test_a_websocket_upgrade_carries_the_request_id_and_the_client_address(nginx_in_front: NginxLayout) -> None:
    """/ws/ sets headers of its own (Upgrade, Connection), which in nginx drops every header the
    server block sets: the socket must still get nginx's request id and the client's address
    (Daphne's --proxy-headers turns X-Forwarded-For into the socket's audit address), never
    the values a client sends."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", nginx_in_front.https_port, context=context, timeout=10)
    try:
        conn.request(
            "GET",
            "/ws/updates/?ticket=t",
            headers={
                "Host": "dms.example",
                "Upgrade": "websocket",
                "Connection": "Upgrade",
                "X-Request-ID": "forged",
                "X-Forwarded-For": "203.0.113.9",
            },
        )
        conn.getresponse().read()
    finally:
        conn.close()

    [(path, request_id)] = _Backend.seen
    [headers] = _Backend.headers_seen
    assert path == "/ws/updates/?ticket=t"
    assert len(request_id) == 32 and request_id != "forged"
    assert headers["X-Forwarded-For"] == "127.0.0.1"
    assert headers["X-Real-IP"] == "127.0.0.1"
    assert headers["X-Forwarded-Proto"] == "https"
    assert headers["Host"] == "dms.example"
    assert (headers["Upgrade"], headers["Connection"]) == ("websocket", "upgrade")
