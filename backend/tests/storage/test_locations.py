"""Storage locations: hierarchy, computed path, capacity and availability."""

from apps.audit.models import AuditEvent
from apps.storage.models import StorageLocation
from tests.conftest import World


def test_location_read_has_occupied_free_and_path(world: World) -> None:
    StorageLocation.objects.filter(pk=world.shelf.pk).update(occupied=3)
    body = world.client("viewer").get(f"/api/locations/{world.shelf.pk}/").json()
    assert body["path"] == "Archive Room 1 / Shelf 1"
    assert (body["capacity"], body["occupied"], body["free"]) == (10, 3, 7)


def test_created_location_path_follows_its_parents(world: World) -> None:
    client = world.client("unitadmin")
    rack = client.post(
        "/api/locations/",
        {"unit": world.goa.pk, "parent": world.room.pk, "kind": "rack", "code": "GOA-RB", "name": "Rack B"},
        format="json",
    ).json()
    shelf = client.post(
        "/api/locations/",
        {
            "unit": world.goa.pk,
            "parent": rack["id"],
            "kind": "shelf",
            "code": "GOA-RB-S1",
            "name": "Shelf 1",
            "capacity": 8,
        },
        format="json",
    )
    assert shelf.status_code == 201
    assert shelf.json()["path"] == "Archive Room 1 / Rack B / Shelf 1"
    response = client.patch(f"/api/locations/{world.room.pk}/", {"name": "Vault"}, format="json")
    assert response.status_code == 200
    assert StorageLocation.objects.get(pk=shelf.json()["id"]).path == "Vault / Rack B / Shelf 1"
    event = AuditEvent.objects.get(action="location.updated", entity_id=str(world.room.pk))
    assert event.changes == {"name": ["Archive Room 1", "Vault"]}


def test_available_filter_lists_active_locations_with_free_places(world: World) -> None:
    StorageLocation.objects.filter(pk=world.shelf2.pk).update(occupied=5)
    codes = {row["code"] for row in world.client("viewer").get("/api/locations/?available=true").json()["results"]}
    assert codes == {"GOA-S1"}


def test_parent_and_children_filters(world: World) -> None:
    rows = world.client("viewer").get(f"/api/locations/?parent={world.room.pk}").json()["results"]
    assert {row["code"] for row in rows} == {"GOA-S1", "GOA-S2"}


def test_capacity_cannot_drop_below_occupancy(world: World) -> None:
    StorageLocation.objects.filter(pk=world.shelf.pk).update(occupied=4)
    before = AuditEvent.objects.count()
    response = world.client("unitadmin").patch(f"/api/locations/{world.shelf.pk}/", {"capacity": 3}, format="json")
    assert response.status_code == 400
    assert "capacity" in response.json()
    assert StorageLocation.objects.get(pk=world.shelf.pk).capacity == 10
    assert AuditEvent.objects.count() == before


def test_parent_of_another_unit_or_itself_is_refused(world: World) -> None:
    client = world.client("sysadmin")
    response = client.patch(f"/api/locations/{world.shelf.pk}/", {"parent": world.kur_shelf.pk}, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    response = client.patch(f"/api/locations/{world.room.pk}/", {"parent": world.shelf.pk}, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    assert StorageLocation.objects.get(pk=world.room.pk).parent_id is None


def test_duplicate_code_in_a_unit_is_a_field_error(world: World) -> None:
    response = world.client("unitadmin").post(
        "/api/locations/",
        {"unit": world.goa.pk, "kind": "shelf", "code": "GOA-S1", "name": "Again", "capacity": 1},
        format="json",
    )
    assert response.status_code == 400
    assert "code" in response.json()


def test_unit_admin_cannot_create_locations_in_another_unit(world: World) -> None:
    before = StorageLocation.objects.count()
    response = world.client("unitadmin").post(
        "/api/locations/",
        {"unit": world.kur.pk, "kind": "shelf", "code": "X1", "name": "X", "capacity": 1},
        format="json",
    )
    assert response.status_code == 400
    assert StorageLocation.objects.count() == before
