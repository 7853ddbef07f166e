"""List filters naming an object by id (apps/core/filters.py IdFilter): another unit's object
and a missing one both match nothing, telling neither apart; an id that is not a positive
integer of the id's range is 400 with the field named; no filter reads the object it names."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import World
from tests.requests.conftest import make_crate


@pytest.mark.parametrize(
    "url",
    [
        "/api/crates/?location={id}",
        "/api/crates/?department={id}",
        "/api/documents/?department={id}",
        "/api/requests/?target_unit={id}",
        "/api/locations/?parent={id}",
    ],
)
def test_another_units_object_and_a_missing_one_answer_alike(world: World, url: str) -> None:
    make_crate(world)
    client = world.client("docmanager")  # GOA
    other_unit_id = {
        "location": world.kur_shelf.pk,
        "department": world.kur_qa.pk,
        "target_unit": world.kur.pk,
        "parent": world.kur_shelf.pk,
    }[url.split("?")[1].split("=")[0]]
    other = client.get(url.format(id=other_unit_id))
    missing = client.get(url.format(id=987_654))
    assert (other.status_code, missing.status_code) == (200, 200)
    assert other.json()["count"] == missing.json()["count"]


@pytest.mark.parametrize("value", ["abc", "0", "-3", "1.5", str(2**31), "99999999999999999999"])
def test_an_id_out_of_range_is_bad_input(world: World, value: str) -> None:
    response = world.client("docmanager").get(f"/api/crates/?unit={value}")
    assert response.status_code == 400
    assert "unit" in str(response.json())


def test_a_filter_by_id_reads_no_object(world: World) -> None:
    make_crate(world)
    client = world.client("docmanager")
    client.get("/api/requests/")  # the identity and the user's first read, outside the count
    with CaptureQueriesContext(connection) as plain:
        client.get("/api/requests/?status=draft")
    with CaptureQueriesContext(connection) as filtered:
        client.get(f"/api/requests/?status=submitted&unit={world.goa.pk}&requester={world.user('docmanager').pk}")
    assert len(filtered) == len(plain)
