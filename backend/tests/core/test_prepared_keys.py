"""A list's keys query compiled once per shape (apps/core/prepared_keys.py): a shape compiled for
one reader gives every other reader their own rows (their unit, their drafts, their filter
values), the answers are the ones the list gave before, and a request that is not of a shape
it prepares is read as before. On PostgreSQL only (the embedded SQLite reads every list as before)."""

from typing import Any

import pytest
from django.test import override_settings

from apps.auth import roles
from apps.core import prepared_keys
from apps.crates.models import Crate
from apps.notifications.models import Notification
from tests.conftest import World, is_postgres, make_user, record_calls
from tests.requests.conftest import create_request, make_crate, stored_crate

pytestmark = pytest.mark.skipif(not is_postgres(), reason="prepared statements are PostgreSQL's")


def _get(world: World, username: str, url: str) -> Any:
    response = world.client(username).get(url)
    assert response.status_code == 200, response.content
    return response.data


def _as_before(world: World, username: str, url: str) -> Any:
    with override_settings(DB_PREPARED_STATEMENTS=False):  # the list's queryset, built and compiled
        return _get(world, username, url)


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The shapes compiled from now on (the process's remembered shapes are forgotten)."""
    monkeypatch.setattr(prepared_keys, "_shapes", prepared_keys._Shapes())
    return record_calls(monkeypatch, prepared_keys, "_compile")


def test_one_shape_serves_each_unit_its_own_crates(world: World, compiled: list[Any]) -> None:
    goa = [stored_crate(world).pk for _ in range(3)]
    kur = [stored_crate(world, unit=world.kur, location=world.kur_shelf).pk for _ in range(2)]
    url = "/api/crates/?status=stored&page_size=2"
    goa_page, kur_page = _get(world, "docmanager", url), _get(world, "docmanager2", url)
    assert len(compiled) == 1  # the KUR reader ran the SQL compiled for the GOA reader
    assert {row["id"] for row in goa_page["results"]} <= set(goa) and goa_page["count"] == 3
    assert {row["id"] for row in kur_page["results"]} == set(kur) and kur_page["count"] == 2
    assert goa_page == _as_before(world, "docmanager", url)
    assert kur_page == _as_before(world, "docmanager2", url)
    second = _get(world, "docmanager", url + "&page=2")  # LIMIT and OFFSET are parameters too
    assert second == _as_before(world, "docmanager", url + "&page=2")
    assert {row["id"] for row in goa_page["results"] + second["results"]} == set(goa)
    assert len(compiled) == 1


def test_a_system_administrator_is_a_shape_of_its_own(world: World, compiled: list[Any]) -> None:
    mine, theirs = stored_crate(world).pk, stored_crate(world, unit=world.kur, location=world.kur_shelf).pk
    url = "/api/crates/?status=stored"
    assert {row["id"] for row in _get(world, "docmanager", url)["results"]} == {mine}
    assert {row["id"] for row in _get(world, "sysadmin", url)["results"]} == {mine, theirs}
    assert len(compiled) == 2


def test_a_filters_integer_is_a_parameter(world: World, compiled: list[Any]) -> None:
    on_shelf = stored_crate(world, location=world.shelf).pk
    on_shelf2 = stored_crate(world, location=world.shelf2).pk
    first = _get(world, "docmanager", f"/api/crates/?location={world.shelf.pk}")
    second = _get(world, "docmanager", f"/api/crates/?location={world.shelf2.pk}")
    assert [row["id"] for row in first["results"]] == [on_shelf]
    assert [row["id"] for row in second["results"]] == [on_shelf2]
    assert len(compiled) == 1
    # Another unit's location: nothing, as before (the unit scope still applies).
    assert _get(world, "docmanager2", f"/api/crates/?location={world.shelf.pk}")["results"] == []
    assert len(compiled) == 1


def test_a_choice_or_an_ordering_is_a_shape(world: World, compiled: list[Any]) -> None:
    draft, stored = make_crate(world).pk, stored_crate(world).pk
    assert [row["id"] for row in _get(world, "docmanager", "/api/crates/?status=draft")["results"]] == [draft]
    assert [row["id"] for row in _get(world, "docmanager", "/api/crates/?status=stored")["results"]] == [stored]
    by_number = _get(world, "docmanager", "/api/crates/?ordering=-number")
    assert by_number == _as_before(world, "docmanager", "/api/crates/?ordering=-number")
    assert [row["id"] for row in by_number["results"]] == [
        crate.pk for crate in Crate.objects.filter(unit=world.goa).order_by("-number")
    ]
    assert len(compiled) == 3


def test_a_readers_drafts_stay_their_own(world: World, compiled: list[Any]) -> None:
    body = {"request_type": "withdrawal", "purpose": "p", "expected_return_date": "2030-01-31"}
    mine = create_request(world, {**body, "items": [{"crate": stored_crate(world).pk}]}, "docmanager")["id"]
    # Another Document Manager of the same unit: the same shape, another requester id.
    world.users["docmanager3"] = make_user("docmanager3", roles.DOCUMENT_MANAGER, world.goa)
    assert [row["id"] for row in _get(world, "docmanager", "/api/requests/")["results"]] == [mine]
    assert _get(world, "docmanager3", "/api/requests/")["results"] == []
    assert len(compiled) == 1


def test_notifications_are_each_readers_own(world: World, compiled: list[Any]) -> None:
    for username in ("docmanager", "approver"):
        Notification.objects.create(user=world.user(username), title=f"for {username}", link="/")
    for username in ("docmanager", "approver"):
        assert [row["title"] for row in _get(world, username, "/api/notifications/")["results"]] == [f"for {username}"]
    assert len(compiled) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/crates/?search=CRT",  # a filter with its own method
        "/api/requests/?search=purpose",  # a search term
        "/api/documents/?record_date_from=2020-01-01",  # a date
        "/api/requests/?overdue=true",  # a method again (today's date is in its SQL)
    ],
)
def test_other_requests_are_read_as_before(world: World, compiled: list[Any], url: str) -> None:
    stored_crate(world)
    assert _get(world, "docmanager", url) == _as_before(world, "docmanager", url)
    assert compiled == []


def test_a_bad_filter_is_still_refused(world: World, compiled: list[Any]) -> None:
    response = world.client("docmanager").get("/api/crates/?location=abc")
    assert response.status_code == 400 and "location" in response.data
    assert compiled == []


def test_a_real_id_in_the_sql_is_refused(world: World) -> None:
    """Compiling refuses SQL that holds the reader's own unit instead of the stand-in: another
    reader would run it with this reader's unit."""
    reader = world.user("docmanager")
    baked = Crate.objects.filter(unit_id=world.goa.pk)
    stand_ins = {"reader_id": prepared_keys._STAND_IN_BASE, "reader_unit": prepared_keys._STAND_IN_BASE - 1}
    assert prepared_keys._compiled_keys(baked, 1000, stand_ins, reader) is None
    honest = Crate.objects.filter(unit_id=prepared_keys._STAND_IN_BASE - 1)
    assert prepared_keys._compiled_keys(honest, 1000, stand_ins, reader) is not None
    # A filter's stand-in that does not reach the SQL as it is (transformed on its way).
    moved = Crate.objects.filter(unit_id=prepared_keys._STAND_IN_BASE - 1, location_id=5)
    assert (
        prepared_keys._compiled_keys(moved, 1000, {**stand_ins, "location": prepared_keys._STAND_IN_BASE - 2}, reader)
        is None
    )
    # A stand-in folded into the text.
    folded = Crate.objects.filter(unit_id=prepared_keys._STAND_IN_BASE - 1).extra(
        where=[f"location_id <> {prepared_keys._STAND_IN_BASE - 2}"]
    )
    assert (
        prepared_keys._compiled_keys(folded, 1000, {**stand_ins, "location": prepared_keys._STAND_IN_BASE - 2}, reader)
        is None
    )


def test_a_value_only_method_is_a_shape(world: World, compiled: list[Any]) -> None:
    """`available` (a method whose SQL depends on its value alone) is held in the shape."""
    url = "/api/locations/?available=true&page_size=50"
    goa, kur = _get(world, "storehead", url), _get(world, "storehead2", url)
    assert {row["id"] for row in goa["results"]} == {world.shelf.pk, world.shelf2.pk}
    assert [row["id"] for row in kur["results"]] == [world.kur_shelf.pk]
    assert goa == _as_before(world, "storehead", url) and kur == _as_before(world, "storehead2", url)
    full = _get(world, "storehead", "/api/locations/?available=false")
    assert {row["id"] for row in full["results"]} == {world.room.pk}  # a room holds no crates
    assert len(compiled) == 2


def test_a_failure_while_compiling_is_not_remembered(world: World, compiled: list[Any], monkeypatch: Any) -> None:
    from apps.storage import views

    def unavailable(user: Any) -> Any:
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(views, "location_list_for", unavailable)
        with pytest.raises(RuntimeError):  # the list read as before raises it again
            world.client("storehead").get("/api/locations/")
    assert len(_get(world, "storehead", "/api/locations/")["results"]) == 3
    assert len(compiled) == 2  # compiled again once the failure was over


def test_a_filter_set_with_a_required_filter_is_always_validated() -> None:
    import django_filters

    from apps.core.filters import FilterSet
    from apps.crates.selectors import CrateFilter

    class Required(FilterSet):
        number = django_filters.CharFilter(required=True)

        class Meta:
            model = Crate
            fields: list[str] = []

    assert prepared_keys._filters_of(Required) == (("number",), True)
    names, required = prepared_keys._filters_of(CrateFilter)
    assert "status" in names and "search" in names and not required
