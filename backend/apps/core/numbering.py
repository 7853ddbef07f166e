"""Gap-tolerant, never-reused document numbers, safe under concurrent creation."""

from django.db import connection, transaction

from apps.core.models import NumberSequence


def next_number(series: str) -> int:
    """Reserve the next value of `series` inside the caller's transaction."""
    return reserve_numbers(series, 1)


def reserve_numbers(series: str, count: int) -> int:
    """Reserve `count` consecutive values of `series`; returns the last (the first is
    last - count + 1). One statement, however many: an import of thousands of crates numbers
    them at once, and every crate, request or send-back created pays one round trip for its number.

    INSERT .. ON CONFLICT (key) DO UPDATE creates the row for the first caller of a series and
    otherwise adds to it: the updated row stays locked until the caller's transaction ends, so
    concurrent callers queue and each gets its own values (what INSERT .. DO NOTHING, then
    SELECT .. FOR UPDATE and an UPDATE, three round trips, did before).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside a transaction")
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    key, last_value = connection.ops.quote_name("key"), connection.ops.quote_name("last_value")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, {last_value}) VALUES (%s, %s) "  # noqa: S608 (a model's table and columns)
            f"ON CONFLICT ({key}) DO UPDATE SET {last_value} = {table}.{last_value} + EXCLUDED.{last_value} "
            f"RETURNING {last_value}",
            [series, count],
        )
        return int(cursor.fetchone()[0])


def next_formatted_number(series: str) -> str:
    """The next number of `series` as shown to users: "<series>-<6 digits>" (REQ-2026-000045)."""
    return f"{series}-{next_number(series):06d}"
