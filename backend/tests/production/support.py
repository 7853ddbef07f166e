"""Helpers for the production tests: tools, generated secrets, the rendered nginx config,
databases, and processes that are always torn down by PID."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

BACKEND_DIR = Path(__file__).resolve().parents[2]
REPO_ROOT = BACKEND_DIR.parent
NGINX_DIR = REPO_ROOT / "nginx"
PYTHON = sys.executable

# PostgreSQL and Redis (docs/running.md; CI has them on their default ports).
PG_ADMIN_URL = os.environ.get("DMS_TEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_BASE_URL = os.environ.get("DMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def scoped_name(base: str) -> str:
    """A database or role name of this test run. PostgreSQL databases and roles are
    server-wide: two checkouts testing against one server at once (each with its own
    DATABASE_URL) must not create and drop each other's."""
    run = urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/") or "default"
    return f"{base}_{run}"[:63]


# Variables of the outer pytest run that must not leak into the production processes.
_LEAKY_VARS = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PYTEST_ADDOPTS", "DEBUG", "SECRET_KEY")


def require_tool(name: str) -> str:
    """Absolute path of a system tool; without it the test is skipped and says why.

    `make test` installs every tool (scripts/install-system-packages.sh) and CI sets
    DMS_REQUIRE_SYSTEM_TOOLS=1, so there a missing tool fails instead: these tests always run in CI.
    """
    path = shutil.which(name) or (f"/usr/sbin/{name}" if os.path.exists(f"/usr/sbin/{name}") else None)
    if not path:
        message = f"{name} is not installed: run scripts/install-ci-tools.sh (apt-get install {name})"
        if os.environ.get("DMS_REQUIRE_SYSTEM_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_test_certificate(directory: Path) -> tuple[Path, Path]:
    """A throw-away self-signed certificate for 127.0.0.1/localhost (never committed)."""
    openssl = require_tool("openssl")
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


# --- Environment ---------------------------------------------------------------------------------
def read_env_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in (REPO_ROOT / ".env.production.example").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        values[name.strip()] = value
    return values


def fill_secrets(values: dict[str, str]) -> dict[str, str]:
    """What the operator does with the commands written in the example: every CHANGE_ME
    becomes a generated secret."""
    filled = dict(values)
    for name, value in values.items():
        if value == "CHANGE_ME":
            filled[name] = secrets.token_urlsafe(64) if name == "SECRET_KEY" else secrets.token_hex(32)
    return filled


def process_env(overrides: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _LEAKY_VARS}
    env.update(overrides)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BACKEND_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )
    if check and result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


# --- PostgreSQL ----------------------------------------------------------------------------------
def pg_url(dbname: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname


def pg_admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def drop_database(name: str) -> None:
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database(name: str, template: str | None = None) -> None:
    drop_database(name)
    pg_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def create_app_role(role: str, database: str) -> str:
    """The application role of docker-compose.production.yml, made with the same files the
    postgres container runs (scripts/db-init/*.psql); returns its DATABASE_URL."""
    psql = require_tool("psql")
    init = REPO_ROOT / "scripts" / "db-init"
    url = pg_url(database)
    password = secrets.token_hex(16)
    for name, variables in (
        ("app-role.psql", {"app_user": role, "app_password": password}),
        ("app-grants.psql", {"app_user": role, "owner": "postgres", "db_name": database}),
    ):
        args = [psql, "-X", "-q", url, "-f", str(init / name)]
        for key, value in variables.items():
            args += ["-v", f"{key}={value}"]
        subprocess.run(args, check=True, capture_output=True, text=True, timeout=30)
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{role}:{password}@{parts.hostname}:{parts.port or 5432}"))


def drop_role(role: str) -> None:
    pg_admin(f'DROP ROLE IF EXISTS "{role}"')


def scalar(conn: psycopg.Connection[Any], query: str, params: Sequence[Any] = ()) -> Any:
    """The single value a query answers (a count, a flag); a query without a row is a test failure."""
    row = conn.execute(query, params).fetchone()
    assert row is not None, query
    return row[0]


def table_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public' ORDER BY 1")]
        return {t: scalar(conn, f'SELECT count(*) FROM public."{t}"') for t in tables}


# --- Redis ---------------------------------------------------------------------------------------
def redis_delete_prefix(db: int, pattern: str) -> None:
    """Remove only this test's keys (never FLUSHALL/FLUSHDB on a shared server)."""
    import redis

    client = redis.Redis.from_url(REDIS_BASE_URL.rsplit("/", 1)[0] + f"/{db}")
    try:
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


# --- nginx ---------------------------------------------------------------------------------------
@dataclass
class NginxLayout:
    """Where the rendered copy of the shipped configuration lives and listens."""

    root: Path
    https_port: int
    http_port: int
    backends: list[str]
    websockets: list[str]
    frontend: str
    cert: Path
    key: Path
    static_root: Path
    media_root: Path
    extra_conf: dict[str, str] = field(default_factory=dict)

    @property
    def main_conf(self) -> Path:
        return self.root / "nginx.conf"


def _replace(text: str, old: str, new: str, *, count: int = 1, where: str) -> str:
    found = text.count(old)
    assert found == count, f"{where}: expected {count}x {old!r} in the shipped config, found {found}"
    return text.replace(old, new)


def render_nginx(layout: NginxLayout, *, frontend_root: Path | None = None) -> Path:
    """Copy nginx/nginx.conf and nginx/conf.d/cipla_dms.conf with only addresses, ports and
    paths changed; every substitution must match the shipped text exactly, so the test
    fails if the shipped config drifts from what is tested. Everything else is verbatim."""
    root = layout.root
    confd = root / "conf.d"
    for sub in ("conf.d", "logs", "tmp", "acme"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    me = "root" if os.geteuid() == 0 else None

    main = (NGINX_DIR / "nginx.conf").read_text()
    where = "nginx/nginx.conf"
    main = _replace(main, "user nginx;", f"user {me};" if me else "", where=where)
    main = _replace(main, "pid /var/run/nginx.pid;", f"pid {root}/nginx.pid;", where=where)
    main = _replace(
        main, "error_log /var/log/nginx/error.log warn;", f"error_log {root}/logs/error.log warn;", where=where
    )
    main = _replace(
        main, "access_log /var/log/nginx/access.log main;", f"access_log {root}/logs/access.log main;", where=where
    )
    main = _replace(main, "include /etc/nginx/conf.d/*.conf;", f"include {confd}/*.conf;", where=where)
    layout.main_conf.write_text(main)

    site = (NGINX_DIR / "conf.d" / "cipla_dms.conf").read_text()
    where = "nginx/conf.d/cipla_dms.conf"
    servers = "\n    ".join(f"server {b} max_fails=3 fail_timeout=10s;" for b in layout.backends)
    site = _replace(site, "server backend:8000 max_fails=3 fail_timeout=10s;", servers, where=where)
    sockets = "\n    ".join(f"server {b} max_fails=3 fail_timeout=10s;" for b in layout.websockets)
    site = _replace(site, "server websocket:8000 max_fails=3 fail_timeout=10s;", sockets, where=where)
    site = _replace(
        site,
        "server frontend:8080 max_fails=3 fail_timeout=10s;",
        f"server {layout.frontend} max_fails=3 fail_timeout=10s;",
        where=where,
    )
    site = _replace(site, "listen 80;", f"listen 127.0.0.1:{layout.http_port};", where=where)
    site = _replace(site, "listen [::]:80;", "", where=where)
    site = _replace(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{layout.https_port} ssl http2;", where=where)
    site = _replace(site, "listen [::]:443 ssl http2;", "", where=where)
    site = _replace(site, "/etc/nginx/ssl/fullchain.pem", str(layout.cert), where=where)
    site = _replace(site, "/etc/nginx/ssl/privkey.pem", str(layout.key), where=where)
    site = _replace(
        site,
        "return 301 https://$host$request_uri;",
        f"return 301 https://$host:{layout.https_port}$request_uri;",
        where=where,
    )
    site = _replace(site, "alias /var/www/static/;", f"alias {layout.static_root}/;", where=where)
    site = _replace(site, "alias /var/www/media/;", f"alias {layout.media_root}/;", where=where)
    site = _replace(site, "root /var/www/certbot;", f"root {root}/acme;", where=where)
    (confd / "cipla_dms.conf").write_text(site)

    # Temp paths inside the test folder (Debian's compiled-in ones need the nginx package's
    # /var/lib/nginx); included into the same http {} block as the site.
    (confd / "00-test-paths.conf").write_text(
        "".join(
            f"{kind}_temp_path {root}/tmp/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
    )
    if frontend_root is not None:
        # The SPA container's server block (frontend/nginx.conf), on loopback.
        spa = (REPO_ROOT / "frontend" / "nginx.conf").read_text()
        where = "frontend/nginx.conf"
        host, port = layout.frontend.rsplit(":", 1)
        spa = _replace(spa, "listen 8080;", f"listen {host}:{port};", where=where)
        spa = _replace(spa, "listen [::]:8080;", "", where=where)
        spa = _replace(spa, "root /usr/share/nginx/html;", f"root {frontend_root};", where=where)
        (confd / "frontend.conf").write_text(spa)
    for name, text in layout.extra_conf.items():
        (confd / name).write_text(text)
    return layout.main_conf


def nginx_test(conf: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on a rendered config; -e keeps the startup error log inside the test folder."""
    nginx = require_tool("nginx")
    return subprocess.run(
        [nginx, "-t", "-c", str(conf), "-p", str(conf.parent), "-e", str(conf.parent / "logs" / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )


# --- Processes -----------------------------------------------------------------------------------
@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class ProcessGroup:
    """Starts processes in their own session and ends each by its PID (SIGTERM, then
    SIGKILL to its process group after a grace period). Nothing is killed by name."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.procs: list[Proc] = []
        self.stop_times: dict[str, float | None] = {}

    def start(self, name: str, args: list[str], *, env: dict[str, str], cwd: Path = BACKEND_DIR) -> Proc:
        log = self.log_dir / f"{name}.log"
        handle = log.open("wb")
        popen = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        handle.close()
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def assert_running(self) -> None:
        for proc in self.procs:
            code = proc.popen.poll()
            assert code is None, f"{proc.name} exited with {code}:\n{proc.tail()}"

    def stop_all(self, grace: float = 10.0) -> None:
        for proc in reversed(self.procs):
            if proc.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.popen.send_signal(signal.SIGTERM)
        started = time.monotonic()
        deadline = started + grace
        for proc in reversed(self.procs):
            try:
                proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
                self.stop_times[proc.name] = round(time.monotonic() - started, 2)
            except subprocess.TimeoutExpired:
                self.stop_times[proc.name] = None
            # The PID is the session (and group) leader: this reaches its children too
            # (Celery's pool processes), by id.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.popen.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.popen.wait(timeout=5)


def wait_until(predicate, *, timeout: float, interval: float = 0.25, what: str = "condition", on_fail=None):
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except Exception as exc:  # polling: any failure means "not yet"
            last_error = exc
        time.sleep(interval)
    detail = on_fail() if on_fail else ""
    pytest.fail(f"timed out after {timeout}s waiting for {what} (last error: {last_error})\n{detail}")


@contextlib.contextmanager
def chdir(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)
