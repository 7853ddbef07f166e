"""Timestamps read from PostgreSQL by psycopg's C loader instead of Django's Python one.

Django loads every `timestamptz` through a Python subclass of psycopg's pure-Python loader
(django/db/backends/postgresql/psycopg_any.py, `BaseTzLoader`), to attach the connection's
time zone. A requests page holds about 150 timestamps: parsing them in Python was about a tenth
of the instructions of the SPA's reads (OPTIMIZATIONS.md §2.O). When the connection's time zone is UTC (USE_TZ without a
database TIME_ZONE, as configured), PostgreSQL sends every timestamp in UTC and psycopg's C
loader gives it with `datetime.timezone.utc`: the same value Django's loader gives. So the C
loader is registered in place of Django's, behind a loader with the `timezone` Django checks
for each cursor. With any other database time zone, or without psycopg's C implementation,
nothing changes.
"""

import datetime
from typing import Any

from django.db import connections


def use_c_loader(alias: str = "default") -> bool:
    """Register psycopg's C timestamptz loader for the connections `alias` opens from now on.
    True if it was registered."""
    connection = connections[alias]
    if connection.vendor != "postgresql" or connection.timezone is not datetime.UTC:
        return False
    import psycopg
    from django.db.backends.postgresql.psycopg_any import get_adapters_template
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    fast = psycopg.adapters.get_loader(psycopg.postgres.types["timestamptz"].oid, Format.TEXT)
    if fast is None or fast.__module__.startswith("psycopg.types"):
        return False  # the pure-Python implementation: nothing to gain

    class UtcTimestamptzLoader(Loader):
        # Django compares this with the connection's time zone for each cursor
        # (DatabaseWrapper.create_cursor) and registers its own loader when they differ.
        timezone: Any = datetime.UTC

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            # The C loader's own method (a C class cannot be subclassed): psycopg calls it per value.
            self.load = fast(oid, context).load  # type: ignore[method-assign,misc]

        def load(self, data: Any) -> datetime.datetime:  # replaced per instance, above
            raise NotImplementedError

    # The adapters every new connection of this configuration starts from (cached by Django).
    get_adapters_template(True, connection.timezone).register_loader("timestamptz", UtcTimestamptzLoader)
    return True
