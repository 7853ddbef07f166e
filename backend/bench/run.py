"""Cipla DMS benchmark (`make bench`): >= 200 simulated users on a realistic mix against
Daphne (config.settings_production) + PostgreSQL + Redis, then a WebSocket fan-out run.

    cd backend && ../.venv/bin/python -m bench.run                  # defaults below
    cd backend && ../.venv/bin/python -m bench.run --reuse-db --think 0 --duration 45

What it does, all on loopback and bounded in time:
 1. builds database `dms_bench` (migrate, initial_setup --demo, bench.seed: 30,000 crates,
    300,000 documents, 300,000 audit events, 200 users, 5,000 requests) unless --reuse-db;
 2. starts N Daphne nodes with settings_production and one Celery worker;
 3. logs every user in, opens one WebSocket per user (SPA behaviour), then runs the mix for
    --duration seconds: each user picks a scenario, sends it, waits a think time, repeats;
 4. fan-out: one user creates crates; every socket of that unit must receive each event;
    latency = from the write being sent to the event arriving at each socket;
 5. prints p50/p95/p99, throughput and errors per scenario, and writes --output (JSON);
 6. stops every process it started, by PID.
Requests go to Daphne directly with the headers nginx would add (X-Forwarded-Proto https,
X-Forwarded-For one address per user): nginx's per-address rate limits would otherwise
throttle a load generator that has one address.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BACKEND_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = BACKEND_DIR.parent
PYTHON = sys.executable
HOST = "localhost"
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
BENCH_PASSWORD = "Bench@12345678"
DEMO_PASSWORD = "Demo@12345678"


# --- processes ---------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(args: argparse.Namespace, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    (workdir / "logs").mkdir(parents=True, exist_ok=True)
    run_id = secrets.token_hex(4)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings_production",
        SECRET_KEY=secrets.token_urlsafe(64),
        CHANNEL_LAYER_ENCRYPTION_KEY=secrets.token_hex(32),
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        DATABASE_URL=f"{PG}/{args.database}",
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
        DB_POOL_MIN=str(args.pool_min),
        DB_POOL_MAX=str(args.pool_max),
        ASGI_THREADS=str(args.asgi_threads),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def psql(sql: str, database: str = "postgres") -> str:
    out = subprocess.run(["psql", "-X", "-At", f"{PG}/{database}", "-c", sql], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return out.stdout.strip()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BACKEND_DIR, env=env, check=True)


def prepare_database(args: argparse.Namespace, env: dict[str, str]) -> None:
    if not args.database.replace("_", "").isalnum():
        sys.exit("--database: letters, digits and _ only")
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{args.database}'") == "1"  # noqa: S608 - checked
    if args.reuse_db and exists:
        print(f"reusing database {args.database}", flush=True)
        tune_database(args.database)
        return
    psql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{args.database}"')
    started = time.monotonic()
    seed_env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings"}  # no pool needed to seed
    manage(seed_env, "migrate", "--noinput", "-v", "0")
    manage(seed_env, "initial_setup", "--demo")
    subprocess.run(
        [
            PYTHON,
            "-m",
            "bench.seed",
            "--crates",
            str(args.crates),
            "--documents-per-crate",
            str(args.documents_per_crate),
            "--audit-events",
            str(args.audit_events),
            "--users",
            str(args.users),
            "--requests",
            str(args.requests),
            "--password",
            BENCH_PASSWORD,
        ],
        cwd=BACKEND_DIR,
        env=seed_env,
        check=True,
    )
    tune_database(args.database)
    psql("VACUUM ANALYZE", args.database)
    print(f"data set ready in {time.monotonic() - started:.0f}s", flush=True)


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


def tune_database(database: str) -> None:
    """The per-session settings of docker-compose.production.yml's PostgreSQL, applied to the
    bench database (server-wide ones such as shared_buffers need the server's own config)."""
    psql(f"ALTER DATABASE \"{database}\" SET work_mem = '16MB'")
    psql(f"ALTER DATABASE \"{database}\" SET effective_cache_size = '4GB'")
    psql(f'ALTER DATABASE "{database}" SET random_page_cost = 1.1')


class Processes:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        self.procs.append(
            (
                name,
                subprocess.Popen(
                    argv, cwd=BACKEND_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                ),
            )
        )

    def stop(self) -> None:
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _name, proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)


# --- a small keep-alive HTTP/1.1 client (asyncio; no dependency) -------------------------------
class Http:
    def __init__(self, port: int, client_ip: str) -> None:
        self.port = port
        self.client_ip = client_ip
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nX-Forwarded-Proto: https\r\n"
            f"X-Forwarded-For: {self.client_ip}\r\nAccept: application/json\r\nAccept-Encoding: gzip\r\n"
            f"Content-Length: {len(data)}\r\n"
        )
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        if body is not None:
            head += "Content-Type: application/json\r\n"
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            assert self.reader is not None
            self.writer.write(head.encode() + b"\r\n" + data)
            await self.writer.drain()
            status_line = await self.reader.readline()
            if not status_line:  # the server closed an idle keep-alive connection: resend once
                self.close()
                if attempt == 2:
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
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, name: str, seconds: float, status: int) -> None:
        self.latencies[name].append(seconds)
        self.statuses[name][status] += 1


@dataclass
class User:
    username: str
    role: str
    unit: int
    http: Http
    token: str = ""
    events: list[tuple[float, dict]] = field(default_factory=list)


@dataclass
class World:
    departments: dict[int, list[int]]
    document_types: list[int]
    crates: dict[int, list[int]]
    crate_numbers: list[str]
    today: str


async def call(stats: Stats, user: User, name: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    started = time.perf_counter()
    try:
        status, payload = await user.http.request(method, path, body, user.token)
    except (OSError, asyncio.IncompleteReadError, ValueError) as error:
        stats.failures[name] += 1
        user.http.close()
        stats.add(name, time.perf_counter() - started, 599)
        return 599, str(error)
    stats.add(name, time.perf_counter() - started, status)
    return status, payload


async def scenario(stats: Stats, user: User, world: World, rng: random.Random) -> None:
    """One click of a user, by role, weighted like a working day: mostly reading lists and
    records, some record keeping, a few approvals and executions."""
    common = [
        ("dashboard", 10),
        ("crates_list", 15),
        ("crate_detail", 15),
        ("documents_search", 10),
        ("notifications", 8),
        ("requests_list", 10),
        ("locations_available", 5),
    ]
    extra = {
        "Document Manager": [("create_and_submit", 8)],
        "Approver": [("audit_list", 5), ("approve", 6)],
        "Store Head": [("execute_storage", 6)],
        "Viewer": [],
    }[user.role]
    choices = common + extra
    pick = rng.choices([c[0] for c in choices], weights=[c[1] for c in choices])[0]
    unit = user.unit
    if pick == "dashboard":
        await call(stats, user, pick, "GET", "/api/dashboard/")
    elif pick == "crates_list":
        if rng.random() < 0.7:  # browsing the stored inventory, deep pages included
            path = f"/api/crates/?status=stored&page={rng.randint(1, 200)}&page_size=25"
        else:  # the working lists: drafts and withdrawn crates, first pages
            path = f"/api/crates/?status={rng.choice(['draft', 'withdrawn'])}&page={rng.randint(1, 3)}&page_size=25"
        await call(stats, user, pick, "GET", path)
    elif pick == "crate_detail":
        await call(stats, user, pick, "GET", f"/api/crates/{rng.choice(world.crates[unit])}/")
    elif pick == "documents_search":
        await call(stats, user, pick, "GET", f"/api/documents/?search=DOC-{rng.choice(world.crates[unit])}-00")
    elif pick == "notifications":
        await call(stats, user, pick, "GET", "/api/notifications/")
    elif pick == "requests_list":
        await call(stats, user, pick, "GET", f"/api/requests/?page={rng.randint(1, 5)}")
    elif pick == "locations_available":
        await call(stats, user, pick, "GET", "/api/locations/?available=true&page_size=50")
    elif pick == "audit_list":
        await call(stats, user, pick, "GET", f"/api/audit/?page={rng.randint(1, 50)}")
    elif pick == "create_and_submit":
        s, crate = await call(
            stats,
            user,
            "crate_create",
            "POST",
            "/api/crates/",
            {"department": rng.choice(world.departments[unit]), "description": "Bench crate"},
        )
        if s != 201:
            return
        s, _doc = await call(
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
            return
        s, req = await call(
            stats,
            user,
            "request_create",
            "POST",
            "/api/requests/",
            {"request_type": "storage", "purpose": "Bench storage", "items": [{"crate": crate["id"]}]},
        )
        if s == 201:
            await call(stats, user, "request_submit", "POST", f"/api/requests/{req['id']}/submit/", {})
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
                {"password": BENCH_PASSWORD, "comment": "bench"},
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


async def user_loop(
    stats: Stats, user: User, world: World, deadline: float, think: tuple[float, float], seed: int
) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, max(think[1], 0.5)))  # users don't all click at once
    while time.monotonic() < deadline:
        await scenario(stats, user, world, rng)
        if think[1] > 0:
            await asyncio.sleep(rng.uniform(*think))


async def open_socket(user: User, port: int, stats: Stats) -> Any:
    from websockets.asyncio.client import connect

    status, ticket = await call(stats, user, "ws_ticket", "POST", "/api/auth/ws-ticket/", {})
    if status not in (200, 201):
        return None
    ws = await connect(
        f"ws://127.0.0.1:{port}/ws/updates/?ticket={ticket['ticket']}",
        origin=f"https://{HOST}",
        additional_headers={"X-Forwarded-Proto": "https"},
        open_timeout=30,
        max_queue=None,
    )

    async def listen() -> None:
        with contextlib.suppress(Exception):
            async for message in ws:
                user.events.append((time.perf_counter(), json.loads(message)))

    asyncio.get_running_loop().create_task(listen())
    return ws


def summarize(stats: Stats, elapsed: float) -> dict[str, Any]:
    rows = {}
    total = errors = 0
    for name in sorted(stats.latencies):
        values = sorted(stats.latencies[name])
        codes = dict(stats.statuses[name])
        count = len(values)
        errs = sum(n for code, n in codes.items() if code >= 500)
        total += count
        errors += errs
        rows[name] = {
            "count": count,
            "p50_ms": pct(values, 50),
            "p95_ms": pct(values, 95),
            "p99_ms": pct(values, 99),
            "errors_5xx": errs,
            "statuses": {str(k): v for k, v in sorted(codes.items())},
        }
    return {
        "requests": total,
        "errors_5xx": errors,
        "seconds": round(elapsed, 1),
        "throughput_rps": round(total / elapsed, 1) if elapsed else 0.0,
        "by_scenario": rows,
        "all": {
            "p50_ms": pct(sorted(v for vs in stats.latencies.values() for v in vs), 50),
            "p95_ms": pct(sorted(v for vs in stats.latencies.values() for v in vs), 95),
            "p99_ms": pct(sorted(v for vs in stats.latencies.values() for v in vs), 99),
        },
    }


def pct(values: list[float], p: int) -> float:
    if not values:
        return 0.0
    index = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))
    return round(values[index] * 1000, 1)


def print_table(title: str, summary: dict[str, Any]) -> None:
    print(
        f"\n== {title}: {summary['requests']} requests in {summary['seconds']}s = "
        f"{summary['throughput_rps']} req/s, 5xx/transport errors: {summary['errors_5xx']}"
    )
    print(f"{'scenario':24} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    for name, row in summary["by_scenario"].items():
        print(
            f"{name:24} {row['count']:>7} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8}  {row['statuses']}"
        )
    a = summary["all"]
    print(f"{'ALL':24} {summary['requests']:>7} {a['p50_ms']:>8} {a['p95_ms']:>8} {a['p99_ms']:>8}")


async def run_load(args: argparse.Namespace, ports: list[int]) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(f"{PG}/{args.database}") as conn:
        rows = conn.execute(
            "SELECT u.username, g.name, u.unit_id FROM accounts_user u "
            "JOIN accounts_user_groups ug ON ug.user_id = u.id JOIN auth_group g ON g.id = ug.group_id "
            "WHERE u.username LIKE 'bench%%' ORDER BY u.username LIMIT %s",
            [args.users],
        ).fetchall()
        departments: dict[int, list[int]] = defaultdict(list)
        for dep_id, unit_id in conn.execute("SELECT id, unit_id FROM accounts_department"):
            departments[unit_id].append(dep_id)
        doc_types = [r[0] for r in conn.execute("SELECT id FROM crates_documenttype")]
        crates: dict[int, list[int]] = defaultdict(list)
        for crate_id, unit_id in conn.execute(
            "SELECT id, unit_id FROM crates_crate WHERE status = 'stored' ORDER BY random() LIMIT 4000"
        ):
            crates[unit_id].append(crate_id)
        goa = conn.execute("SELECT id FROM accounts_unit WHERE code = 'GOA'").fetchone()[0]
    world = World(dict(departments), doc_types, dict(crates), [], time.strftime("%Y-%m-%d"))
    if len(rows) < args.users:
        sys.exit(f"only {len(rows)} bench users in the database; rebuild without --reuse-db")

    stats = Stats()
    users = [
        User(name, role, unit, Http(ports[i % len(ports)], f"10.1.{i // 250}.{i % 250 + 1}"))
        for i, (name, role, unit) in enumerate(rows)
    ]

    # Log in (PBKDF2 per login is deliberate CPU work: measured apart from the steady state).
    login_stats = Stats()
    gate = asyncio.Semaphore(8)

    async def login(user: User) -> None:
        async with gate:
            status, body = await call(
                login_stats,
                user,
                "login",
                "POST",
                "/api/auth/login/",
                {"username": user.username, "password": BENCH_PASSWORD},
            )
            if status == 200:
                user.token = body["access"]

    started = time.monotonic()
    await asyncio.gather(*(login(u) for u in users))
    login_summary = summarize(login_stats, time.monotonic() - started)
    print_table("login (ramp-up, 8 at a time)", login_summary)
    users = [u for u in users if u.token]

    sockets = []
    for u in users:
        for _ in range(args.sockets_per_user):
            sockets.append(await open_socket(u, u.http.port, stats))
    print(f"\n{sum(1 for s in sockets if s)} WebSockets open for {len(users)} users", flush=True)

    # Steady state.
    stats = Stats()
    started = time.monotonic()
    deadline = started + args.duration
    await asyncio.gather(
        *(user_loop(stats, u, world, deadline, (args.think_min, args.think_max), i) for i, u in enumerate(users))
    )
    load_summary = summarize(stats, time.monotonic() - started)
    load_summary["users"] = len(users)
    load_summary["think_seconds"] = [args.think_min, args.think_max]
    print_table(f"mixed load: {len(users)} users, think {args.think_min}-{args.think_max}s", load_summary)

    # Fan-out: one Document Manager of GOA creates crates; every socket of a GOA user (and of
    # a system administrator) must get each crate event.
    await asyncio.sleep(2)
    for u in users:
        u.events.clear()
    writer = next(u for u in users if u.role == "Document Manager" and u.unit == goa)
    receivers = [u for u in users if u.unit == goa]
    fan_stats = Stats()
    sent: dict[int, float] = {}
    for _ in range(args.fanout_events):
        t0 = time.perf_counter()
        status, crate = await call(
            fan_stats,
            writer,
            "crate_create",
            "POST",
            "/api/crates/",
            {"department": world.departments[goa][0], "description": "fan-out"},
        )
        if status == 201:
            sent[crate["id"]] = t0
        await asyncio.sleep(args.fanout_interval)
    await asyncio.sleep(3)
    latencies = []
    for u in receivers:
        for received_at, event in u.events:
            if event.get("entity") == "crate" and event.get("action") == "created" and event.get("id") in sent:
                latencies.append(received_at - sent[event["id"]])
    expected = len(sent) * len(receivers) * args.sockets_per_user
    latencies.sort()
    fanout = {
        "events": len(sent),
        "sockets_per_event": len(receivers) * args.sockets_per_user,
        "expected_deliveries": expected,
        "delivered": len(latencies),
        "p50_ms": pct(latencies, 50),
        "p95_ms": pct(latencies, 95),
        "p99_ms": pct(latencies, 99),
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else 0.0,
    }
    print(
        f"\n== WebSocket fan-out: {fanout['events']} events x {fanout['sockets_per_event']} sockets: "
        f"delivered {fanout['delivered']}/{fanout['expected_deliveries']}, write-to-socket latency "
        f"p50 {fanout['p50_ms']} ms, p95 {fanout['p95_ms']} ms, p99 {fanout['p99_ms']} ms, max {fanout['max_ms']} ms"
    )
    for ws in sockets:
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
    for u in users:
        u.http.close()
    return {"login": login_summary, "load": load_summary, "fanout": fanout}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of steady-state load")
    parser.add_argument("--think-min", type=float, default=1.0)
    parser.add_argument("--think-max", type=float, default=5.0)
    parser.add_argument("--nodes", type=int, default=2, help="Daphne processes (users spread across them)")
    parser.add_argument("--asgi-threads", type=int, default=16)
    parser.add_argument("--pool-min", type=int, default=8)
    parser.add_argument("--pool-max", type=int, default=20)
    parser.add_argument("--sockets-per-user", type=int, default=1)
    parser.add_argument("--fanout-events", type=int, default=20)
    parser.add_argument("--fanout-interval", type=float, default=0.25)
    parser.add_argument("--crates", type=int, default=30_000)
    parser.add_argument("--documents-per-crate", type=int, default=10)
    parser.add_argument("--audit-events", type=int, default=300_000)
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--database", default="dms_bench")
    parser.add_argument("--reuse-db", action="store_true", help="keep an existing dms_bench data set")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--output", default=str(REPO_ROOT / "bench-results.json"))
    args = parser.parse_args()

    workdir = Path(os.environ.get("BENCH_WORKDIR", BACKEND_DIR / "var" / "bench"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = bench_env(args, workdir)
    prepare_database(args, env)
    counts = psql(
        "SELECT (SELECT count(*) FROM crates_crate) || ' crates, ' || (SELECT count(*) FROM crates_document)"
        " || ' documents, ' || (SELECT count(*) FROM audit_auditevent) || ' audit events, ' ||"
        " (SELECT count(*) FROM requests_request) || ' requests'",
        args.database,
    )
    print(f"data set: {counts}", flush=True)

    load_at_start = os.getloadavg()
    print(f"load average before the run: {load_at_start}", flush=True)
    procs = Processes(workdir)
    ports = [free_port() for _ in range(args.nodes)]
    try:
        for i, port in enumerate(ports):
            procs.start(
                f"daphne{i}",
                [
                    PYTHON,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "--proxy-headers",
                    "config.asgi:application",
                ],
                env,
            )
        procs.start(
            "celery",
            [PYTHON, "-m", "celery", "-A", "config.celery", "worker", "--loglevel=WARNING", "--concurrency=1"],
            {**env, "DB_POOL_MIN": "1", "DB_POOL_MAX": "2"},
        )
        for port in ports:
            deadline = time.monotonic() + 60
            while True:
                try:
                    status, _ = asyncio.run(Http(port, "127.0.0.1").request("GET", "/api/health/"))
                    if status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    sys.exit(f"Daphne on {port} did not become healthy; see {workdir}")
                time.sleep(0.5)
        results = asyncio.run(run_load(args, ports))
        results["data_set"] = counts
        results["config"] = {k: v for k, v in vars(args).items() if k not in ("output",)}
        results["machine"] = {
            "cpus": os.cpu_count(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": os.getloadavg(),
        }
        Path(args.output).write_text(json.dumps(results, indent=2))
        print(f"\nresults written to {args.output}")
    finally:
        procs.stop()
        cleanup_redis(env)
        if not args.keep_db and not args.reuse_db:
            psql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
