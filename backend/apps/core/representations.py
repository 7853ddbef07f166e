"""Dates and times as DRF writes them, for the reads built as plain dicts
(apps/crates/representations.py, apps/requests/representations.py)."""

import datetime

from django.utils import timezone


def iso_datetime(value: datetime.datetime | None) -> str | None:
    """DRF's DateTimeField: in the current time zone, ISO 8601, "+00:00" written "Z"."""
    if value is None:
        return None
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None
