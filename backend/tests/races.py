"""What the row-lock race tests share: they run on PostgreSQL only, and one side waits until
another connection is blocked on a lock (an event awaited, not a timed sleep)."""

import threading

import pytest
from django.db import connection


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races need PostgreSQL (CI runs them there); SQLite serializes all writers")


def wait_for_a_lock_wait() -> None:
    """Until another connection waits for a row lock."""
    for _ in range(600):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
        threading.Event().wait(0.05)
    raise AssertionError("no connection ever waited for a lock")
