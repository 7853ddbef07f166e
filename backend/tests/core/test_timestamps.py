"""Timestamps are read by psycopg's C loader, with the values Django's own loader gives."""

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format

pytestmark = pytest.mark.django_db

# Whole seconds and fractions, the epoch, leap days, far past and future, offsets that are not
# whole hours: PostgreSQL sends each in UTC.
VALUES = [
    "2026-12-04 11:35:16+00",
    "2026-12-04 11:35:16.000001+00",
    "2026-12-04 11:35:16.5+05:30",
    "1970-01-01 00:00:00+00",
    "2024-02-29 23:59:59.999999-03:30",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]
SQL = "SELECT v::timestamptz FROM unnest(%s::text[]) AS v"


def test_timestamps_load_with_the_c_loader_as_django_loads_them() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's loaders")
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(1184, Format.TEXT)
        assert type(loader(1184, cursor.cursor).load.__self__).__module__ == "psycopg_binary._psycopg"
        cursor.execute(SQL, [VALUES])
        fast = [row[0] for row in cursor.fetchall()]
    with connection.cursor() as cursor:
        register_tzloader(connection.timezone, cursor.cursor)  # Django's own loader, this cursor only
        cursor.execute(SQL, [VALUES])
        django = [row[0] for row in cursor.fetchall()]
    assert fast == django
    assert [value.tzinfo for value in fast] == [datetime.UTC] * len(VALUES)
    assert [value.isoformat() for value in fast] == [value.isoformat() for value in django]
    assert fast[2] == datetime.datetime(2026, 12, 4, 6, 5, 16, 500000, tzinfo=datetime.UTC)
