"""What the row-lock race tests share: they run on PostgreSQL only, one side waits until
another connection is blocked on a lock (an event awaited, not a timed sleep), and several
API clients can be started at the same instant."""

import threading
from collections.abc import Callable
from typing import Any

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


def run_concurrently(count: int, call: Callable[[int, Any], Any]) -> list[tuple[int, str | None]]:
    """Start `count` threads at once, each calling `call(index, api_client)`; return each
    answer's HTTP status and, for a refusal, its error code."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(index: int) -> None:
        from rest_framework.test import APIClient

        try:
            client = APIClient()
            barrier.wait(timeout=30)
            response = call(index, client)
            code = getattr(response, "data", {}).get("code") if response.status_code >= 400 else None
            results[index] = (response.status_code, code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
