"""The versioned read cache (apps/auth/readcache.py, apps/core/readcache.py): a repeated GET is
answered without the view's queries, and never across units, past a permission change, past a
write in the unit or past the user's own notifications."""

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from apps.auth import roles, throttles
from apps.auth.authentication import AUTHENTICATED, VersionedJWTAuthentication
from apps.auth.models import User
from apps.notifications import services as notifications
from tests.conftest import World, record_calls
from tests.requests.conftest import make_crate


def _queries(client: Any, path: str, **headers: Any) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
    return response, len(captured)


def test_a_repeated_get_is_answered_from_the_cache_with_an_etag_and_304_on_revalidation(world: World) -> None:
    crate = make_crate(world)
    client = world.login("docmanager")

    first, first_queries = _queries(client, "/api/crates/")
    second, second_queries = _queries(client, "/api/crates/")

    assert first.status_code == second.status_code == 200
    assert first_queries > 0
    assert second_queries == 0
    assert second.content == first.content
    assert [row["id"] for row in second.data["results"]] == [crate.pk]
    assert second["ETag"] == first["ETag"]
    assert second["Cache-Control"] == "private, no-cache"
    revalidated, revalidated_queries = _queries(client, "/api/crates/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert (revalidated.status_code, revalidated.content, revalidated_queries) == (304, b"", 0)
    assert revalidated["ETag"] == first["ETag"]
    # Compressed by GZipMiddleware, the ETag comes back weak: it still matches.
    weak, _ = _queries(client, "/api/crates/", HTTP_IF_NONE_MATCH=f"W/{first['ETag']}")
    assert weak.status_code == 304
    # Another query string is another answer.
    other, other_queries = _queries(client, "/api/crates/?status=stored")
    assert other.status_code == 200
    assert other_queries > 0
    assert other.data["results"] == []


def test_a_cached_answer_is_never_served_to_another_unit(world: World) -> None:
    goa_crate, kur_crate = make_crate(world), make_crate(world, unit=world.kur)
    goa, kur = world.login("docmanager"), world.login("docmanager2")  # the same role, other units

    for _ in range(2):
        assert [row["id"] for row in goa.get("/api/crates/").data["results"]] == [goa_crate.pk]
        assert [row["id"] for row in kur.get("/api/crates/").data["results"]] == [kur_crate.pk]
        assert goa.get(f"/api/crates/{goa_crate.pk}/").status_code == 200
        assert kur.get(f"/api/crates/{goa_crate.pk}/").status_code == 404
        assert goa.get("/api/auth/me/").data["unit_code"] == "GOA"
        assert kur.get("/api/auth/me/").data["unit_code"] == "KUR"


def test_users_of_one_unit_with_the_same_permissions_share_unit_answers_but_not_their_own(world: World) -> None:
    make_crate(world)
    second_manager = User.objects.create_user(
        username="docmanager3", password="Demo@12345678", full_name="Third Manager", unit=world.goa
    )
    second_manager.groups.add(Group.objects.get(name=roles.DOCUMENT_MANAGER))
    first, second = world.login("docmanager"), world.login("docmanager3")

    second.get("/api/auth/me/")  # its identity and session are cached
    first.get("/api/crates/")
    _, shared_queries = _queries(second, "/api/crates/")
    assert shared_queries == 0
    assert first.get("/api/auth/me/").data["username"] == "docmanager"
    assert second.get("/api/auth/me/").data["username"] == "docmanager3"


def test_a_role_change_takes_effect_on_the_very_next_request(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    crate = make_crate(world)
    client = world.login("docmanager")
    assert "edit" in client.get(f"/api/crates/{crate.pk}/").data["allowed_actions"]
    assert "edit" in client.get(f"/api/crates/{crate.pk}/").data["allowed_actions"]  # cached

    with django_capture_on_commit_callbacks(execute=True):
        world.user("docmanager").groups.set([Group.objects.get(name=roles.VIEWER)])

    assert client.get(f"/api/crates/{crate.pk}/").data["allowed_actions"] == []
    assert client.get("/api/auth/me/").data["roles"] == [roles.VIEWER]


def test_a_permission_taken_from_a_role_takes_effect_on_the_very_next_request(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    crate = make_crate(world)
    client = world.login("docmanager")
    assert "edit" in client.get(f"/api/crates/{crate.pk}/").data["allowed_actions"]
    assert "edit" in client.get(f"/api/crates/{crate.pk}/").data["allowed_actions"]

    app_label, codename = roles.EDIT_CRATES.split(".")
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.get(name=roles.DOCUMENT_MANAGER).permissions.remove(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )

    assert "edit" not in client.get(f"/api/crates/{crate.pk}/").data["allowed_actions"]


def test_a_deactivated_user_gets_401_not_the_cached_answer(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.login("docmanager")
    assert client.get("/api/crates/").status_code == 200
    assert client.get("/api/crates/").status_code == 200

    admin = world.login("sysadmin")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.patch(f"/api/users/{world.user('docmanager').pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200, response.content

    assert client.get("/api/crates/").status_code == 401


def test_a_write_in_the_unit_is_seen_at_once_and_a_write_in_another_unit_keeps_the_entry(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    goa = world.login("docmanager")
    assert goa.get("/api/crates/").data["count"] == 0
    assert goa.get("/api/crates/").data["count"] == 0

    kur = world.login("docmanager2")
    with django_capture_on_commit_callbacks(execute=True):
        assert kur.post("/api/crates/", {"department": world.kur_qa.pk}, format="json").status_code == 201
    _, untouched_queries = _queries(goa, "/api/crates/")
    assert untouched_queries == 0

    with django_capture_on_commit_callbacks(execute=True):
        created = goa.post("/api/crates/", {"department": world.qa.pk}, format="json")
    assert created.status_code == 201
    listed = goa.get("/api/crates/")
    assert [row["id"] for row in listed.data["results"]] == [created.data["id"]]


def test_a_new_notification_is_seen_at_once_in_the_users_list_and_dashboard(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.login("approver")
    assert client.get("/api/notifications/").data["count"] == 0
    assert client.get("/api/dashboard/").data["unread_notifications"] == 0
    assert client.get("/api/notifications/").data["count"] == 0

    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(users=[world.user("approver")], title="Look", email=False)

    assert client.get("/api/notifications/").data["count"] == 1
    assert client.get("/api/dashboard/").data["unread_notifications"] == 1


def test_the_cache_unreachable_means_the_ordinary_path_answers(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    crate = make_crate(world)
    client = world.login("docmanager")

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)  # what the identity and the read cache read with
    for _ in range(2):
        response = client.get("/api/crates/")
        assert response.status_code == 200
        assert [row["id"] for row in response.data["results"]] == [crate.pk]


def test_the_user_throttle_counts_in_one_window_and_says_how_long_to_wait() -> None:
    now = 7200.0 + 10  # 10 s into an hour
    ident = "read-cache-test"
    assert [throttles.user_hit(ident, "3/hour", now) for _ in range(3)] == [None, None, None]
    assert throttles.user_hit(ident, "3/hour", now) == 3590.0
    assert throttles.user_hit(ident, "3/hour", now + 3600) is None  # the next window


def test_a_throttled_user_gets_429_even_for_a_cached_answer(world: World, settings: Any) -> None:
    client = world.login("docmanager")
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/hour"},
    }
    statuses = [client.get("/api/crates/").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_the_dashboards_unit_figures_are_shared_in_the_unit_and_follow_its_writes(world: World) -> None:
    approver, kur = world.client("approver"), world.client("docmanager2")  # no token: no answer cache
    assert approver.get("/api/dashboard/").data["crates_by_status"]["draft"] == 0
    assert kur.get("/api/dashboard/").data["crates_by_status"]["draft"] == 0

    make_crate(world)  # GOA

    assert approver.get("/api/dashboard/").data["crates_by_status"]["draft"] == 1
    assert world.client("docmanager").get("/api/dashboard/").data["crates_by_status"]["draft"] == 1
    assert kur.get("/api/dashboard/").data["crates_by_status"]["draft"] == 0


def test_the_shared_dashboard_figures_count_only_the_users_own_drafts(world: World) -> None:
    from tests.requests.conftest import create_request

    create_request(world, {"request_type": "storage", "purpose": "p", "items": [{"crate": make_crate(world).pk}]})
    author, colleague = world.client("docmanager"), world.client("approver")

    assert colleague.get("/api/dashboard/").data["requests_by_type"]["storage"]["draft"] == 0
    assert author.get("/api/dashboard/").data["requests_by_type"]["storage"]["draft"] == 1
    assert colleague.get("/api/dashboard/").data["requests_by_type"]["storage"]["draft"] == 0


def test_an_evicted_version_never_brings_back_a_stale_answer(world: World) -> None:
    from apps.core import readcache

    unit_version = readcache.unit_version_key(world.goa.pk)
    client = world.login("docmanager")
    cache.delete(unit_version)  # evicted (or expired) before the answer is first stored
    assert client.get("/api/crates/").data["count"] == 0
    assert client.get("/api/crates/").data["count"] == 0

    make_crate(world)  # a new unit version...
    cache.delete(unit_version)  # ...evicted in its turn

    assert client.get("/api/crates/").data["count"] == 1
    assert client.get("/api/crates/").data["count"] == 1


def test_a_request_the_read_cache_counted_is_not_counted_again_by_the_api(world: World, settings: Any) -> None:
    client = world.login("docmanager")
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/hour"},
    }
    # Another query string each time: every request misses and runs the view (and DRF's throttle).
    statuses = [client.get(f"/api/auth/me/?n={n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_the_api_decodes_the_token_once_when_the_read_cache_authenticated_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = world.login("docmanager")
    decoded = record_calls(monkeypatch, VersionedJWTAuthentication, "get_validated_token")
    response = client.get("/api/auth/me/?once=1")
    assert (response.status_code, response.data["username"], len(decoded)) == (200, "docmanager", 1)


def test_the_api_never_takes_an_authentication_made_for_another_token(world: World) -> None:
    mine, theirs = world.login("docmanager").tokens["access"], world.login("approver").tokens["access"]
    auth = VersionedJWTAuthentication()
    approver = world.user("approver")
    request = RequestFactory().get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {mine}")
    setattr(request, AUTHENTICATED, (theirs.encode(), approver, auth.get_validated_token(theirs.encode())))
    authenticated = auth.authenticate(request)
    assert authenticated is not None and authenticated[0].username == "docmanager"
