#!/bin/sh
# Container entrypoint for the backend image (granian, Daphne, Celery worker, Celery beat).
#   1. waits until PostgreSQL accepts connections (DB_WAIT_TIMEOUT seconds, default 60);
#   2. if RUN_MIGRATIONS=1 (the backend service only): applies migrations (as the owner role of
#      MIGRATION_DATABASE_URL if set) under a PostgreSQL advisory lock, so several backend
#      nodes starting together never migrate twice;
#   3. if COLLECT_STATIC=1: collectstatic into STATIC_ROOT (shared with nginx);
#   4. execs the command (PID 1 stays tini, which forwards SIGTERM to it).
set -eu

cd /app

python - <<'PY'
import os, sys, time
import psycopg

url = os.environ.get("DATABASE_URL", "")
if not url.startswith(("postgres://", "postgresql://")):
    sys.exit(0)
deadline = time.monotonic() + int(os.environ.get("DB_WAIT_TIMEOUT", "60"))
while True:
    try:
        psycopg.connect(url, connect_timeout=3).close()
        print("entrypoint: database is up", flush=True)
        break
    except psycopg.OperationalError as exc:
        if time.monotonic() > deadline:
            print(f"entrypoint: database not reachable: {exc}", file=sys.stderr, flush=True)
            sys.exit(1)
        print("entrypoint: waiting for the database...", flush=True)
        time.sleep(2)
PY

if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
    # Migrations need DDL rights: they run as the owner role when MIGRATION_DATABASE_URL is
    # set; the server processes keep the application role (rows only).
    DATABASE_URL="${MIGRATION_DATABASE_URL:-$DATABASE_URL}" python - <<'PY'
import django
from django.core.management import call_command
from django.db import connection

django.setup()
# Arbitrary but fixed lock id ("DMS" in ASCII): held for the session, released on exit.
LOCK_ID = 0x444D53
with connection.cursor() as cursor:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_ID])
    call_command("migrate", interactive=False, verbosity=1)
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])
PY
fi

if [ "${COLLECT_STATIC:-0}" = "1" ]; then
    python manage.py collectstatic --noinput --verbosity 0
fi

exec "$@"
