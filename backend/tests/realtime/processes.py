"""Helpers for tests that run the real thing: Daphne and Celery processes on Redis and PostgreSQL.

The processes share the pytest test database (tests are `transaction=True`, so what a test
writes is committed and visible to them) and the Redis server, with their own channel-layer,
cache and queue names so parallel runs never see each other's messages.
"""

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

BACKEND_DIR = Path(__file__).resolve().parents[2]
ORIGIN = "http://127.0.0.1:8000"


def require_live_services() -> None:
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs a real Redis: set REDIS_URL (CI always does)")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the processes must share the test database (CI runs PostgreSQL)")


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_env(log_dir: Path, **extra: str) -> dict[str, str]:
    run = uuid.uuid4().hex[:10]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.realtime.live_settings",
        "DATABASE_URL": database_url(),
        "DB_POOL_MIN": "1",
        "DB_POOL_MAX": "4",
        "CHANNEL_LAYER_PREFIX": f"test-live-{run}",
        "CACHE_KEY_PREFIX": f"test-live-{run}",
        "CELERY_TASK_DEFAULT_QUEUE": f"test-live-{run}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "THROTTLE_LOGIN": "1000/min",
        "DMS_LOG_DIR": str(log_dir),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


class Process:
    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        self.handle = subprocess.Popen(  # noqa: S603
            args,
            cwd=BACKEND_DIR,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.handle.poll() is None:
            os.killpg(self.handle.pid, signal.SIGTERM)
            try:
                self.handle.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.handle.pid, signal.SIGKILL)
                self.handle.wait(5)


class Daphne(Process):
    def __init__(self, name: str, env: dict[str, str], log_dir: Path) -> None:
        self.port = free_port()
        super().__init__(
            name,
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "config.asgi:application"],
            env,
            log_dir,
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.handle.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.output()}")
            try:
                urllib.request.urlopen(self.base + "/api/health/", timeout=2)  # noqa: S310
                return
            except urllib.error.HTTPError:
                return  # answering (503 names what is down): the server is up
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start:\n{self.output()}")

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, token: str = "") -> tuple[int, Any]:
        request = urllib.request.Request(  # noqa: S310
            self.base + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def login(self, username: str, password: str = "Demo@12345678") -> str:
        status, body = self.call("POST", "/api/auth/login/", {"username": username, "password": password})
        assert status == 200, body
        return str(body["access"])

    def ticket(self, token: str) -> str:
        status, body = self.call("POST", "/api/auth/ws-ticket/", {}, token)
        assert status == 200, body
        return str(body["ticket"])

    def websocket(self, token: str) -> Any:
        from websockets.sync.client import connect

        url = f"ws://127.0.0.1:{self.port}/ws/updates/?ticket={self.ticket(token)}"
        return connect(url, origin=ORIGIN, open_timeout=10)  # type: ignore[arg-type]


class TcpProxy:
    """A TCP relay to Redis that the test can take down and bring back (on the same port),
    to play "Redis is unreachable" for one process without touching the shared server."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        with self.lock:
            if self.listener is not None:
                # shutdown() wakes the thread blocked in accept(); close() alone would not
                # (Linux), and the port would go on accepting connections.
                with contextlib.suppress(OSError):
                    self.listener.shutdown(socket.SHUT_RDWR)
                self.listener.close()
                self.listener = None
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.sockets = []

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pump(a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        try:
            while True:
                readable, _, _ = select.select([a, b], [], [], 1.0)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            a.close()
            b.close()
