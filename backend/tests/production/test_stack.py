"""The production-like stack on loopback, as docker-compose.production.yml runs it:

    client --https/wss--> nginx (shipped config, self-signed cert)
                           |-- /api/, /admin/ --> granian, 2 worker processes (WSGI) ┐ config.
                           |-- /ws/           --> Daphne, 2 processes (WebSockets)    ┘ settings_production
                           |-- /static/ (collectstatic output)
                           '-- /  --> SPA server block (frontend/nginx.conf)
    Celery worker + Celery beat; PostgreSQL and Redis of the machine.

Everything is reached through nginx only. Processes are torn down by PID; the database
(dms_stack_test_<run>) is dropped and this run's Redis keys are deleted afterwards."""

from __future__ import annotations

import asyncio
import datetime
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from websockets.typing import Origin

from tests.production.conftest import cleanup_redis, production_env
from tests.production.support import (
    PYTHON,
    REPO_ROOT,
    NginxLayout,
    ProcessGroup,
    create_app_role,
    create_database,
    drop_database,
    drop_role,
    free_port,
    make_test_certificate,
    manage,
    render_nginx,
    require_tool,
    scoped_name,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

DATABASE = scoped_name("dms_stack_test")
APP_ROLE = scoped_name("dms_stack_test_app")
DEMO_PASSWORD = "Demo@12345678"
# The site's name: the only entry of ALLOWED_HOSTS, as on a real server (no bare IPs).
HOST = "localhost"
SPA_HTML = "<!doctype html><html><head><title>Cipla DMS</title></head><body><div id=root></div></body></html>"


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Stack:
    https_port: int
    http_port: int
    http_worker_port: int
    websocket_port: int
    ssl_context: ssl.SSLContext
    procs: ProcessGroup
    root: Path
    env: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)
    # Every Daphne process (the compose file's websocket replicas); websocket_port is the first.
    websocket_ports: list[int] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"https://{HOST}:{self.https_port}"

    def request(
        self, method: str, path: str, body: Any = None, token: str | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        conn = http.client.HTTPSConnection("127.0.0.1", self.https_port, context=self.ssl_context, timeout=30)
        # Connect to loopback, but name the site like a browser would: Host is the server
        # name of ALLOWED_HOSTS (Django refuses any other), SNI/cert check on 127.0.0.1.
        all_headers = {"Host": f"{HOST}:{self.https_port}", "Accept": "application/json", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=data, headers=all_headers)
            response = conn.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            conn.close()

    def login(self, username: str) -> str:
        """An access token (one login per user per module: nginx allows 5 logins a minute)."""
        if username not in self.tokens:
            response = self.request("POST", "/api/auth/login/", {"username": username, "password": DEMO_PASSWORD})
            assert response.status == 200, (response.status, response.body)
            self.tokens[username] = response.json()["access"]
        return self.tokens[username]

    def diagnostics(self) -> str:
        parts = [f"--- {p.name} ---\n{p.tail(30)}" for p in self.procs.procs]
        err = self.root / "nginx" / "logs" / "error.log"
        if err.exists():
            parts.append("--- nginx error.log ---\n" + "\n".join(err.read_text().splitlines()[-20:]))
        return "\n".join(parts)


def _health_direct(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
    try:
        conn.request("GET", "/api/health/", headers={"Host": HOST})
        response = conn.getresponse()
        return response.status == 200 and json.loads(response.read())["status"] == "ok"
    finally:
        conn.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, template_database: str) -> Iterator[Stack]:
    nginx = require_tool("nginx")
    root = tmp_path_factory.mktemp("stack")
    https_port, http_port, frontend_port = free_port(), free_port(), free_port()
    http_worker_port, websocket_ports = free_port(), [free_port(), free_port()]
    websocket_port = websocket_ports[0]

    create_database(DATABASE, template=template_database)
    # As in production: the servers connect as the application role (rows only).
    app_url = create_app_role(APP_ROLE, DATABASE)
    env = production_env(
        root,
        DATABASE,
        DATABASE_URL=app_url,
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}:{https_port}",
        SPA_BASE_URL=f"https://{HOST}:{https_port}",
        ASGI_THREADS="8",
        DB_POOL_MIN="1",
        DB_POOL_MAX="4",
    )
    procs = ProcessGroup(root)
    stack = Stack(
        https_port,
        http_port,
        http_worker_port,
        websocket_port,
        ssl.create_default_context(),
        procs,
        root,
        env,
        websocket_ports=websocket_ports,
    )
    try:
        # What entrypoint.sh does in the backend container (migrate ran in the template).
        manage(env, "collectstatic", "--noinput", "-v", "0")

        cert, key = make_test_certificate(root / "ssl")
        stack.ssl_context = ssl.create_default_context(cafile=str(cert))
        spa = root / "spa"
        (spa / "assets").mkdir(parents=True)
        (spa / "index.html").write_text(SPA_HTML)
        (spa / "assets" / "app-1a2b3c.js").write_text("console.log('dms');\n")
        layout = NginxLayout(
            root=root / "nginx",
            https_port=https_port,
            http_port=http_port,
            backends=[f"127.0.0.1:{http_worker_port}"],
            websockets=[f"127.0.0.1:{port}" for port in websocket_ports],
            frontend=f"127.0.0.1:{frontend_port}",
            cert=cert,
            key=key,
            static_root=Path(env["STATIC_ROOT"]),
            media_root=Path(env["DMS_MEDIA_ROOT"]),
        )
        conf = render_nginx(layout, frontend_root=spa)

        # The backend service's command, with the compose file's worker count scaled down. Its
        # metrics folder holds a file of an earlier run, which the server must empty at start.
        metrics_folder = root / "metrics"
        metrics_folder.mkdir()
        (metrics_folder / "counter_1.db").write_bytes(b"an earlier run's figures")
        procs.start(
            "http",
            [PYTHON, "-m", "config.http_server"],
            env={
                **env,
                "HTTP_BIND": f"127.0.0.1:{http_worker_port}",
                "WEB_CONCURRENCY": "2",
                "HTTP_THREADS": "4",
                "PROMETHEUS_MULTIPROC_DIR": str(metrics_folder),
            },
        )
        # The websocket service's command, once per replica.
        for n, port in enumerate(websocket_ports):
            procs.start(
                "daphne" if n == 0 else f"daphne{n + 1}",
                [
                    PYTHON,
                    "-m",
                    "daphne",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--proxy-headers",
                    "config.asgi:application",
                ],
                env=env,
            )
        worker_env = {**env, "DB_POOL_MIN": "1", "DB_POOL_MAX": "2"}
        procs.start(
            "celery-worker",
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "config.celery",
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
                "--hostname",
                f"stack{https_port}@%h",
            ],
            env=worker_env,
        )
        procs.start(
            "celery-beat",
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "config.celery",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(root / "celerybeat-schedule"),
            ],
            env=worker_env,
        )
        procs.start(
            "nginx",
            [
                nginx,
                "-c",
                str(conf),
                "-p",
                str(conf.parent),
                "-e",
                str(conf.parent / "logs" / "error.log"),
                "-g",
                "daemon off;",
            ],
            env=env,
        )

        for name, port in (("granian", http_worker_port), *(("Daphne", port) for port in websocket_ports)):
            wait_until(
                lambda port=port: _health_direct(port), timeout=60, what=f"{name} on {port}", on_fail=stack.diagnostics
            )
        wait_until(
            lambda: stack.request("GET", "/nginx-health").status == 200,
            timeout=20,
            what="nginx",
            on_fail=stack.diagnostics,
        )
        wait_until(
            lambda: " ready." in (root / "celery-worker.log").read_text(),
            timeout=60,
            what="Celery worker",
            on_fail=stack.diagnostics,
        )
        wait_until(
            lambda: "beat: Starting" in (root / "celery-beat.log").read_text(),
            timeout=30,
            what="Celery beat",
            on_fail=stack.diagnostics,
        )
        procs.assert_running()
        yield stack
    finally:
        procs.stop_all()
        drop_database(DATABASE)
        drop_role(APP_ROLE)
        cleanup_redis(env)


def test_https_serves_health_over_tls12_plus_and_http2(stack: Stack) -> None:
    response = stack.request("GET", "/api/health/")

    assert response.status == 200
    assert response.json()["status"] == "ok"
    with socket.create_connection(("127.0.0.1", stack.https_port), timeout=10) as raw:
        context = ssl.create_default_context(cafile=str(stack.root / "ssl" / "fullchain.pem"))
        context.set_alpn_protocols(["h2", "http/1.1"])
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.version() in {"TLSv1.2", "TLSv1.3"}
            assert tls.selected_alpn_protocol() == "h2"


def test_http_port_redirects_to_https(stack: Stack) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=10)
    conn.request("GET", "/requests/42?tab=items", headers={"Host": f"{HOST}:{stack.http_port}"})
    response = conn.getresponse()
    conn.close()

    assert response.status == 301
    assert response.headers["Location"] == f"https://{HOST}:{stack.https_port}/requests/42?tab=items"


@pytest.mark.parametrize("service", ["backend", "websocket"])
def test_container_health_check_command_works(stack: Stack, service: str) -> None:
    """The exact health check of each server service in docker-compose.production.yml, run
    against its process here (port 8000 -> this process's port)."""
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.production.yml").read_text())
    command = compose["services"][service]["healthcheck"]["test"]
    assert command[0] == "CMD" and command[1] == "python"
    port = stack.http_worker_port if service == "backend" else stack.websocket_port
    args = [PYTHON, *[a.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for a in command[2:]]]

    healthy = subprocess.run(args, env=stack.env, capture_output=True, text=True, timeout=30)
    unknown_host = subprocess.run(
        args, env={**stack.env, "ALLOWED_HOSTS": "intruder.example"}, capture_output=True, text=True, timeout=30
    )

    assert healthy.returncode == 0, healthy.stderr
    assert unknown_host.returncode != 0


def _http_workers(stack: Stack) -> list[int]:
    main = next(p for p in stack.procs.procs if p.name == "http").popen.pid
    return [int(pid) for pid in (Path("/proc") / str(main) / "task" / str(main) / "children").read_text().split()]


def _metrics_direct(port: int) -> dict[str, float]:
    """/metrics of the HTTP server, asked on its own port as Prometheus does (summed samples)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/metrics")
        response = conn.getresponse()
        assert response.status == 200
        text = response.read().decode()
    finally:
        conn.close()
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            totals[sample.name] = totals.get(sample.name, 0.0) + sample.value
    return totals


def test_http_runs_on_several_worker_processes(stack: Stack) -> None:
    """granian forks WEB_CONCURRENCY workers, each its own interpreter (its own core)."""
    assert len(_http_workers(stack)) == 2
    for _ in range(10):
        assert stack.request("GET", "/api/health/").status == 200
    # The metrics folder was emptied when the server started: an earlier run counts for nothing.
    assert not (stack.root / "metrics" / "counter_1.db").exists()


def test_a_dead_http_worker_is_replaced_and_its_live_figures_are_dropped(stack: Stack) -> None:
    before = _http_workers(stack)
    # New connections, so both workers (the kernel spreads connections over their sockets) have
    # served a request and reported their database pool.
    for _ in range(20):
        assert _health_direct(stack.http_worker_port)
    figures = _metrics_direct(stack.http_worker_port)
    assert figures["dms_db_pool_max_connections"] == 2 * int(stack.env["DB_POOL_MAX"])

    os.kill(before[0], signal.SIGKILL)
    after = wait_until(
        lambda: workers if len(workers := _http_workers(stack)) == 2 and before[0] not in workers else None,
        timeout=30,
        what="a new HTTP worker",
        on_fail=stack.diagnostics,
    )

    assert before[1] in after
    # The killed worker's pool is gone (the new one has not served yet); its requests stay counted.
    later = _metrics_direct(stack.http_worker_port)
    assert later["dms_db_pool_max_connections"] == int(stack.env["DB_POOL_MAX"])
    assert later["dms_http_requests_total"] >= figures["dms_http_requests_total"]
    for _ in range(10):
        assert stack.request("GET", "/api/health/").status == 200


def test_security_headers_appear_once_on_api_and_spa(stack: Stack) -> None:
    for path in ("/api/health/", "/crates/17"):
        response = stack.request("GET", path)
        assert response.status == 200, path
        headers = response.headers
        assert headers.get_all("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains; preload"]
        assert headers.get_all("X-Frame-Options") == ["DENY"]
        assert headers.get_all("X-Content-Type-Options") == ["nosniff"]
        assert headers.get_all("Referrer-Policy") == ["strict-origin-when-cross-origin"]
        # The app's own pages may use the camera (the label scanner); nothing else may.
        assert headers.get_all("Permissions-Policy") == ["camera=(self), microphone=(), geolocation=(), payment=()"]
        [csp] = headers.get_all("Content-Security-Policy") or []
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "Server" not in headers or "nginx/" not in headers["Server"]


def test_spa_routes_fall_back_to_index_and_static_files_are_served(stack: Stack) -> None:
    page = stack.request("GET", "/requests/42", headers={"Accept": "text/html"})
    asset = stack.request("GET", "/assets/app-1a2b3c.js")
    admin = stack.request("GET", "/admin/login/", headers={"Accept": "text/html"})

    assert page.status == 200 and page.body.decode() == SPA_HTML
    assert asset.status == 200 and "immutable" in asset.headers["Cache-Control"]
    assert admin.status == 200
    # The admin page links its CSS through the manifest storage; nginx serves it from disk.
    html = admin.body.decode()
    css_path = html.split('href="/static/admin/css/base.', 1)[1].split('"', 1)[0]
    css = stack.request("GET", "/static/admin/css/base." + css_path, headers={"Accept-Encoding": "gzip"})
    assert css.status == 200
    assert css.headers["Content-Encoding"] == "gzip"
    assert css.headers["Expires"]


class _Socket:
    """A WebSocket client on an event loop of its own, run in the calling thread only.

    websockets' sync client reads its socket in a background thread while the caller writes
    to it. Python's ssl module does not serialize the two on one OpenSSL connection, and
    OpenSSL connections are not thread-safe: with TLS 1.3 the server's session tickets arrive
    just after the handshake, while the upgrade request is being written, and about one
    handshake in a hundred stalled (12 of 1,220 through nginx with a CPU hog running; 0 of 500
    with the asyncio client, 0 of 660 over TLS 1.2, in the same runs). Here every read and
    write runs on one thread."""

    def __init__(self, url: str, **options: Any) -> None:
        from websockets.asyncio.client import connect

        self._loop = asyncio.new_event_loop()
        try:
            self._ws = self._loop.run_until_complete(connect(url, open_timeout=10, **options))
        except BaseException:
            self._loop.close()
            raise

    def send(self, text: str) -> None:
        self._loop.run_until_complete(self._ws.send(text))

    def recv(self, timeout: float) -> str | bytes:
        return self._loop.run_until_complete(asyncio.wait_for(self._ws.recv(), timeout))

    def close(self) -> None:
        if not self._loop.is_closed():
            self._loop.run_until_complete(self._ws.close())
            self._loop.close()

    def __enter__(self) -> _Socket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _connect(stack: Stack, url: str, **options: Any) -> _Socket:
    """A WebSocket client; a handshake that times out fails with the servers' log tails."""
    try:
        return _Socket(url, origin=Origin(stack.origin), **options)
    except TimeoutError as error:
        raise AssertionError(f"WebSocket handshake timed out: {url}\n{stack.diagnostics()}") from error


def _ticket(stack: Stack, token: str) -> str:
    ticket = stack.request("POST", "/api/auth/ws-ticket/", {}, token=token)
    assert ticket.status in (200, 201), ticket.body
    return str(ticket.json()["ticket"])


def _open_socket(stack: Stack, token: str):
    return _connect(
        stack, f"wss://{HOST}:{stack.https_port}/ws/updates/?ticket={_ticket(stack, token)}", ssl=stack.ssl_context
    )


def _wait_for_event(ws, predicate, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            message = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        except TimeoutError:
            break
        seen.append(message)
        if predicate(message):
            return message
    pytest.fail(f"no matching event within {timeout}s; received {seen}")


def _first_result(stack: Stack, path: str, token: str) -> dict:
    response = stack.request("GET", path, token=token)
    assert response.status == 200, (path, response.body)
    results = response.json()["results"]
    assert results, f"{path} returned nothing"
    return results[0]


def test_storage_request_from_creation_to_execution_with_live_events(stack: Stack) -> None:
    docmanager = stack.login("docmanager")
    approver = stack.login("approver")
    storehead = stack.login("storehead")
    # Writes run in the HTTP workers, sockets live in Daphne: every event crosses the
    # Redis channel layer from one process to another.
    sockets = [_open_socket(stack, storehead), _open_socket(stack, docmanager)]
    try:
        for ws in sockets:
            ws.send(json.dumps({"type": "ping"}))
            assert _wait_for_event(ws, lambda m: m.get("type") == "pong")["type"] == "pong"

        department = _first_result(stack, "/api/departments/", docmanager)
        document_type = _first_result(stack, "/api/document-types/", docmanager)
        crate = stack.request(
            "POST", "/api/crates/", {"department": department["id"], "description": "Stack test BMRs"}, token=docmanager
        )
        assert crate.status == 201, crate.body
        crate_id = crate.json()["id"]
        document = stack.request(
            "POST",
            "/api/documents/",
            {
                "crate": crate_id,
                "number": "BMR-STACK-001",
                "title": "Batch record 001",
                "document_type": document_type["id"],
                "record_date": datetime.date.today().isoformat(),
            },
            token=docmanager,
        )
        assert document.status == 201, document.body

        created = stack.request(
            "POST",
            "/api/requests/",
            {
                "request_type": "storage",
                "purpose": "Archive stack-test batch records",
                "items": [{"crate": crate_id}],
            },
            token=docmanager,
        )
        assert created.status == 201, created.body
        request_id = created.json()["id"]
        assert created.json()["status"] == "draft"

        submitted = stack.request("POST", f"/api/requests/{request_id}/submit/", {}, token=docmanager)
        assert submitted.status == 200, submitted.body
        assert submitted.json()["status"] == "submitted"

        approved = stack.request(
            "POST",
            f"/api/requests/{request_id}/approve/",
            {"password": DEMO_PASSWORD, "comment": "OK to archive"},
            token=approver,
        )
        assert approved.status == 200, approved.body
        assert approved.json()["status"] == "approved"

        location = next(
            loc
            for loc in stack.request("GET", "/api/locations/?available=true&page_size=100", token=storehead).json()[
                "results"
            ]
            if loc["free"] > 0
        )
        executed = stack.request(
            "POST",
            f"/api/requests/{request_id}/execute/",
            {"allocations": [{"crate": crate_id, "location": location["id"]}]},
            token=storehead,
        )
        assert executed.status == 200, executed.body
        assert executed.json()["status"] == "completed"
        number = executed.json()["number"]

        for ws in sockets:
            event = _wait_for_event(
                ws,
                lambda m: m.get("entity") == "request" and m.get("id") == request_id and m.get("status") == "completed",
            )
            assert event["type"] == "entity.changed" and event["number"] == number

        stored = stack.request("GET", f"/api/crates/{crate_id}/", token=storehead).json()
        assert (stored["status"], stored["location"]) == ("stored", location["id"])
    finally:
        for ws in sockets:
            ws.close()

    # nginx logs the upstream of every request: the API went to granian, the sockets to Daphne.
    # (A socket's line is written when it closes, a moment after ws.close().)
    log = stack.root / "nginx" / "logs" / "access.log"
    ws = wait_until(
        lambda: [line for line in log.read_text().splitlines() if '"GET /ws/updates/' in line][:2] or None,
        timeout=10,
        what="the sockets' access log lines",
    )
    api = [line for line in log.read_text().splitlines() if '"POST /api/requests/' in line]
    assert api and all(f'ua="127.0.0.1:{stack.http_worker_port}"' in line for line in api)
    daphnes = [f'ua="127.0.0.1:{port}"' for port in stack.websocket_ports]
    assert all(any(daphne in line for daphne in daphnes) for line in ws)
    # The audit trail reached audit.log as JSON lines, next to app.log and websocket.log.
    logs = Path(stack.env["DMS_LOG_DIR"])
    audit_lines = [json.loads(line) for line in (logs / "audit.log").read_text().splitlines() if line.strip()]
    assert any(number in json.dumps(line) for line in audit_lines)
    assert (logs / "app.log").exists() and (logs / "websocket.log").exists()


def test_an_event_reaches_the_sockets_of_every_daphne_process(stack: Stack) -> None:
    """nginx spreads the sockets over the Daphne processes; a write in an HTTP worker is
    published once and every process hands it to its own sockets of the unit (and only those:
    a socket of another unit on either process gets nothing)."""
    docmanager = stack.login("docmanager")
    storehead = stack.login("storehead")
    other_unit = stack.login("storehead2")

    def socket_on(port: int, token: str) -> Any:
        return _connect(stack, f"ws://127.0.0.1:{port}/ws/updates/?ticket={_ticket(stack, token)}")

    assert len(stack.websocket_ports) == 2
    ours = [socket_on(port, token) for port in stack.websocket_ports for token in (storehead, docmanager)]
    theirs = [socket_on(port, other_unit) for port in stack.websocket_ports]
    try:
        for ws in ours + theirs:  # subscribed before the write
            ws.send(json.dumps({"type": "ping"}))
            assert _wait_for_event(ws, lambda m: m.get("type") == "pong")["type"] == "pong"
        department = _first_result(stack, "/api/departments/", docmanager)
        crate = stack.request(
            "POST", "/api/crates/", {"department": department["id"], "description": "Two Daphnes"}, token=docmanager
        )
        assert crate.status == 201, crate.body
        for ws in ours:
            event = _wait_for_event(ws, lambda m: m.get("entity") == "crate" and m.get("id") == crate.json()["id"])
            assert event["action"] == "created"
            assert "visible_units" not in event and "visible_users" not in event
        for ws in theirs:
            with pytest.raises(TimeoutError):
                while True:  # anything but this crate's event may pass (e.g. a notification)
                    assert json.loads(ws.recv(timeout=1.0)).get("id") != crate.json()["id"]
    finally:
        for ws in ours + theirs:
            ws.close()


def test_idle_socket_through_nginx_survives_and_still_receives_events(stack: Stack) -> None:
    """channels_redis #422: an idle reader must not be dropped after a few seconds; nginx's
    /ws/ timeout must not cut it either."""
    docmanager = stack.login("docmanager")
    ws = _open_socket(stack, stack.login("storehead"))
    try:
        ws.send(json.dumps({"type": "ping"}))
        _wait_for_event(ws, lambda m: m.get("type") == "pong")
        time.sleep(12)  # idle

        department = _first_result(stack, "/api/departments/", docmanager)
        crate = stack.request(
            "POST", "/api/crates/", {"department": department["id"], "description": "idle"}, token=docmanager
        )
        assert crate.status == 201, crate.body

        event = _wait_for_event(ws, lambda m: m.get("entity") == "crate" and m.get("id") == crate.json()["id"])
        assert event["action"] == "created"
    finally:
        ws.close()


def test_websocket_without_a_valid_ticket_is_refused(stack: Stack) -> None:
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    try:
        with _connect(stack, f"wss://{HOST}:{stack.https_port}/ws/updates/?ticket=forged", ssl=stack.ssl_context) as ws:
            ws.recv(timeout=10)
    except ConnectionClosed as closed:
        assert closed.rcvd is not None and closed.rcvd.code == 4001
    except InvalidStatus as refused:  # a handshake refused before upgrade is a refusal too
        assert refused.response.status_code == 403
    else:
        pytest.fail("a forged ticket opened a socket")


def test_celery_worker_answers_on_the_production_broker(stack: Stack) -> None:
    from tests.production.support import BACKEND_DIR

    result = subprocess.run(
        [PYTHON, "-m", "celery", "-A", "config.celery", "inspect", "ping", "--timeout", "5"],
        cwd=BACKEND_DIR,
        env={**stack.env, "DB_POOL_MIN": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"stack{stack.https_port}@" in result.stdout and "pong" in result.stdout
    stack.procs.assert_running()


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("SET session_replication_role = replica", "permission denied"),
        ("ALTER TABLE audit_auditevent DISABLE TRIGGER ALL", "must be owner"),
        ("TRUNCATE audit_auditevent", "permission denied"),
        # The role holds no UPDATE or DELETE on the trail at all (scripts/db-init); the
        # append-only triggers behind that grant are tested in tests/audit and tests/security.
        ("DELETE FROM audit_auditevent", "permission denied"),
        ("UPDATE audit_auditevent SET comment = 'edited'", "permission denied"),
    ],
)
def test_application_role_cannot_alter_or_bypass_the_audit_trail(stack: Stack, statement: str, refusal: str) -> None:
    import psycopg

    with psycopg.connect(stack.env["DATABASE_URL"]) as conn:
        before = conn.execute("SELECT count(*), max(id) FROM audit_auditevent").fetchone()
        with pytest.raises(psycopg.Error) as error:
            conn.execute(statement)
        conn.rollback()
        assert refusal in str(error.value).lower()
        assert conn.execute("SELECT count(*), max(id) FROM audit_auditevent").fetchone() == before


def test_login_rate_limit_answers_429(stack: Stack) -> None:
    """Runs last: it spends this address's login allowance (nginx 5 r/min + burst)."""
    statuses = []
    for attempt in range(15):
        response = stack.request("POST", "/api/auth/login/", {"username": f"nobody{attempt}", "password": "wrong"})
        statuses.append(response.status)
        if response.status == 429:
            assert response.headers.get_all("Strict-Transport-Security"), "headers missing on 429"
            break

    assert statuses[-1] == 429, statuses
    assert set(statuses[:-1]) <= {401}, statuses
