"""The locations list and a location are built as plain dicts (apps/storage/representations.py):
exactly what StorageLocationSerializer answers, for rooms, shelves, full, inactive and other
units' locations, with and without `?available=`."""

import json
from typing import Any

from apps.core.renderers import ORJSONRenderer
from apps.storage.models import StorageLocation
from apps.storage.selectors import locations_for
from apps.storage.serializers import StorageLocationSerializer
from tests.conftest import World


def _json(data: Any) -> Any:
    return json.loads(ORJSONRenderer().render(data))


def test_location_reads_are_what_the_serializer_answers(world: World) -> None:
    StorageLocation.objects.filter(pk=world.shelf2.pk).update(occupied=5)  # full
    StorageLocation.objects.create(
        unit=world.goa, parent=world.room, kind="bin", code="GOA-B1", name="Bin 1", capacity=2, is_active=False
    )
    for username in ("docmanager", "storehead", "docmanager2", "sysadmin"):
        user = world.user(username)
        client = world.client(username)
        for query in ("", "?available=true", "?available=false"):
            listed = client.get(f"/api/locations/{query}")
            assert listed.status_code == 200
            rows = listed.json()["results"]
            ids = [row["id"] for row in rows]
            expected = StorageLocationSerializer(
                sorted(locations_for(user).filter(pk__in=ids), key=lambda r: ids.index(r.pk)), many=True
            )
            assert rows == _json(expected.data), (username, query)
        for location in locations_for(user):
            detail = client.get(f"/api/locations/{location.pk}/")
            assert detail.json() == _json(StorageLocationSerializer(location).data), (username, location.code)
    goa = world.client("docmanager").get("/api/locations/").json()["results"]
    assert {row["code"] for row in goa} == {"GOA-AR1", "GOA-S1", "GOA-S2", "GOA-B1"}
    assert [
        row["code"] for row in world.client("docmanager").get("/api/locations/?available=true").json()["results"]
    ] == ["GOA-S1"]
