"""The orjson renderer writes what DRF's JSONRenderer wrote, and lists count no further than
PAGINATION_COUNT_CAP rows, saying when the count is a lower bound."""

import datetime
import decimal
import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from apps.auth.models import Department
from apps.core.renderers import ORJSONRenderer
from tests.conftest import World
from tests.requests.conftest import make_crate


def test_orjson_renderer_writes_the_same_bytes_as_drf() -> None:
    data: dict[str, Any] = {
        "id": 7,
        "name": "Crate «α» \u2028 line",
        "when": datetime.datetime(2026, 1, 31, 9, 0, 0, 123456, tzinfo=datetime.UTC),
        "day": datetime.date(2026, 1, 31),
        "amount": decimal.Decimal("1.50"),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "nested": [{"a": None, "b": True, "c": 1.5}],
    }
    assert ORJSONRenderer().render(data) == JSONRenderer().render(data)
    assert ORJSONRenderer().render(None) == b""


def test_api_answers_are_rendered_by_orjson(world: World) -> None:
    response = world.client("viewer").get("/api/auth/me/")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, ORJSONRenderer)
    assert json.loads(response.content)["username"] == "viewer"


@pytest.fixture
def departments(world: World) -> None:
    Department.objects.bulk_create(
        Department(unit=world.goa, code=f"D{i:02d}", name=f"Department {i:02d}") for i in range(30)
    )


def test_a_list_within_the_cap_has_an_exact_count(world: World, departments: None, settings: Any) -> None:
    settings.PAGINATION_COUNT_CAP = 100
    body = world.client("sysadmin").get("/api/departments/?page_size=10&page=2").json()
    assert (body["count"], body["count_exact"], len(body["results"])) == (32, True, 10)
    assert "page=3" in body["next"]
    assert "page=" not in body["previous"]


def test_a_list_past_the_cap_counts_only_up_to_it(world: World, departments: None, settings: Any) -> None:
    settings.PAGINATION_COUNT_CAP = 20
    client = world.client("sysadmin")

    with CaptureQueriesContext(connection) as captured:
        first = client.get("/api/departments/?page_size=10").json()
    # Read before the next request: each request clears the connection's query log.
    count_sql = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]
    deep = client.get("/api/departments/?page_size=10&page=3").json()
    last = client.get("/api/departments/?page_size=10&page=4").json()

    assert (first["count"], first["count_exact"], first["previous"]) == (20, False, None)
    assert "page=2" in first["next"]
    assert len(count_sql) == 1 and "LIMIT 21" in count_sql[0]
    assert (deep["count"], deep["count_exact"], len(deep["results"])) == (30, False, 10)
    assert deep["next"] is not None
    assert (last["count"], last["count_exact"], len(last["results"]), last["next"]) == (32, True, 2, None)
    assert client.get("/api/departments/?page_size=10&page=5").status_code == 404
    assert client.get("/api/departments/?page_size=10&page=last").status_code == 404
    assert client.get("/api/departments/?page_size=10&page=0").status_code == 404


def test_the_last_page_is_found_when_the_count_is_exact(world: World, departments: None) -> None:
    body = world.client("sysadmin").get("/api/departments/?page_size=10&page=last").json()
    assert (body["count"], body["count_exact"], len(body["results"]), body["next"]) == (32, True, 2, None)


def test_a_list_read_by_its_keys_pages_and_counts_as_the_others(world: World, settings: Any) -> None:
    """The crates list reads its page's keys with the capped count in one query, then the rows
    of those keys (apps/core/pagination.py `page_rows_for_keys`): the same pages, order and
    counts as a list read in one query, and still two queries."""
    if connection.vendor != "postgresql":
        pytest.skip("the keyed page read is PostgreSQL's (it passes the keys as one array)")
    settings.PAGINATION_COUNT_CAP = 20
    made = [make_crate(world, documents=0) for _ in range(32)]
    newest_first = [crate.number for crate in sorted(made, key=lambda crate: crate.number, reverse=True)]
    client = world.client("docmanager")

    first = client.get("/api/crates/?page_size=10&ordering=-number").json()
    with CaptureQueriesContext(connection) as captured:
        deep = client.get("/api/crates/?page_size=10&ordering=-number&page=3").json()
    queries = len(captured)
    last = client.get("/api/crates/?page_size=10&ordering=-number&page=4").json()

    assert (first["count"], first["count_exact"]) == (20, False)
    assert (deep["count"], deep["count_exact"], deep["next"] is not None) == (30, False, True)
    assert (last["count"], last["count_exact"], last["next"]) == (32, True, None)
    pages = [[row["number"] for row in body["results"]] for body in (first, deep, last)]
    assert pages == [newest_first[:10], newest_first[20:30], newest_first[30:]]
    assert client.get("/api/crates/?page_size=10&page=5").status_code == 404
    empty = client.get("/api/crates/?search=no-such-crate").json()
    assert (empty["count"], empty["count_exact"], empty["results"]) == (0, True, [])
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/crates/?page_size=1&ordering=-number&page=7")
    assert len(captured) == queries == 2  # the keys with the count, the rows
