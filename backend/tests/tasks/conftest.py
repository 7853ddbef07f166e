"""Fixtures for task and export tests: tasks run eagerly in-process, on an isolated layer."""

import datetime
import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from apps.crates.models import Crate
from apps.requests.models import Request
from tests.realtime.conftest import _keep_test_connection, isolated_channel_layer  # noqa: F401 - fixtures
from tests.requests.conftest import place_hold
from tests.tasks.worker import through_broker, to_the_worker, worker  # noqa: F401 - fixtures

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def eager_tasks(settings: Any, tmp_path: Any) -> Iterator[None]:
    """Exports write under a throwaway MEDIA_ROOT (tasks run eagerly: tests/conftest.py)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield


def make_crate(
    world: Any, *, unit: Any = None, status: str = Crate.Status.STORED, legal_hold: bool = False, **fields: Any
) -> Crate:
    unit = unit or world.goa
    department = world.qa if unit == world.goa else world.kur_qa
    crate = Crate.objects.create(
        number=f"CR-T-{next(_numbers):06d}", unit=unit, department=department, status=status,
        created_by=world.user("docmanager"), **fields,
    )  # fmt: skip
    if legal_hold:
        place_hold(world, crate)
    return crate


def make_withdrawal(
    world: Any,
    *,
    expected_return_date: datetime.date,
    unit: Any = None,
    status: str = Request.Status.ISSUED,
    purpose: str = "Batch review",
    **fields: Any,
) -> Request:
    unit = unit or world.goa
    requester = world.user("docmanager" if unit == world.goa else "docmanager2")
    return Request.objects.create(
        number=f"REQ-T-{next(_numbers):06d}", request_type=Request.Type.WITHDRAWAL, status=status,
        unit=unit, requester=requester, purpose=purpose, expected_return_date=expected_return_date, **fields,
    )  # fmt: skip
