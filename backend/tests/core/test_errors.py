"""Bad input gets a clear 400 with field errors, never a 500."""

import pytest

from apps.auth.models import Department
from tests.conftest import World


def test_garbage_json_is_400(world: World) -> None:
    response = world.client("unitadmin").post("/api/departments/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"unit": "abc", "code": "RA", "name": "Reg"}, "unit"),
        ({"unit": 999999, "code": "RA", "name": "Reg"}, "unit"),
        ({"unit": [1], "code": "RA", "name": "Reg"}, "unit"),
        ({"code": "RA", "name": "Reg"}, "unit"),
        ({"unit": None, "code": "", "name": "Reg"}, "code"),
    ],
)
def test_wrong_types_and_unknown_ids_are_field_errors(world: World, body: dict, field: str) -> None:
    before = Department.objects.count()
    response = world.client("sysadmin").post("/api/departments/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Department.objects.count() == before


def test_capacity_must_be_a_non_negative_number(world: World) -> None:
    response = world.client("unitadmin").post(
        "/api/locations/",
        {"unit": world.goa.pk, "kind": "shelf", "code": "N1", "name": "N", "capacity": -3},
        format="json",
    )
    assert response.status_code == 400 and "capacity" in response.json()
    response = world.client("unitadmin").post(
        "/api/locations/",
        {"unit": world.goa.pk, "kind": "cupboard", "code": "N1", "name": "N", "capacity": 3},
        format="json",
    )
    assert response.status_code == 400 and "kind" in response.json()


def test_page_size_is_capped_at_100(world: World) -> None:
    response = world.client("sysadmin").get("/api/audit/?page_size=1000")
    assert response.status_code == 200


def test_unknown_object_is_404_with_code(world: World) -> None:
    response = world.client("viewer").get("/api/departments/987654/")
    assert response.status_code == 404
    assert (
        response.json() == {"detail": "No Department matches the given query.", "code": "not_found"}
        or response.json()["code"] == "not_found"
    )


def test_schema_and_docs_are_served_offline(world: World) -> None:
    client = world.client(None)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ["/api/auth/login/", "/api/units/", "/api/locations/", "/api/audit/verify/", "/api/health/"]:
        assert path in text
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    # The UI's assets come from the sidecar package, not a CDN.
    assert b"cdn.jsdelivr" not in docs.content


def test_database_unavailable_is_503_with_retry_after(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    from apps.core.pagination import PageNumberPagination

    def pool_exhausted(*args: object, **kwargs: object) -> None:
        raise OperationalError("couldn't get a connection after 10.00 sec")

    # The page's first query finds no connection in the pool.
    monkeypatch.setattr(PageNumberPagination, "paginate_queryset", pool_exhausted)
    response = world.client("viewer").get("/api/locations/")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert response["Retry-After"] == "5"
