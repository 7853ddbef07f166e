"""Helpers for the request workflow tests: crates made directly in the database (the crates
API is exercised by its own tests), then every workflow step through the HTTP API."""

import datetime
import itertools
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from apps.crates.models import Crate, Document
from apps.requests.models import Request
from apps.retention.models import LegalHold
from apps.storage import services as storage
from apps.storage.models import StorageLocation
from tests.conftest import DEMO_PASSWORD, World

PASSWORD = DEMO_PASSWORD
_numbers = itertools.count(1)


def make_crate(
    world: World,
    *,
    unit: Any = None,
    status: str = Crate.Status.DRAFT,
    location: StorageLocation | None = None,
    documents: int = 1,
    retention_until: datetime.date | None = None,
    legal_hold: bool = False,
) -> Crate:
    unit = unit or world.goa
    department = world.qa if unit == world.goa else world.kur_qa
    today = datetime.date.today()
    record_date = today - datetime.timedelta(days=365 * 10) if retention_until and retention_until <= today else today
    with transaction.atomic():
        crate = Crate.objects.create(
            number=f"CRT-{unit.code}-{today.year}-{next(_numbers):06d}",
            unit=unit,
            department=department,
            status=status,
            created_by=world.user("docmanager"),
        )
        for index in range(documents):
            Document.objects.create(
                crate=crate,
                number=f"BMR-{crate.pk}-{index + 1}",
                title=f"Batch record {index + 1}",
                document_type=world.log,
                record_date=record_date,
                created_by=world.user("docmanager"),
                retention_until=retention_until or record_date + datetime.timedelta(days=366),
            )
        crate.retention_until = retention_until or record_date + datetime.timedelta(days=366)
        if status == Crate.Status.STORED:
            location = location or world.shelf
            storage.occupancy_take([location.pk], unit_id=unit.pk)
            crate.location = location
        crate.save()
        if legal_hold:
            place_hold(world, crate)
    return crate


def place_hold(world: World, crate: Crate, reason: str = "litigation") -> LegalHold:
    """A one-crate legal hold made directly in the database (the holds API has its own tests)."""
    hold = LegalHold.objects.create(
        number=f"HOLD-{datetime.date.today().year}-{next(_numbers):04d}",
        title=f"Legal hold on {crate.number}",
        reason=reason,
        unit=crate.unit,
        placed_by=world.user("approver"),
        placed_at=timezone.now(),
    )
    hold.crates.add(crate)
    return hold


def stored_crate(world: World, **kwargs: Any) -> Crate:
    return make_crate(world, status=Crate.Status.STORED, **kwargs)


def occupied(location: StorageLocation) -> int:
    return StorageLocation.objects.get(pk=location.pk).occupied


def request_status(pk: int) -> str:
    return Request.objects.get(pk=pk).status


def create_request(world: World, body: dict[str, Any], username: str = "docmanager") -> dict[str, Any]:
    response = world.client(username).post("/api/requests/", body, format="json")
    assert response.status_code == 201, response.content
    return response.data  # type: ignore[no-any-return]


def approved_request(
    world: World, body: dict[str, Any], requester: str = "docmanager", approver: str = "approver"
) -> dict[str, Any]:
    """Create, submit and approve a request through the API."""
    created = create_request(world, body, requester)
    response = world.client(requester).post(f"/api/requests/{created['id']}/submit/")
    assert response.status_code == 200, response.content
    response = world.client(approver).post(
        f"/api/requests/{created['id']}/approve/", {"password": PASSWORD, "comment": "ok"}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.data  # type: ignore[no-any-return]


def in_future(days: int = 14) -> str:
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def past() -> datetime.date:
    return datetime.date.today() - datetime.timedelta(days=1)


def destruction_body(world: World, **overrides: Any) -> dict[str, Any]:
    """What executing a destruction takes: the executor's and a witness's e-signatures, the
    method and the vendor (docs/workflows.md: certificate of destruction)."""
    return {
        "password": PASSWORD,
        "method": "shredding",
        "vendor": "SecureShred Goa",
        "witness": world.user("approver").pk,
        "witness_password": PASSWORD,
        **overrides,
    }
