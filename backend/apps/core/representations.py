"""Dates and times as DRF writes them, for the reads built as plain dicts
(apps/crates/representations.py, apps/requests/representations.py)."""

import datetime

from django.utils import timezone


def iso_datetime(value: datetime.datetime | None) -> str | None:
    """DRF's DateTimeField: in the current time zone, ISO 8601, "+00:00" written "Z". No request
    activates a time zone of its own (settings.TIME_ZONE for everybody, docs/decisions.md), so
    the current one is the default one, which is not looked up again for every value (a list
    writes hundreds of them; the lookup through the request-local state was a tenth of the
    requests list's CPU)."""
    if value is None:
        return None
    zone = timezone.get_default_timezone()
    if value.tzinfo is datetime.UTC and getattr(zone, "key", None) == "UTC":
        # A value psycopg read (in UTC) written in UTC: the conversion would change nothing and
        # was a third of this function's time.
        text = value.isoformat()
    else:
        text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None
