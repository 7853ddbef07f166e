"""Count and import fixtures: stored crates placed through the services (tests/crates), and
legacy files to upload."""

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.inventory import imports
from tests.conftest import World
from tests.crates.conftest import CrateMaker


@pytest.fixture
def make(world: World) -> CrateMaker:
    return CrateMaker(world)


def open_count(world: World, location: Any = None, username: str = "storehead") -> dict[str, Any]:
    response = world.client(username).post(
        "/api/counts/", {"location": (location or world.room).pk, "comment": "quarterly"}, format="json"
    )
    assert response.status_code == 201, response.content
    return dict(response.data)


def scan(world: World, count_id: int, location: Any, code: str, username: str = "storehead") -> Any:
    return world.client(username).post(
        f"/api/counts/{count_id}/scans/", {"location": location.pk, "code": code}, format="json"
    )


HEADER = list(imports.COLUMNS)


def legacy_csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def legacy_rows() -> list[list[str]]:
    """Two crates of the world's unit: OLD-1 (two documents) on Shelf 1, OLD-2 on Shelf 2 by its barcode."""
    return [
        ["OLD-1", "QA", "GOA-S1", "BMRs 2019", "BMR-1", "Batch 1", "BMR", "2019-01-02"],
        ["OLD-1", "QA", "GOA-S1", "", "BMR-2", "Batch 2", "BMR", "2019-02-03"],
        ["OLD-2", "QA", "LOC-GOA-GOA-S2", "Logs", "LOG-1", "Log 1", "LOG", "2020-05-06"],
    ]


def upload(world: World, content: bytes, name: str = "legacy.csv", username: str = "docmanager") -> Any:
    return world.client(username).post("/api/imports/", {"file": SimpleUploadedFile(name, content)}, format="multipart")
