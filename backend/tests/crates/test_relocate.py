from collections.abc import Callable

import pytest

from apps.audit.models import AuditEvent
from apps.crates.models import Crate
from apps.storage.models import StorageLocation
from tests.conftest import World
from tests.crates.conftest import CrateMaker


def _occupancy() -> dict[str, int]:
    return dict(StorageLocation.objects.values_list("code", "occupied"))


def test_store_head_relocates_a_stored_crate_within_the_unit(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    crate = make.stored()
    before = audit_count()
    response = world.client("storehead").post(f"/api/crates/{crate.pk}/relocate/", {"location": world.shelf2.pk})
    assert response.status_code == 200, response.content
    assert (response.json()["location"], response.json()["location_path"]) == (
        world.shelf2.pk,
        "Archive Room 1 / Shelf 2",
    )
    assert _occupancy() == {"GOA-AR1": 0, "GOA-S1": 0, "GOA-S2": 1, "KUR-S1": 0}
    crate.refresh_from_db()
    assert (crate.status, crate.location_id) == ("stored", world.shelf2.pk)
    assert audit_count() == before + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.changes) == ("crate.relocated", {"location": [world.shelf.pk, world.shelf2.pk]})


def test_relocation_to_a_full_location_changes_nothing(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    crate = make.stored()
    StorageLocation.objects.filter(pk=world.shelf2.pk).update(capacity=1, occupied=1)
    before, occupancy = audit_count(), _occupancy()
    response = world.client("storehead").post(f"/api/crates/{crate.pk}/relocate/", {"location": world.shelf2.pk})
    assert response.status_code == 409
    assert response.json()["code"] == "capacity_exceeded"
    assert Crate.objects.get(pk=crate.pk).location_id == world.shelf.pk
    assert _occupancy() == occupancy
    assert audit_count() == before


def test_relocation_to_another_units_location_or_the_same_place_is_400(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    crate = make.stored()
    before, occupancy = audit_count(), _occupancy()
    client = world.client("storehead")
    response = client.post(f"/api/crates/{crate.pk}/relocate/", {"location": world.kur_shelf.pk})
    assert response.status_code == 400
    assert response.json() == {"location": ["The location belongs to another unit."]}
    response = client.post(f"/api/crates/{crate.pk}/relocate/", {"location": world.shelf.pk})
    assert response.status_code == 400
    assert response.json() == {"location": ["The crate is already at this location."]}
    response = client.post(f"/api/crates/{crate.pk}/relocate/", {"location": world.room.pk})
    assert response.status_code == 400
    assert response.json() == {"location": ["Archive Room 1 is not an active place for crates."]}
    assert Crate.objects.get(pk=crate.pk).location_id == world.shelf.pk
    assert _occupancy() == occupancy
    assert audit_count() == before


def test_only_stored_crates_can_be_relocated(world: World, make: CrateMaker, audit_count: Callable[[], int]) -> None:
    crate = make.crate()
    make.document(crate)
    before, occupancy = audit_count(), _occupancy()
    response = world.client("storehead").post(f"/api/crates/{crate.pk}/relocate/", {"location": world.shelf2.pk})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert Crate.objects.get(pk=crate.pk).location_id is None
    assert _occupancy() == occupancy
    assert audit_count() == before


@pytest.mark.parametrize(
    ("username", "expected"), [("docmanager", 403), ("approver", 403), ("viewer", 403), ("storehead2", 404)]
)
def test_relocation_by_other_roles_or_units_is_refused(
    world: World, make: CrateMaker, username: str, expected: int
) -> None:
    crate = make.stored()
    response = world.client(username).post(f"/api/crates/{crate.pk}/relocate/", {"location": world.shelf2.pk})
    assert response.status_code == expected
    assert Crate.objects.get(pk=crate.pk).location_id == world.shelf.pk
    assert _occupancy()["GOA-S1"] == 1
