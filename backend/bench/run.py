"""Cipla DMS benchmark (`make bench`): the production layout on loopback, measured from outside.

    cd backend && ../.venv/bin/python -m bench              # everything (what `make bench` runs)
    cd backend && ../.venv/bin/python -m bench --quick      # short phases, no 10x data set
    cd backend && ../.venv/bin/python -m bench --only fanout   # figure 4 alone (the fan-out), a few minutes

The layout is the one of docker-compose.production.yml, with config.settings_production, the
machine's PostgreSQL and Redis: granian HTTP workers (--web-concurrency x --threads), Daphne
processes for the WebSockets (--websocket-processes, the compose file's 2 replicas), one Celery
worker, and nginx with the shipped configuration
(TLS, HTTP/2 off for a keep-alive HTTP/1.1 client, rate limits on). Every simulated user
connects from an address of its own (127.1.x.y: the whole 127/8 block is loopback on Linux),
so nginx's per-address rate limits apply per user exactly as they do for people in offices.

It prints, in one run, the six figures of the performance target (OPTIMIZATIONS.md):
 1. CPU ms per request (granian + Daphne processes and PostgreSQL backends, from /proc) on the
    SPA's read mix, each scenario alone and the weighted mix, at a paced rate;
 2. 200 users thinking 1-5 s: p50/p95/p99, 5xx, served/offered throughput, the generator's CPU;
 3. 200 logins, 8 at a time (p95), and approvals with e-signature (p95);
 4. WebSocket fan-out: 200 sockets of one unit, every event to every socket (p95);
 5. the read mix on the 10x data set next to 1x (p95 and CPU per request, ratio);
 6. the process layout used.
The data sets are built once (bench/data.py) and reused by later runs. Loopback only; every
process started here is stopped by its id at the end, and this run's Redis keys are deleted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import itertools
import json
import os
import random
import resource
import secrets
import signal
import ssl
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import data
from bench.measure import cpu_snapshot, cpu_spent, percentile_ms, process_tree, wake_penalty

BACKEND_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = BACKEND_DIR.parent
PYTHON = sys.executable
HOST = "localhost"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = data.BENCH_PASSWORD
ASGI_APP = "config.asgi:application"
FG = "daemon off;"  # nginx in the foreground, so it is stopped by its id

# The SPA's read mix (weights: how often each screen is opened on a working day).
READ_MIX = {
    "dashboard": 10,
    "crates_list": 15,
    "crate_detail": 15,
    "documents_search": 10,
    "notifications": 8,
    "requests_list": 10,
    "locations_available": 5,
    "me": 5,
}


# --- processes ---------------------------------------------------------------------------------
def bench_env(args: argparse.Namespace, workdir: Path, run_id: str, secret_key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    for sub in ("logs", "media", "static"):
        (workdir / sub).mkdir(parents=True, exist_ok=True)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings_production",
        SECRET_KEY=secret_key,
        CHANNEL_LAYER_ENCRYPTION_KEY=secrets.token_hex(32),
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        REDIS_URL=REDIS,
        REDIS_DB_BROKER="10",
        REDIS_DB_CHANNELS="11",
        REDIS_DB_CACHE="12",
        CACHE_KEY_PREFIX=f"dmsbench{run_id}",
        CHANNEL_LAYER_PREFIX=f"dmsbench{run_id}",
        CELERY_BROKER_KEY_PREFIX=f"dmsbench{run_id}:",
        DMS_LOG_DIR=str(workdir / "logs"),
        DMS_DATA_DIR=str(workdir),
        DMS_MEDIA_ROOT=str(workdir / "media"),
        STATIC_ROOT=str(workdir / "static"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def cleanup_redis(env: dict[str, str]) -> None:
    """Delete this run's keys only (its prefixes in its dbs); never FLUSHDB/FLUSHALL."""
    import redis

    base = REDIS.rsplit("/", 1)[0]
    for db, prefix in (
        (env["REDIS_DB_CACHE"], env["CACHE_KEY_PREFIX"]),
        (env["REDIS_DB_CHANNELS"], env["CHANNEL_LAYER_PREFIX"]),
        (env["REDIS_DB_BROKER"], env["CELERY_BROKER_KEY_PREFIX"]),
    ):
        client = redis.Redis.from_url(f"{base}/{db}")
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


@dataclass
class Stack:
    """granian + Daphne + Celery + nginx for one database; stopped by PID."""

    args: argparse.Namespace
    env: dict[str, str]
    database: str
    workdir: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    https_port: int = 0
    cafile: Path | None = None

    def start(self) -> None:
        from tests.production.support import NginxLayout, free_port, make_test_certificate, render_nginx, require_tool

        args, env = self.args, {**self.env, "DATABASE_URL": f"{data.PG}/{self.database}"}
        http_port = free_port()
        # The compose file's websocket replicas: one Daphne process each (--layout daphne: one).
        ws_ports = [free_port() for _ in range(args.websocket_processes if args.layout == "production" else 1)]
        ws_port = ws_ports[0]
        self.https_port = free_port()
        root = self.workdir / f"stack-{self.database}"
        root.mkdir(parents=True, exist_ok=True)
        cert, key = make_test_certificate(root / "ssl")
        self.cafile = cert
        conf = render_nginx(
            NginxLayout(
                root=root / "nginx",
                https_port=self.https_port,
                http_port=free_port(),
                # --layout daphne: the former layout, one Daphne process for everything.
                backends=[f"127.0.0.1:{ws_port if args.layout == 'daphne' else http_port}"],
                websockets=[f"127.0.0.1:{port}" for port in ws_ports],
                frontend=f"127.0.0.1:{free_port()}",
                cert=cert,
                key=key,
                static_root=self.workdir / "static",
                media_root=self.workdir / "media",
            )
        )
        # The compose file's services, scaled to this machine (--web-concurrency, --threads).
        if args.layout == "production":
            self._spawn(
                "http",
                [PYTHON, "-m", "config.http_server"],
                {
                    **env,
                    "HTTP_BIND": f"127.0.0.1:{http_port}",
                    "WEB_CONCURRENCY": str(args.web_concurrency),
                    "HTTP_THREADS": str(args.threads),
                    "HTTP_WORKER_MAX_RSS_MB": "65536",  # no recycling mid-run: /proc CPU stays per process
                    "HTTP_LOG_LEVEL": "warning",
                    "DB_POOL_MIN": "1",
                    "DB_POOL_MAX": str(args.threads),
                    "REDIS_CACHE_MAX_CONNECTIONS": "10",
                },
            )
        for n, port in enumerate(ws_ports):
            self._spawn(
                "daphne" if n == 0 else f"daphne{n + 1}",
                [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "--proxy-headers", ASGI_APP],
                {**env, "ASGI_THREADS": "8", "DB_POOL_MIN": "1", "DB_POOL_MAX": "8"}
                if args.layout == "production"
                else {**env, "ASGI_THREADS": "16", "DB_POOL_MIN": "8", "DB_POOL_MAX": "20"},
            )
        self._spawn(
            "celery",
            [PYTHON, "-m", "celery", "-A", "config.celery", "worker", "--loglevel=WARNING", "--concurrency=1"],
            {**env, "DB_POOL_MIN": "1", "DB_POOL_MAX": "2"},
        )
        nginx = require_tool("nginx")
        self._spawn(
            "nginx",
            [nginx, "-c", str(conf), "-p", str(conf.parent), "-e", str(conf.parent / "logs/error.log"), "-g", FG],
            env,
        )
        deadline = time.monotonic() + 90
        while True:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    sys.exit(f"{name} exited with {proc.returncode}; see {self.workdir}/{name}.log")
            with contextlib.suppress(OSError):
                if asyncio.run(self._health()) == 200:
                    break
            if time.monotonic() > deadline:
                sys.exit(f"the stack did not become healthy; see the logs in {self.workdir}")
            time.sleep(0.5)

    async def _health(self) -> int:
        """/api/health/ through nginx: granian, PostgreSQL, Redis and the channel layer."""
        client = Http(self, "127.0.0.1")
        try:
            return (await client.request("GET", "/api/health/"))[0]
        finally:
            client.close()

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        with (self.workdir / f"{name}.log").open("ab") as log:
            self.procs[name] = subprocess.Popen(
                argv, cwd=BACKEND_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def server_pids(self) -> list[int]:
        """The application servers: granian's main process and workers, and Daphne."""
        return [*self.http_pids(), *self.daphne_pids()]

    def http_pids(self) -> list[int]:
        http = self.procs.get("http")
        return process_tree(http.pid) if http else []

    def daphne_pids(self) -> list[int]:
        return [proc.pid for name, proc in self.procs.items() if name.startswith("daphne")]

    def nginx_pids(self) -> list[int]:
        return process_tree(self.procs["nginx"].pid)

    def worker_count(self) -> int:
        return max(len(self.http_pids()) - 1, 0)  # granian's main process is not a worker

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            # Each was started as a session leader: its group holds its children (by id).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        self.procs.clear()


def postgres_backends(database: str) -> list[int]:
    """PIDs of the PostgreSQL backends serving the bench database (not this query's own)."""
    out = data.psql(
        f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()",  # noqa: S608
        database,
    )
    return [int(line) for line in out.split()]


class CpuMeter:
    """CPU seconds of the servers, nginx and the database's backends over an interval."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def snapshot(self) -> dict[str, dict[int, float]]:
        return {
            "server": cpu_snapshot(self.stack.server_pids()),
            "postgres": cpu_snapshot(postgres_backends(self.stack.database)),
            "nginx": cpu_snapshot(self.stack.nginx_pids()),
        }

    def spent(self, before: dict[str, dict[int, float]]) -> dict[str, float]:
        after = self.snapshot()
        return {part: cpu_spent(before[part], after[part]) for part in before}


# --- a small keep-alive HTTP/1.1 client over TLS (asyncio; no dependency) ----------------------
class Http:
    def __init__(self, stack: Stack, local_ip: str) -> None:
        self.port = stack.https_port
        self.local_ip = local_ip
        self.context = ssl.create_default_context(cafile=str(stack.cafile))
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.lock = asyncio.Lock()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        async with self.lock:  # one request at a time on a connection, like a browser's
            return await self._request(method, path, body, token)

    async def _request(self, method: str, path: str, body: Any, token: str | None) -> tuple[int, Any]:
        data_ = json.dumps(body).encode() if body is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: application/json\r\n"
            f"Accept-Encoding: gzip\r\nContent-Length: {len(data_)}\r\n"
        )
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        if body is not None:
            head += "Content-Type: application/json\r\n"
        for attempt in (1, 2):
            reused = self.writer is not None
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(
                    "127.0.0.1",
                    self.port,
                    ssl=self.context,
                    server_hostname=HOST,
                    local_addr=(self.local_ip, 0),
                )
            assert self.reader is not None and self.writer is not None
            try:
                self.writer.write(head.encode() + b"\r\n" + data_)
                await self.writer.drain()
                status_line = await self.reader.readline()
            except (OSError, asyncio.IncompleteReadError):
                status_line = b""
                if not reused:
                    self.close()
                    raise
            if not status_line:
                # nginx closed the idle keep-alive connection (keepalive_timeout 65 s) before
                # it read this request: open a new one and send it again, as browsers do.
                self.close()
                if attempt == 2 or not reused:
                    raise ConnectionError("connection closed")
                continue
            status = int(status_line.split()[1])
            headers: dict[str, str] = {}
            while True:
                line = await self.reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            if "content-length" in headers:
                payload = await self.reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                payload = b""
                while True:
                    size = int((await self.reader.readline()).strip() or b"0", 16)
                    if size == 0:
                        await self.reader.readline()
                        break
                    payload += await self.reader.readexactly(size)
                    await self.reader.readline()
            else:
                payload = await self.reader.read()
                self.close()
            if headers.get("connection", "").lower() == "close":
                self.close()
            if headers.get("content-encoding") == "gzip":
                payload = gzip.decompress(payload)
            ctype = headers.get("content-type", "")
            return status, (json.loads(payload) if payload and ctype.startswith("application/json") else payload)
        raise ConnectionError("unreachable")


# --- the simulated users -----------------------------------------------------------------------
@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    clicks: int = 0

    def add(self, name: str, seconds: float, status: int) -> None:
        self.latencies[name].append(seconds)
        self.statuses[name][status] += 1

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def all_latencies(self) -> list[float]:
        return [v for values in self.latencies.values() for v in values]

    def errors_5xx(self) -> int:
        return sum(n for codes in self.statuses.values() for code, n in codes.items() if code >= 500)


@dataclass
class User:
    index: int
    username: str
    role: str
    unit: int
    http: Http
    token: str = ""
    refresh: str = ""
    events: list[tuple[float, dict]] = field(default_factory=list)


@dataclass
class World:
    departments: dict[int, list[int]]
    document_types: list[int]
    crates: dict[int, list[int]]
    today: str
    goa: int


def user_address(index: int) -> str:
    return f"127.1.{index // 250}.{index % 250 + 1}"


async def call(stats: Stats, user: User, name: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    for attempt in (1, 2):
        started = time.perf_counter()
        token = user.token
        try:
            status, payload = await user.http.request(method, path, body, token)
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            user.http.close()
            stats.add(name, time.perf_counter() - started, 599)
            return 599, str(error)
        if status == 401 and attempt == 1 and user.refresh and await refresh_token(stats, user, token):
            continue  # the access token expired (15 min): the SPA refreshes it and retries
        stats.add(name, time.perf_counter() - started, status)
        return status, payload
    raise AssertionError("unreachable")


async def refresh_token(stats: Stats, user: User, expired: str) -> bool:
    if user.token != expired:  # another request of this user refreshed it meanwhile
        return True
    body = {"refresh": user.refresh}
    started = time.perf_counter()
    status, payload = await user.http.request("POST", "/api/auth/refresh/", body, None)
    stats.add("token_refresh", time.perf_counter() - started, status)
    if status != 200:
        return False
    user.token, user.refresh = payload["access"], payload.get("refresh", user.refresh)
    return True


async def read(stats: Stats, user: User, world: World, pick: str, rng: random.Random) -> None:
    """One screen of the SPA's read mix."""
    unit = user.unit
    if pick == "dashboard":
        path = "/api/dashboard/"
    elif pick == "crates_list":
        if rng.random() < 0.7:  # browsing the stored inventory, deep pages included
            path = f"/api/crates/?status=stored&page={rng.randint(1, 200)}&page_size=25"
        else:  # the working lists: drafts and withdrawn crates, first pages
            path = f"/api/crates/?status={rng.choice(['draft', 'withdrawn'])}&page={rng.randint(1, 3)}&page_size=25"
    elif pick == "crate_detail":
        path = f"/api/crates/{rng.choice(world.crates[unit])}/"
    elif pick == "documents_search":
        path = f"/api/documents/?search=DOC-{rng.choice(world.crates[unit])}-00"
    elif pick == "notifications":
        path = "/api/notifications/"
    elif pick == "requests_list":
        path = f"/api/requests/?page={rng.randint(1, 5)}"
    elif pick == "locations_available":
        path = "/api/locations/?available=true&page_size=50"
    else:
        path = "/api/auth/me/"
    await call(stats, user, pick, "GET", path)


async def create_submitted_request(stats: Stats, user: User, world: World, rng: random.Random) -> int | None:
    """Record keeping by a Document Manager: crate, document, storage request, submit."""
    s, crate = await call(
        stats,
        user,
        "crate_create",
        "POST",
        "/api/crates/",
        {"department": rng.choice(world.departments[user.unit]), "description": "Bench crate"},
    )
    if s != 201:
        return None
    s, _ = await call(
        stats,
        user,
        "document_create",
        "POST",
        "/api/documents/",
        {
            "crate": crate["id"],
            "number": f"BENCH-{crate['id']}",
            "title": "Bench record",
            "document_type": rng.choice(world.document_types),
            "record_date": world.today,
        },
    )
    if s != 201:
        return None
    s, req = await call(
        stats,
        user,
        "request_create",
        "POST",
        "/api/requests/",
        {"request_type": "storage", "purpose": "Bench storage", "items": [{"crate": crate["id"]}]},
    )
    if s != 201:
        return None
    s, _ = await call(stats, user, "request_submit", "POST", f"/api/requests/{req['id']}/submit/", {})
    return req["id"] if s == 200 else None


async def click(stats: Stats, user: User, world: World, rng: random.Random) -> None:
    """One click of a user, by role: mostly the read mix, some record keeping, a few approvals
    and executions."""
    extra = {
        "Document Manager": {"create_and_submit": 8},
        "Approver": {"audit_list": 5, "approve": 6},
        "Store Head": {"execute_storage": 6},
    }.get(user.role, {})
    choices = {**READ_MIX, **extra}
    pick = rng.choices(list(choices), weights=list(choices.values()))[0]
    stats.clicks += 1
    if pick in READ_MIX:
        await read(stats, user, world, pick, rng)
    elif pick == "audit_list":
        await call(stats, user, pick, "GET", f"/api/audit/?page={rng.randint(1, 50)}")
    elif pick == "create_and_submit":
        await create_submitted_request(stats, user, world, rng)
    elif pick == "approve":
        s, page = await call(stats, user, "requests_submitted", "GET", "/api/requests/?status=submitted&page_size=10")
        if s == 200 and page["results"]:
            target = rng.choice(page["results"])
            await call(
                stats,
                user,
                "request_approve",
                "POST",
                f"/api/requests/{target['id']}/approve/",
                {"password": PASSWORD, "comment": "bench"},
            )
    elif pick == "execute_storage":
        s, page = await call(
            stats, user, "requests_approved", "GET", "/api/requests/?status=approved&request_type=storage&page_size=10"
        )
        if s == 200 and page["results"]:
            target = rng.choice(page["results"])
            s, locations = await call(
                stats, user, "locations_available", "GET", "/api/locations/?available=true&page_size=50"
            )
            if s == 200 and locations["results"]:
                location = rng.choice([loc for loc in locations["results"] if loc["free"] > 0] or locations["results"])
                allocations = [{"crate": item["crate"], "location": location["id"]} for item in target["items"]]
                await call(
                    stats,
                    user,
                    "request_execute",
                    "POST",
                    f"/api/requests/{target['id']}/execute/",
                    {"allocations": allocations},
                )


async def open_socket(stack: Stack, user: User, stats: Stats) -> Any:
    from websockets.asyncio.client import connect

    status, ticket = await call(stats, user, "ws_ticket", "POST", "/api/auth/ws-ticket/", {})
    if status not in (200, 201):
        return None
    ws = await connect(
        f"wss://{HOST}:{stack.https_port}/ws/updates/?ticket={ticket['ticket']}",
        ssl=user.http.context,
        host="127.0.0.1",
        local_addr=(user.http.local_ip, 0),
        origin=f"https://{HOST}",  # type: ignore[arg-type]
        proxy=None,
        open_timeout=30,
        max_queue=None,
    )

    async def listen() -> None:
        with contextlib.suppress(Exception):
            async for message in ws:
                user.events.append((time.perf_counter(), json.loads(message)))

    asyncio.get_running_loop().create_task(listen())
    return ws


def summary(stats: Stats, elapsed: float) -> dict[str, Any]:
    rows = {}
    for name in sorted(stats.latencies):
        values = stats.latencies[name]
        rows[name] = {
            "count": len(values),
            "p50_ms": percentile_ms(values, 50),
            "p95_ms": percentile_ms(values, 95),
            "p99_ms": percentile_ms(values, 99),
            "statuses": {str(k): v for k, v in sorted(stats.statuses[name].items())},
        }
    everything = stats.all_latencies()
    return {
        "requests": stats.count,
        "errors_5xx": stats.errors_5xx(),
        "seconds": round(elapsed, 1),
        "throughput_rps": round(stats.count / elapsed, 1) if elapsed else 0.0,
        "p50_ms": percentile_ms(everything, 50),
        "p95_ms": percentile_ms(everything, 95),
        "p99_ms": percentile_ms(everything, 99),
        "by_scenario": rows,
    }


def print_table(title: str, result: dict[str, Any]) -> None:
    print(
        f"\n== {title}: {result['requests']} requests in {result['seconds']}s = "
        f"{result['throughput_rps']} req/s, 5xx/transport errors: {result['errors_5xx']}"
    )
    print(f"{'scenario':24} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    for name, row in result["by_scenario"].items():
        print(
            f"{name:24} {row['count']:>7} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8}  {row['statuses']}"
        )
    print(f"{'ALL':24} {result['requests']:>7} {result['p50_ms']:>8} {result['p95_ms']:>8} {result['p99_ms']:>8}")


# --- phases --------------------------------------------------------------------------------------
def load_world(database: str) -> tuple[list[tuple[str, str, int]], World]:
    import psycopg

    with psycopg.connect(f"{data.PG}/{database}") as conn:
        rows = conn.execute(
            "SELECT u.username, g.name, u.unit_id FROM accounts_user u "
            "JOIN accounts_user_groups ug ON ug.user_id = u.id JOIN auth_group g ON g.id = ug.group_id "
            "WHERE u.username LIKE 'bench%%' ORDER BY u.username"
        ).fetchall()
        departments: dict[int, list[int]] = defaultdict(list)
        for dep_id, unit_id in conn.execute("SELECT id, unit_id FROM accounts_department"):
            departments[unit_id].append(dep_id)
        doc_types = [r[0] for r in conn.execute("SELECT id FROM crates_documenttype")]
        crates: dict[int, list[int]] = defaultdict(list)
        # A random sample over the whole table (TABLESAMPLE reads ~1 % of the pages, not all).
        for crate_id, unit_id in conn.execute(
            "SELECT id, unit_id FROM crates_crate TABLESAMPLE SYSTEM (2) WHERE status = 'stored' LIMIT 4000"
        ):
            crates[unit_id].append(crate_id)
        goa = conn.execute("SELECT id FROM accounts_unit WHERE code = 'GOA'").fetchone()
    assert goa is not None
    return [(r[0], r[1], r[2]) for r in rows], World(
        dict(departments), doc_types, dict(crates), time.strftime("%Y-%m-%d"), goa[0]
    )


async def login_all(users: list[User], parallel: int) -> dict[str, Any]:
    stats = Stats()
    gate = asyncio.Semaphore(parallel)

    async def login(user: User) -> None:
        async with gate:
            status, body = await call(
                stats, user, "login", "POST", "/api/auth/login/", {"username": user.username, "password": PASSWORD}
            )
            if status == 200:
                user.token, user.refresh = body["access"], body.get("refresh", "")

    started = time.monotonic()
    await asyncio.gather(*(login(u) for u in users))
    return summary(stats, time.monotonic() - started)


async def paced(users: list[User], world: World, picks: list[str], rate: float, seconds: float, seed: int) -> Stats:
    """Open-loop load: `rate` read requests a second for `seconds`, round-robin over the users
    (each user one request at a time, like a browser tab)."""
    stats = Stats()
    rng = random.Random(seed)
    tasks = []
    cycle = itertools.cycle(users)
    started = time.perf_counter()
    for n in range(int(rate * seconds)):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(read(stats, next(cycle), world, rng.choice(picks), rng)))
    await asyncio.gather(*tasks)
    return stats


async def cpu_read_mix(stack: Stack, users: list[User], world: World, args: argparse.Namespace) -> dict[str, Any]:
    """Figure 1: CPU per request of each read scenario alone, then of the weighted mix."""
    meter = CpuMeter(stack)
    weighted = [name for name, weight in READ_MIX.items() for _ in range(weight)]
    await paced(users, world, weighted, args.cpu_rate, args.cpu_seconds, 0)  # warm-up, not measured
    rows: dict[str, Any] = {}
    for n, (name, picks) in enumerate([*[(s, [s]) for s in READ_MIX], ("MIX", weighted)], start=1):
        before = meter.snapshot()
        started = time.monotonic()
        stats = await paced(users, world, picks, args.cpu_rate, args.cpu_seconds * (2 if name == "MIX" else 1), n)
        spent = meter.spent(before)
        count = stats.count
        rows[name] = {
            "requests": count,
            "seconds": round(time.monotonic() - started, 1),
            "server_ms": round(spent["server"] / count * 1000, 2),
            "postgres_ms": round(spent["postgres"] / count * 1000, 2),
            "total_ms": round((spent["server"] + spent["postgres"]) / count * 1000, 2),
            "nginx_ms": round(spent["nginx"] / count * 1000, 2),
            "p50_ms": percentile_ms(stats.all_latencies(), 50),
            "p95_ms": percentile_ms(stats.all_latencies(), 95),
            "non_2xx": sum(n for codes in stats.statuses.values() for code, n in codes.items() if code >= 300),
        }
    return rows


def print_cpu(title: str, rows: dict[str, Any]) -> None:
    print(f"\n== {title}")
    print(
        f"{'scenario':22} {'requests':>8} {'server ms':>10} {'postgres ms':>12} {'total ms':>9} "
        f"{'(nginx ms)':>11} {'p50 ms':>8} {'p95 ms':>8} {'non-2xx':>8}"
    )
    for name, r in rows.items():
        print(
            f"{name:22} {r['requests']:>8} {r['server_ms']:>10} {r['postgres_ms']:>12} {r['total_ms']:>9} "
            f"{r['nginx_ms']:>11} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['non_2xx']:>8}"
        )


async def think_load(users: list[User], world: World, args: argparse.Namespace, meter: CpuMeter) -> dict[str, Any]:
    """Figure 2: every user clicks, thinks 1-5 s, clicks again, for --duration seconds."""
    stats = Stats()
    deadline = time.monotonic() + args.duration

    async def loop(user: User) -> None:
        rng = random.Random(user.index)
        await asyncio.sleep(rng.uniform(0, args.think_max))  # users don't all click at once
        while time.monotonic() < deadline:
            await click(stats, user, world, rng)
            # No think runs past the deadline: after it no user clicks, so those seconds are
            # not time the servers could have served in (they were up to 5 s of the ~65 the
            # served rate was divided by, capping it near 0.92 even for instant answers).
            await asyncio.sleep(min(rng.uniform(args.think_min, args.think_max), max(0.0, deadline - time.monotonic())))

    before = meter.snapshot()
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    await asyncio.gather(*(loop(u) for u in users))
    elapsed = time.monotonic() - started
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    spent = meter.spent(before)
    result = summary(stats, elapsed)
    own = (own_after.ru_utime - own_before.ru_utime) + (own_after.ru_stime - own_before.ru_stime)
    mean_think = (args.think_min + args.think_max) / 2
    # Offered: what the users would send if every answer were instant (one click per think
    # time, times the requests a click makes); served: what was answered.
    per_click = stats.count / stats.clicks if stats.clicks else 1.0
    offered = len(users) / mean_think * per_click if mean_think else result["throughput_rps"]
    result.update(
        users=len(users),
        think_seconds=[args.think_min, args.think_max],
        clicks=stats.clicks,
        offered_rps=round(offered, 1),
        served_ratio=round(result["throughput_rps"] / offered, 3) if offered else 0.0,
        generator_cpu_percent=round(own / elapsed * 100, 1),
        generator_cpu_ms_per_request=round(own / max(stats.count, 1) * 1000, 2),
        server_cpu_ms_per_request=round(spent["server"] / max(stats.count, 1) * 1000, 2),
        postgres_cpu_ms_per_request=round(spent["postgres"] / max(stats.count, 1) * 1000, 2),
        nginx_cpu_ms_per_request=round(spent["nginx"] / max(stats.count, 1) * 1000, 2),
    )
    return result


async def approvals(users: list[User], world: World, count: int) -> dict[str, Any]:
    """Figure 3b: Document Managers submit `count` storage requests, then the Approvers of
    their unit approve them with their password (e-signature), 4 at a time."""
    prep = Stats()
    rng = random.Random(7)
    managers = [u for u in users if u.role == "Document Manager"]
    approvers = {unit: [u for u in users if u.role == "Approver" and u.unit == unit] for unit in world.departments}
    made: list[tuple[int, int]] = []
    gate = asyncio.Semaphore(4)

    async def make(manager: User) -> None:
        async with gate:
            request_id = await create_submitted_request(prep, manager, world, rng)
            if request_id:
                made.append((manager.unit, request_id))

    await asyncio.gather(*(make(managers[i % len(managers)]) for i in range(count)))
    stats = Stats()

    async def approve(n: int, unit: int, request_id: int) -> None:
        approver = approvers[unit][n % len(approvers[unit])]
        async with gate:
            await call(
                stats,
                approver,
                "request_approve",
                "POST",
                f"/api/requests/{request_id}/approve/",
                {"password": PASSWORD, "comment": "bench signature"},
            )

    started = time.monotonic()
    await asyncio.gather(*(approve(n, unit, rid) for n, (unit, rid) in enumerate(made)))
    return summary(stats, time.monotonic() - started)


async def fanout(stack: Stack, users: list[User], world: World, args: argparse.Namespace) -> dict[str, Any]:
    """Figure 4: --fanout-sockets sockets held by users of one unit (GOA); a Document Manager
    of GOA creates crates; latency from the write being sent to each socket receiving it."""
    receivers = [u for u in users if u.unit == world.goa]
    stats = Stats()
    sockets = []
    for n in range(args.fanout_sockets):
        sockets.append((receivers[n % len(receivers)], await open_socket(stack, receivers[n % len(receivers)], stats)))
    open_count = sum(1 for _, ws in sockets if ws is not None)
    await asyncio.sleep(2)
    for u in users:
        u.events.clear()
    writer = next(u for u in receivers if u.role == "Document Manager")
    sent: dict[int, float] = {}
    answered: list[float] = []
    # Where the time goes: each process's CPU over the phase, per event (Daphne sends every
    # event to every socket; granian serves the writes; this generator reads every socket).
    parts = {
        "daphne": stack.daphne_pids,
        "granian": stack.http_pids,
        "nginx": stack.nginx_pids,
    }
    cpu_before = {name: cpu_snapshot(pids()) for name, pids in parts.items()}
    generator_before = _own_cpu()
    for _ in range(args.fanout_events):
        t0 = time.perf_counter()
        status, crate = await call(
            stats,
            writer,
            "crate_create",
            "POST",
            "/api/crates/",
            {"department": world.departments[world.goa][0], "description": "fan-out"},
        )
        if status == 201:
            sent[crate["id"]] = t0
            answered.append(time.perf_counter() - t0)
        await asyncio.sleep(args.fanout_interval)
    await asyncio.sleep(3)
    generator_cpu = _own_cpu() - generator_before
    cpu_ms = {name: cpu_spent(cpu_before[name], cpu_snapshot(pids())) for name, pids in parts.items()}
    cpu_ms["generator"] = generator_cpu
    received_at: dict[int, list[float]] = defaultdict(list)
    for u in receivers:
        for received, event in u.events:
            if event.get("entity") == "crate" and event.get("action") == "created" and event.get("id") in sent:
                received_at[event["id"]].append(received)
    latencies = [received - sent[crate_id] for crate_id, times in received_at.items() for received in times]
    # An event's first and last socket: the write and its broadcast, then the per-socket work.
    first = [min(times) - sent[crate_id] for crate_id, times in received_at.items()]
    spread = [max(times) - min(times) for times in received_at.values()]
    for _, ws in sockets:
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
    return {
        "sockets_open": open_count,
        "events": len(sent),
        "expected_deliveries": len(sent) * open_count,
        "delivered": len(latencies),
        "p50_ms": percentile_ms(latencies, 50),
        "p95_ms": percentile_ms(latencies, 95),
        "p99_ms": percentile_ms(latencies, 99),
        "max_ms": round(max(latencies) * 1000, 1) if latencies else 0.0,
        "write_p50_ms": percentile_ms(answered, 50),
        "first_socket_p50_ms": percentile_ms(first, 50),
        "first_to_last_socket_p50_ms": percentile_ms(spread, 50),
        "first_to_last_socket_p95_ms": percentile_ms(spread, 95),
        "cpu_ms_per_event": {name: round(1000 * spent / max(len(sent), 1), 2) for name, spent in cpu_ms.items()},
    }


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def make_users(stack: Stack, rows: list[tuple[str, str, int]], count: int) -> list[User]:
    return [
        User(i, name, role, unit, Http(stack, user_address(i))) for i, (name, role, unit) in enumerate(rows[:count])
    ]


async def run_1x(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    rows, world = load_world(stack.database)
    if len(rows) < args.users:
        sys.exit(f"only {len(rows)} bench users in {stack.database}; rebuild it (--rebuild)")
    users = make_users(stack, rows, args.users)
    results: dict[str, Any] = {}

    results["login"] = await login_all(users, 8)
    print_table(f"3a. {len(users)} logins, 8 at a time", results["login"])
    users = [u for u in users if u.token]
    if not users:
        sys.exit(f"no user could log in: see {stack.workdir}/logs/app.log")

    cpu_users = users[: args.cpu_users]
    results["cpu_1x"] = await cpu_read_mix(stack, cpu_users, world, args)
    print_cpu(
        f"1. CPU per request, read mix, 1x data ({args.cpu_rate:g} req/s paced, {len(cpu_users)} users)",
        results["cpu_1x"],
    )

    socket_stats = Stats()
    sockets = [await open_socket(stack, u, socket_stats) for u in users]  # one per user, like the SPA
    print(f"\n{sum(1 for s in sockets if s)} WebSockets open for {len(users)} users", flush=True)
    results["load"] = await think_load(users, world, args, CpuMeter(stack))
    load = results["load"]
    print_table(f"2. {len(users)} users, think {args.think_min:g}-{args.think_max:g} s", load)
    print(
        f"offered {load['offered_rps']} req/s, served {load['throughput_rps']} req/s "
        f"(ratio {load['served_ratio']}); generator CPU {load['generator_cpu_percent']} % of a core "
        f"({load['generator_cpu_ms_per_request']} ms/request); CPU per request: server "
        f"{load['server_cpu_ms_per_request']} ms, PostgreSQL {load['postgres_cpu_ms_per_request']} ms, "
        f"nginx {load['nginx_cpu_ms_per_request']} ms"
    )
    for ws in sockets:
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()

    results["approve"] = await approvals(users, world, args.approvals)
    print_table("3b. approvals with e-signature, 4 at a time", results["approve"])

    results["fanout"] = await fanout(stack, users, world, args)
    print_fanout(results["fanout"])
    for u in users:
        u.http.close()
    return results


def print_fanout(fanout_result: dict[str, Any]) -> None:
    print(
        f"\n== 4. fan-out: {fanout_result['sockets_open']} sockets of one unit x {fanout_result['events']} events: "
        f"delivered {fanout_result['delivered']}/{fanout_result['expected_deliveries']}, write-to-socket "
        f"p50 {fanout_result['p50_ms']} ms, p95 {fanout_result['p95_ms']} ms, p99 {fanout_result['p99_ms']} ms, "
        f"max {fanout_result['max_ms']} ms"
    )
    print(
        f"   the write answered in p50 {fanout_result['write_p50_ms']} ms; first socket p50 "
        f"{fanout_result['first_socket_p50_ms']} ms; first to last socket p50 "
        f"{fanout_result['first_to_last_socket_p50_ms']} / p95 {fanout_result['first_to_last_socket_p95_ms']} ms; "
        f"CPU ms per event {fanout_result['cpu_ms_per_event']}"
    )


async def _signed_in_alone(
    stack: Stack, count: int, phase: Callable[[list[User], World], Awaitable[dict[str, Any]]]
) -> dict[str, Any]:
    """`count` users sign in (a phase needs their tokens), then `phase` runs alone."""
    rows, world = load_world(stack.database)
    users = make_users(stack, rows, count)
    await login_all(users, 8)
    users = [u for u in users if u.token]
    if not users:
        sys.exit(f"no user could log in: see {stack.workdir}/logs/app.log")
    result = await phase(users, world)
    for u in users:
        u.http.close()
    return result


async def run_fanout_only(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    """--only fanout: the users sign in (the sockets need their tickets), then figure 4 alone."""
    return await _signed_in_alone(stack, args.users, lambda users, world: fanout(stack, users, world, args))


async def run_cpu_only(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    return await _signed_in_alone(stack, args.cpu_users, lambda users, world: cpu_read_mix(stack, users, world, args))


def verdict(value: float, limit: float, *, at_least: bool = False) -> str:
    ok = value >= limit if at_least else value <= limit
    return "meets" if ok else "MISSES"


def print_summary(results: dict[str, Any]) -> None:
    cpu = results["cpu_1x"]["MIX"]
    print("\n==================== the six figures ====================")
    print(
        f"1. CPU per request, read mix: {cpu['total_ms']} ms (server {cpu['server_ms']} + PostgreSQL "
        f"{cpu['postgres_ms']}); target <= 5 ms: {verdict(cpu['total_ms'], 5)}"
    )
    if "wake_penalty" in results:
        wake = results["wake_penalty"]
        print(
            f"   (this machine: the same Python work costs {wake['after_gap_ms']} ms of CPU after a "
            f"{wake['gap_ms']} ms pause, {wake['back_to_back_ms']} ms back to back: {wake['ratio']}x; "
            "figure 1 is paced)"
        )
    if "load" in results:
        print_load_figures(results)
    if "cpu_10x" in results:
        big = results["cpu_10x"]["MIX"]
        cpu_ratio = big["total_ms"] / cpu["total_ms"] if cpu["total_ms"] else 0.0
        p95_ratio = big["p95_ms"] / cpu["p95_ms"] if cpu["p95_ms"] else 0.0
        results["scale"] = {"cpu_ratio": round(cpu_ratio, 2), "p95_ratio": round(p95_ratio, 2)}
        print(
            f"5. read mix at 10x vs 1x: CPU {big['total_ms']} vs {cpu['total_ms']} ms ({cpu_ratio:.2f}x), p95 "
            f"{big['p95_ms']} vs {cpu['p95_ms']} ms ({p95_ratio:.2f}x); target <= 1.25x: "
            f"{verdict(cpu_ratio, 1.25)} (CPU), {verdict(p95_ratio, 1.25)} (p95)"
        )
        print(f"   data: 1x {results['data']['1x']}; 10x {results['data']['10x']}")
    else:
        print("5. scale: skipped (--skip-10x)")
    layout = results["layout"]
    http = (
        f"granian {layout['http_workers']} worker processes x {layout['threads']} threads (/api/) + Daphne "
        f"{layout['websocket_processes']} processes (/ws/)"
        if layout["http_workers"]
        else "Daphne 1 process for /api/ and /ws/ (--layout daphne, the former layout)"
    )
    print(
        f"6. layout: nginx ({layout['nginx_workers']} workers) -> {http}; Celery 1; PostgreSQL and Redis of the "
        f"machine; {layout['cpus']} CPUs; load average at start {layout['load_at_start']}"
    )


def print_load_figures(results: dict[str, Any]) -> None:
    load, login, fan = results["load"], results["login"], results["fanout"]
    # The approvals alone (the phase also counts the token refreshes it needed).
    approve = results["approve"]["by_scenario"].get("request_approve", {"count": 0, "p95_ms": 0.0})
    approve = {"requests": approve["count"], "p95_ms": approve["p95_ms"]}
    print(
        f"2. {load['users']} users, think {load['think_seconds'][0]:g}-{load['think_seconds'][1]:g} s: "
        f"p50 {load['p50_ms']} / p95 {load['p95_ms']} / p99 {load['p99_ms']} ms, 5xx {load['errors_5xx']}, "
        f"served/offered {load['throughput_rps']}/{load['offered_rps']} req/s = {load['served_ratio']}, "
        f"generator {load['generator_cpu_percent']} % of a core; targets p95 <= 250 "
        f"({verdict(load['p95_ms'], 250)}), p99 <= 1000 ({verdict(load['p99_ms'], 1000)}), no 5xx "
        f"({verdict(load['errors_5xx'], 0)}), ratio >= 0.9 ({verdict(load['served_ratio'], 0.9, at_least=True)})"
    )
    print(
        f"3. logins ({login['requests']}, 8 at a time): p95 {login['p95_ms']} ms (target <= 1000: "
        f"{verdict(login['p95_ms'], 1000)}); approve with e-signature ({approve['requests']}): p95 "
        f"{approve['p95_ms']} ms (target <= 500: "
        f"{verdict(approve['p95_ms'], 500) if approve['requests'] else 'NO DATA'})"
    )
    print(
        f"4. fan-out, {fan['sockets_open']} sockets: p95 {fan['p95_ms']} ms, delivered "
        f"{fan['delivered']}/{fan['expected_deliveries']} (target <= 50 ms: "
        f"{verdict(fan['p95_ms'], 50) if fan['delivered'] else 'NO DATA'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of the 200-user phase")
    parser.add_argument("--think-min", type=float, default=1.0)
    parser.add_argument("--think-max", type=float, default=5.0)
    parser.add_argument("--web-concurrency", type=int, default=2 * (os.cpu_count() or 1), help="granian HTTP workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per HTTP worker")
    parser.add_argument(
        "--layout",
        choices=("production", "daphne"),
        default="production",
        help="production: granian for HTTP, Daphne for WebSockets; daphne: one Daphne process for all (for comparison)",
    )
    parser.add_argument(
        "--websocket-processes",
        type=int,
        default=2,
        help="Daphne processes for /ws/ behind nginx (the compose file's websocket replicas)",
    )
    parser.add_argument("--cpu-rate", type=float, default=15.0, help="req/s of the paced CPU phases")
    parser.add_argument("--cpu-seconds", type=float, default=8.0, help="seconds per scenario in the CPU phases")
    parser.add_argument("--cpu-users", type=int, default=50, help="users sending the CPU phases' requests")
    parser.add_argument("--approvals", type=int, default=40)
    parser.add_argument("--fanout-sockets", type=int, default=200)
    parser.add_argument("--fanout-events", type=int, default=20)
    parser.add_argument("--fanout-interval", type=float, default=0.25)
    parser.add_argument("--skip-10x", action="store_true", help="no 10x data set, no figure 5")
    parser.add_argument("--cpu-only", action="store_true", help="only figures 1, 5 and 6 (CPU per request)")
    parser.add_argument(
        "--only", choices=("fanout",), help="fanout: only figure 4 on the 1x data set (no 10x, no other phase)"
    )
    parser.add_argument("--quick", action="store_true", help="short phases, no 10x: a smoke run of a few minutes")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data sets even if complete ones exist")
    parser.add_argument("--reuse-db", action="store_true", help="(the default) keep built data sets")
    parser.add_argument("--output", default=str(REPO_ROOT / "bench-results.json"))
    args = parser.parse_args()
    if args.only == "fanout":
        args.skip_10x = True
    if args.quick:
        args.users, args.cpu_users, args.fanout_sockets = min(args.users, 40), min(args.cpu_users, 40), 40
        args.duration, args.cpu_seconds, args.skip_10x, args.approvals = 20.0, 3.0, True, 16

    def stop(signum: int, _frame: Any) -> None:
        # A background job may start with SIGINT ignored; SIGTERM must also reach the
        # `finally` blocks that stop the servers and delete this run's Redis keys.
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    workdir = Path(os.environ.get("BENCH_WORKDIR", BACKEND_DIR / "var" / "bench"))
    workdir.mkdir(parents=True, exist_ok=True)
    run_id = secrets.token_hex(4)
    env = bench_env(args, workdir, run_id, secrets.token_urlsafe(64))
    # The 10x stack starts with caches of its own: with the 1x stack's prefixes it would answer
    # from what the 1x phase cached (the same users, units and paths, under versions no 10x
    # write had bumped) and read cheaper than the 10x data set costs.
    env_10x = bench_env(args, workdir, f"{run_id}x10", secrets.token_urlsafe(64))
    databases = {"1x": data.ensure_database(scale=1, users=args.users, env=env, rebuild=args.rebuild)}
    if not args.skip_10x:
        databases["10x"] = data.ensure_database(scale=10, users=args.users, env=env, rebuild=args.rebuild)
    results: dict[str, Any] = {"data": {k: data.counts(db) for k, db in databases.items()}}
    print(f"data sets: {results['data']}", flush=True)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BACKEND_DIR,
        env={**env, "DATABASE_URL": f"{data.PG}/{databases['1x']}"},
        check=True,
    )
    load_at_start = os.getloadavg()
    try:
        stack = Stack(args, env, databases["1x"], workdir)
        try:
            stack.start()
            results["layout"] = {
                "http_workers": stack.worker_count(),
                "threads": args.threads,
                "websocket_processes": len(stack.daphne_pids()),
                "nginx_workers": len(stack.nginx_pids()) - 1,
                "celery_workers": 1,
                "cpus": os.cpu_count(),
                "load_at_start": [round(x, 1) for x in load_at_start],
            }
            if args.only == "fanout":
                results["fanout"] = asyncio.run(run_fanout_only(stack, args))
                print_fanout(results["fanout"])
            elif args.cpu_only:
                results["cpu_1x"] = asyncio.run(run_cpu_only(stack, args))
                print_cpu(f"1. CPU per request, read mix, 1x data ({args.layout} layout)", results["cpu_1x"])
            else:
                results.update(asyncio.run(run_1x(stack, args)))
        finally:
            stack.stop()
        if "10x" in databases:
            stack = Stack(args, env_10x, databases["10x"], workdir)
            try:
                stack.start()
                results["cpu_10x"] = asyncio.run(run_cpu_only(stack, args))
                print_cpu("5. CPU per request, read mix, 10x data", results["cpu_10x"])
            finally:
                stack.stop()
        results["load_at_end"] = [round(x, 1) for x in os.getloadavg()]
        if "cpu_1x" in results:
            results["wake_penalty"] = wake_penalty(1 / args.cpu_rate)
        results["config"] = {k: v for k, v in vars(args).items() if k != "output"}
        if args.only == "fanout":
            print(f"load average at start {results['layout']['load_at_start']}, at end {results['load_at_end']}")
        else:
            print_summary(results)
        Path(args.output).write_text(json.dumps(results, indent=2))
        print(f"\nresults written to {args.output}")
    finally:
        cleanup_redis(env)
        cleanup_redis(env_10x)


if __name__ == "__main__":
    main()
