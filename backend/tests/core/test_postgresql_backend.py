"""The pool's check of a PostgreSQL connection as it leaves the pool (config/postgresql/base.py):
a quiet connection is handed out without a statement, one that PostgreSQL closed is refused and
the pool hands out another, and Django's own pool runs this check."""

import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection
from psycopg_pool import ConnectionPool

from config.postgresql.base import check_connection, use_socket_check
from tests.conftest import is_postgres, record_calls
from tests.production.support import pg_url

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if not is_postgres():
        pytest.skip("the pool is PostgreSQL's")


@pytest.fixture
def pool() -> Iterator[ConnectionPool]:
    made = ConnectionPool(pg_url("postgres"), min_size=1, max_size=1, timeout=10, open=False)
    use_socket_check(made)
    with made as opened:
        yield opened


def _terminate(where: str) -> int:
    """Terminate the backends `where` selects from pg_stat_activity, waiting up to 5 s for each
    to exit (its FATAL message and close are sent by then). Returns how many."""
    with psycopg.connect(pg_url("postgres"), autocommit=True) as admin:
        rows = admin.execute(
            f"SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE {where}"  # noqa: S608 - tests' own text
        ).fetchall()
    return len(rows)


def test_a_quiet_connection_is_handed_out_without_a_round_trip(
    pool: ConnectionPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = record_calls(monkeypatch, ConnectionPool, "check_connection")
    pids = set()
    for _ in range(5):
        with pool.connection() as conn:
            pids.add(conn.info.backend_pid)
            assert conn.execute("SELECT 1").fetchone() == (1,)
    assert asked == [] and len(pids) == 1  # the same connection each time, never asked


def test_a_connection_postgresql_closed_is_replaced(pool: ConnectionPool, monkeypatch: pytest.MonkeyPatch) -> None:
    with pool.connection() as conn:
        first = conn.info.backend_pid
    asked = record_calls(monkeypatch, ConnectionPool, "check_connection")
    assert _terminate(f"pid = {first}") == 1
    with pool.connection() as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        assert conn.info.backend_pid != first
    assert len(asked) == 1  # the closed one was asked, and refused


def test_after_postgresql_closed_every_pooled_connection_the_next_checkout_is_quick() -> None:
    """A restart closes every connection: the first refused one has the pool check all its idle
    ones at once, instead of one per try with a growing back-off (1 + 2 + 4 s for four)."""
    name = f"dms_check_{uuid.uuid4().hex[:8]}"
    made = ConnectionPool(
        pg_url("postgres"), kwargs={"application_name": name}, min_size=4, max_size=4, timeout=5, open=False
    )
    use_socket_check(made)
    with made as opened:
        opened.wait()
        assert _terminate(f"application_name = '{name}'") == 4
        started = time.monotonic()
        with opened.connection() as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert time.monotonic() - started < 4


def test_a_closed_or_terminated_connection_is_refused() -> None:
    with psycopg.connect(pg_url("postgres")) as conn:
        check_connection(conn)  # quiet and open: passes
        _terminate(f"pid = {conn.info.backend_pid}")
        with pytest.raises(psycopg.OperationalError):
            check_connection(conn)
    closed = psycopg.connect(pg_url("postgres"))
    closed.close()
    with pytest.raises(psycopg.OperationalError):
        check_connection(closed)


@pytest.mark.django_db(transaction=True)
def test_django_queries_on_after_postgresql_closed_its_pooled_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = record_calls(monkeypatch, ConnectionPool, "check_connection")
    for _ in range(3):  # quiet connections: no round trip to check them
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        connection.close()  # back to the pool, as at the end of a request
    assert asked == []
    database = connection.settings_dict["NAME"]
    assert _terminate(f"datname = '{database}' AND backend_type = 'client backend'") >= 1  # every idle one
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert asked  # the closed ones were asked, and refused


@pytest.mark.django_db
def test_every_session_plans_with_the_settings_options() -> None:
    """The session options of config/settings.py reach every connection Django opens: prepared
    reads planned generically from their first run, explicit JOINs reordered in groups of four
    (an eight-relation read of the ORM took 7-10 ms to plan with PostgreSQL's default of eight)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('plan_cache_mode'), current_setting('join_collapse_limit')")
        assert cursor.fetchone() == ("force_generic_plan", "4")
