"""Django's PostgreSQL backend, whose pool checks a connection by its socket (ENGINE
"config.postgresql" in both settings).

With `CONN_HEALTH_CHECKS` and a pool, Django gives the pool psycopg's `check_connection`,
which sends an empty statement and waits for PostgreSQL's answer on every checkout: a round
trip before each request's first query. On a paced load that round trip cost more than its
few microseconds, since the worker and the PostgreSQL backend both sleep and wake for it
(OPTIMIZATIONS.md §2.Q).

A connection that PostgreSQL closed (a restart, a failover, `pg_terminate_backend`, an idle
timeout) is told so on its socket: the server sends its FATAL message and closes, so the idle
connection has input waiting or a hang-up. `check_connection` looks for that without a round
trip: a connection the client knows to be closed or broken is refused, one with anything
waiting gets psycopg's full check (which refuses it if the server is gone), and a quiet one is
handed out. The pool discards a refused connection and hands out another (or opens a new one).
What a quiet socket cannot show is a peer that vanished without closing (a cut cable): a round
trip would then hang as long as the first query does, and `max_lifetime`/`max_idle` recycle it.
"""

import select
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool

_WAITING = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP


def check_connection(connection: Any) -> None:
    """Raise if `connection` must not be handed out (the pool's `check` callback)."""
    if connection.closed or connection.broken:
        raise psycopg.OperationalError("the connection is closed")
    poller = select.poll()
    poller.register(connection.fileno(), _WAITING)
    if poller.poll(0):  # something arrived on an idle connection: ask the server
        ConnectionPool.check_connection(connection)


def use_socket_check(pool: ConnectionPool) -> None:
    """Make `pool` check each connection it hands out with `check_connection`; when one is
    refused, every idle connection of the pool is checked at once. PostgreSQL closes them all
    when it restarts, and the pool alone would find them one checkout at a time, backing off
    longer after each (1, 2, 4, 8 s...), past its timeout with a pool of a few connections."""

    def check(connection: Any) -> None:
        try:
            check_connection(connection)
        except psycopg.Error:
            pool.check()  # the broken ones are replaced in the background
            raise

    # The pool calls what it keeps from its `check=` argument for every checkout; Django passes
    # psycopg's round-trip check there when it builds the pool.
    pool._check = check


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> Any:
        # Django 5.1's pool, which django-stubs does not describe yet.
        created = self.alias not in self._connection_pools  # type: ignore[attr-defined]
        pool = super().pool  # type: ignore[misc]
        if created and pool is not None and self.settings_dict["CONN_HEALTH_CHECKS"]:
            use_socket_check(pool)
        return pool
