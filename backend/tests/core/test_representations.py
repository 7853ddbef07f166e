"""Dates and times of the plain-dict reads are written as DRF's DateTimeField writes them."""

import datetime
import zoneinfo

import pytest
from django.test import override_settings
from rest_framework.fields import DateTimeField

from apps.core.representations import iso_datetime

VALUES = [
    datetime.datetime(2026, 12, 4, 22, 0, 1, 123456, tzinfo=datetime.UTC),  # as psycopg reads them
    datetime.datetime(2026, 12, 4, 22, 0, 0, tzinfo=datetime.UTC),  # no fraction
    datetime.datetime(2026, 12, 4, 22, 0, 0, 5, tzinfo=zoneinfo.ZoneInfo("UTC")),
    datetime.datetime(2026, 12, 5, 3, 30, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata")),
    datetime.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=datetime.timezone(datetime.timedelta(hours=-3.5))),
]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/St_Johns"])
def test_iso_datetime_is_drfs_text_in_the_configured_time_zone(zone: str) -> None:
    with override_settings(TIME_ZONE=zone):
        for value in VALUES:
            assert iso_datetime(value) == DateTimeField().to_representation(value), (zone, value)
    assert iso_datetime(None) is None
