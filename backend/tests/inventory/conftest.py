"""Count and import fixtures: stored crates placed through the services (tests/crates)."""

from typing import Any

import pytest

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
