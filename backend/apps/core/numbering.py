"""Gap-tolerant, never-reused document numbers, safe under concurrent creation."""

from django.db import transaction

from apps.core.models import NumberSequence


def next_number(series: str) -> int:
    """Reserve the next value of `series` inside the caller's transaction."""
    return reserve_numbers(series, 1)


def reserve_numbers(series: str, count: int) -> int:
    """Reserve `count` consecutive values of `series`; returns the last (the first is
    last - count + 1). One locked row update, however many: an import of thousands of crates
    numbers them at once.

    The sequence row is created with INSERT .. ON CONFLICT DO NOTHING so two first callers
    don't collide, then locked with SELECT .. FOR UPDATE so concurrent callers queue.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside a transaction")
    NumberSequence.objects.bulk_create([NumberSequence(key=series)], ignore_conflicts=True)
    sequence = NumberSequence.objects.select_for_update().get(key=series)
    sequence.last_value += count
    sequence.save(update_fields=["last_value"])
    return sequence.last_value


def next_formatted_number(series: str) -> str:
    """The next number of `series` as shown to users: "<series>-<6 digits>" (REQ-2026-000045)."""
    return f"{series}-{next_number(series):06d}"
