"""The benchmark's data sets in PostgreSQL: `dms_bench` (1x) and `dms_bench_x10` (10x).

    1x: 30,000 crates, 300,000 documents, 300,000 audit events, 5,000 requests, 200 users
    10x: 300,000 crates, 3,000,000 documents, 3,000,000 audit events, 50,000 requests

Built with `migrate`, `initial_setup --demo` and bench.seed (bulk inserts and COPY, the hash
chain computed in one pass); a built set is kept and reused unless `rebuild` is asked for,
because the 10x set takes minutes.

    python -m bench.data --scale 10            # build (or keep) dms_bench_x10
    BENCH_DATABASE=dms_mine python -m bench.data --scale 10    # ... as dms_mine_x10
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BACKEND_DIR = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
BENCH_PASSWORD = "Bench@12345678"
COMPLETE = "bench data set complete"
BASE = {"crates": 30_000, "documents_per_crate": 10, "audit_events": 300_000, "requests": 5_000}


# BENCH_DATABASE names the data sets (1x: the name, 10x: the name + "_x10"), so two people
# measuring on one PostgreSQL server keep sets of their own.
BASE_NAME = os.environ.get("BENCH_DATABASE", "dms_bench")


def database_name(scale: int) -> str:
    return BASE_NAME if scale == 1 else f"{BASE_NAME}_x{scale}"


def psql(sql: str, database: str = "postgres") -> str:
    out = subprocess.run(["psql", "-X", "-At", f"{PG}/{database}", "-c", sql], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return out.stdout.strip()


def tune_database(database: str) -> None:
    """The per-session settings of docker-compose.production.yml's PostgreSQL, applied to the
    bench database (server-wide ones such as shared_buffers need the server's own config).
    Parallel query is off so every statement runs in the backend the bench reads /proc of
    (a parallel worker is a short-lived process whose CPU would go uncounted)."""
    psql(f"ALTER DATABASE \"{database}\" SET work_mem = '16MB'")
    psql(f"ALTER DATABASE \"{database}\" SET effective_cache_size = '4GB'")
    psql(f'ALTER DATABASE "{database}" SET random_page_cost = 1.1')
    psql(f'ALTER DATABASE "{database}" SET max_parallel_workers_per_gather = 0')


def counts(database: str) -> dict[str, int]:
    row = psql(
        "SELECT (SELECT count(*) FROM crates_crate), (SELECT count(*) FROM crates_document),"
        " (SELECT count(*) FROM audit_auditevent), (SELECT count(*) FROM requests_request),"
        " (SELECT count(*) FROM accounts_user WHERE username LIKE 'bench%')",
        database,
    )
    names = ("crates", "documents", "audit_events", "requests", "bench_users")
    return dict(zip(names, (int(v) for v in row.split("|")), strict=True))


def ensure_database(*, scale: int, users: int, env: dict[str, str], rebuild: bool) -> str:
    """The data set of this scale, built unless a complete one exists (and rebuild is off)."""
    database = database_name(scale)
    # A build that stopped half-way has no completion marker: it is built again.
    marker = psql(f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{database}'")  # noqa: S608 - fixed names
    seed_env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": f"{PG}/{database}"}
    seed_env.pop("REDIS_URL", None)  # seeding needs no broker; tasks and broadcasts stay in-process
    if marker == COMPLETE and not rebuild:
        print(f"reusing database {database}", flush=True)
        # The code may have new migrations since the data set was built.
        migrate = [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"]
        subprocess.run(migrate, cwd=BACKEND_DIR, env=seed_env, check=True)
        # A set built before signatures needed a certification: certify its users as a build does.
        psql(
            "UPDATE accounts_user SET signature_certified_at = now() "
            "WHERE username LIKE 'bench%' AND signature_certified_at IS NULL",
            database,
        )
        tune_database(database)
        # Each run's writes (figures 2-4) stay in the 1x set. A server with autovacuum on tidies
        # them; one with it off (a CI machine's, say) would leave the next run reading dead rows
        # and stale statistics: vacuumed here, a second or two on a set vacuumed before.
        psql("VACUUM ANALYZE", database)
        return database
    busy = psql(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}'")  # noqa: S608 - fixed names
    if busy != "0":
        sys.exit(f"{database} is incomplete and in use (another run building it?): wait, or stop that run")
    psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{database}"')
    started = time.monotonic()
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BACKEND_DIR, env=seed_env, check=True)
    subprocess.run([PYTHON, "manage.py", "initial_setup", "--demo"], cwd=BACKEND_DIR, env=seed_env, check=True)
    subprocess.run(
        [
            PYTHON,
            "-m",
            "bench.seed",
            "--crates",
            str(BASE["crates"] * scale),
            "--documents-per-crate",
            str(BASE["documents_per_crate"]),
            "--audit-events",
            str(BASE["audit_events"] * scale),
            "--users",
            str(users),
            "--requests",
            str(BASE["requests"] * scale),
            "--password",
            BENCH_PASSWORD,
        ],
        cwd=BACKEND_DIR,
        env=seed_env,
        check=True,
    )
    tune_database(database)
    psql("VACUUM ANALYZE", database)
    psql(f"COMMENT ON DATABASE \"{database}\" IS '{COMPLETE}'")
    print(f"data set {database} ready in {time.monotonic() - started:.0f}s", flush=True)
    return database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1, choices=(1, 10))
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.setdefault("DMS_LOG_DIR", str(BACKEND_DIR / "var" / "bench" / "logs"))
    Path(env["DMS_LOG_DIR"]).mkdir(parents=True, exist_ok=True)
    database = ensure_database(scale=args.scale, users=args.users, env=env, rebuild=args.rebuild)
    print(counts(database))


if __name__ == "__main__":
    main()
