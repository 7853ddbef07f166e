"""Retention fixtures: crates through the crate services (tests/crates), event-triggered types."""

import datetime

import pytest

from apps.crates.models import DocumentType
from tests.conftest import DEMO_PASSWORD
from tests.crates.conftest import CrateMaker, make  # noqa: F401  (the `make` fixture)

PASSWORD = DEMO_PASSWORD
TODAY = datetime.date.today()


def days(count: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=count)


@pytest.fixture
def expiry_type() -> DocumentType:
    """Batch records kept 1 year after the batch's expiry (21 CFR 211.180(a))."""
    return DocumentType.objects.create(
        code="BATCH",
        name="Batch record",
        retention_years=1,
        retention_trigger=DocumentType.RetentionTrigger.EVENT,
        event_name="batch expiry",
    )


__all__ = ["CrateMaker", "PASSWORD", "days"]
