"""Master-data lists run a fixed number of queries whatever the page size (docs/api.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit import services as audit
from apps.auth.models import Department
from apps.storage.models import StorageLocation
from tests.conftest import World

LISTS = ["/api/units/", "/api/departments/", "/api/document-types/", "/api/users/", "/api/locations/", "/api/audit/"]


def more_rows(world: World) -> None:
    for i in range(60):
        Department.objects.create(unit=world.goa, code=f"D{i}", name=f"Department {i}")
        StorageLocation.objects.create(
            unit=world.goa, kind="bin", code=f"B{i}", name=f"Bin {i}", capacity=1, path=f"Bin {i}"
        )
        audit.record(action="probe", entity_type="test", entity_id=i, unit_id=world.goa.pk)


def queries(world: World, url: str, page_size: int) -> int:
    client = world.client("sysadmin")
    client.get("/api/units/")  # warm the permission cache paths identically for both sizes
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{url}?page_size={page_size}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, response.json()["count"])
    return len(captured)


@pytest.mark.parametrize("url", LISTS)
def test_list_query_count_does_not_grow_with_page_size(world: World, url: str) -> None:
    more_rows(world)
    assert queries(world, url, 1) == queries(world, url, 50)


# count + page; the audit list adds the two permission lookups (user and group permissions)
# of its READ_AUDIT check; users add one prefetch of their groups and the same two lookups,
# for the MANAGE_USERS check behind each row's `allowed_actions` (once per list, not per row).
EXPECTED_QUERIES = {
    "/api/units/": 2,
    "/api/departments/": 2,
    "/api/document-types/": 2,
    "/api/users/": 5,
    "/api/locations/": 2,
    "/api/audit/": 4,
}


@pytest.mark.parametrize("url", LISTS)
def test_list_query_budget(world: World, url: str) -> None:
    more_rows(world)
    assert queries(world, url, 50) == EXPECTED_QUERIES[url]
