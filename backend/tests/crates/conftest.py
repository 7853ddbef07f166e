"""Crate fixtures: crates and documents made through the services, stored crates placed
the way the request workflow places them (crate_set_status + occupancy_take)."""

import datetime
from typing import Any

import pytest
from django.db import transaction

from apps.crates import services
from apps.crates.models import Crate, Document
from apps.storage import services as storage
from apps.storage.models import StorageLocation
from tests.conftest import World


class CrateMaker:
    def __init__(self, world: World) -> None:
        self.world = world

    def crate(self, *, username: str = "docmanager", description: str = "BMRs 2024", department: Any = None) -> Crate:
        user = self.world.user(username)
        if department is None:
            department = self.world.kur_qa if user.unit == self.world.kur else self.world.qa
        return services.crate_create(actor=user, unit=user.unit, department=department, description=description)

    def document(
        self,
        crate: Crate,
        *,
        number: str = "BMR-001",
        record_date: datetime.date = datetime.date(2024, 5, 1),
        document_type: Any = None,
        username: str = "docmanager",
    ) -> Document:
        return services.document_create(
            actor=self.world.user(username),
            crate=crate,
            number=number,
            title=f"Record {number}",
            document_type=document_type or self.world.bmr,
            record_date=record_date,
        )

    def stored(self, *, location: StorageLocation | None = None, username: str = "docmanager", **kwargs: Any) -> Crate:
        """A stored crate with one document, placed at `location` (default: GOA Shelf 1)."""
        crate = self.crate(username=username)
        self.document(crate, **kwargs)
        location = location or self.world.shelf
        with transaction.atomic():
            crate = services.lock_crates([crate.pk])[crate.pk]
            storage.occupancy_take([location.pk], unit_id=crate.unit_id)
            services.crate_set_status(
                crate=crate, action="store", location=location, actor=self.world.user("storehead")
            )
        crate.refresh_from_db()
        return crate


@pytest.fixture
def make(world: World) -> CrateMaker:
    return CrateMaker(world)
