"""The identity cache: a signed-in request costs no query for who the user is, and every change
to the user, their roles, their role's permissions or their unit is seen on the next request."""

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.auth import identity, roles
from apps.auth.models import User
from tests.conftest import World
from tests.requests.conftest import make_crate

IDENTITY_TABLES = ("accounts_user", "auth_group", "auth_permission", "accounts_unit")


def identity_queries(client: Any, url: str) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response, [q["sql"] for q in captured if any(table in q["sql"] for table in IDENTITY_TABLES)]


def test_a_signed_in_request_reads_no_user_role_or_permission_row_once_cached(world: World) -> None:
    client = world.login("docmanager")
    client.get("/api/auth/me/")  # the first request loads the identity

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/auth/me/")

    assert response.status_code == 200
    assert response.data["roles"] == [roles.DOCUMENT_MANAGER]
    assert response.data["unit_code"] == "GOA"
    assert len(captured) == 0


def test_a_permission_check_on_a_cached_identity_runs_no_query(world: World) -> None:
    client = world.login("approver")
    client.get("/api/auth/me/")

    response, identity_sql = identity_queries(client, "/api/audit/?page_size=1")

    assert response.data["count"] >= 1
    assert identity_sql == []


def test_deactivation_refuses_the_very_next_request(world: World) -> None:
    client = world.login("docmanager")
    assert client.get("/api/auth/me/").status_code == 200

    response = world.login("unitadmin").patch(
        f"/api/users/{world.user('docmanager').pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200

    assert client.get("/api/auth/me/").status_code == 401


def test_a_role_taken_away_is_refused_on_the_very_next_request(world: World) -> None:
    client = world.login("docmanager")
    crate = make_crate(world)
    assert client.get("/api/auth/me/").data["roles"] == [roles.DOCUMENT_MANAGER]

    response = world.login("unitadmin").patch(
        f"/api/users/{world.user('docmanager').pk}/", {"roles": [roles.VIEWER]}, format="json"
    )
    assert response.status_code == 200

    assert client.get("/api/auth/me/").data["roles"] == [roles.VIEWER]
    refused = client.patch(f"/api/crates/{crate.pk}/", {"description": "changed"}, format="json")
    assert refused.status_code == 403
    crate.refresh_from_db()
    assert crate.description != "changed"


def test_a_permission_taken_from_a_role_is_refused_on_the_very_next_request(world: World) -> None:
    client = world.login("approver")
    assert client.get("/api/audit/").status_code == 200

    app_label, codename = roles.READ_AUDIT.split(".")
    Group.objects.get(name=roles.APPROVER).permissions.remove(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )

    assert client.get("/api/audit/").status_code == 403


def test_a_user_moved_to_another_unit_sees_only_that_units_data_on_the_next_request(world: World) -> None:
    goa_crate, kur_crate = make_crate(world), make_crate(world, unit=world.kur)
    client = world.login("viewer")
    assert [row["id"] for row in client.get("/api/crates/").data["results"]] == [goa_crate.pk]

    response = world.login("sysadmin").patch(
        f"/api/users/{world.user('viewer').pk}/", {"unit": world.kur.pk}, format="json"
    )
    assert response.status_code == 200

    assert [row["id"] for row in client.get("/api/crates/").data["results"]] == [kur_crate.pk]
    assert client.get(f"/api/crates/{goa_crate.pk}/").status_code == 404
    assert client.get("/api/auth/me/").data["unit_code"] == "KUR"


def test_two_users_of_different_units_never_share_an_identity(world: World) -> None:
    goa, kur = world.login("docmanager"), world.login("docmanager2")
    for _ in range(2):
        assert goa.get("/api/auth/me/").data["unit_code"] == "GOA"
        assert kur.get("/api/auth/me/").data["unit_code"] == "KUR"


def test_an_entry_stored_while_a_change_was_in_flight_is_unreachable_after_commit(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = world.user("docmanager")
    stale = identity.load_user(user.pk)
    assert stale.has_perm(roles.EDIT_CRATES)

    with django_capture_on_commit_callbacks(execute=True):
        user.groups.set([Group.objects.get(name=roles.VIEWER)])
        # A concurrent request that read the rows before this transaction commits stores
        # them under the generation the change has just set.
        monkeypatch.setattr(identity, "_from_database", lambda user_id: stale)
        assert identity.load_user(user.pk) is stale
        monkeypatch.undo()

    fresh = identity.load_user(user.pk)
    assert fresh.role_names == frozenset({roles.VIEWER})
    assert not fresh.has_perm(roles.EDIT_CRATES)


def test_the_password_hash_is_not_kept_in_the_cache_but_signatures_still_check_it(world: World) -> None:
    user = identity.load_user(world.user("approver").pk)
    cached = identity.load_user(world.user("approver").pk)

    assert "password" not in cached.__dict__
    assert cached.check_password("Demo@12345678")
    assert user.pk == cached.pk


class _BrokenCache:
    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise ConnectionError("cache down")

        return fail


def test_requests_are_answered_from_the_database_when_the_cache_is_down(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = world.login("docmanager")
    monkeypatch.setattr(identity, "cache", _BrokenCache())

    response = client.get("/api/auth/me/")

    assert response.status_code == 200
    assert response.data["username"] == "docmanager"
    # A change while the cache is down still takes effect: every request reads the database.
    User.objects.filter(pk=world.user("docmanager").pk).update(is_active=False)
    assert client.get("/api/auth/me/").status_code == 401


def test_prefetched_values_are_used_only_when_they_cover_every_key(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The WSGI fast path reads the identity's keys for Django when it has no answer; values
    that do not cover every key (another user's, a missing generation) are read again."""
    user = world.user("docmanager")
    identity.load(user.pk)  # stored under the current generations
    wanted = identity.keys(user.pk, ["session-revoked:abc"])
    current = cache.get_many(wanted)
    prefetched = {key: current.get(key) for key in wanted}
    reads: list[Any] = []
    original = cache.get_many

    def counting(keys: list[str]) -> Any:
        reads.append(keys)
        return original(keys)

    monkeypatch.setattr(cache, "get_many", counting)

    loaded, found = identity.load(user.pk, ["session-revoked:abc"], prefetched)
    assert (loaded.pk, reads) == (user.pk, [])
    assert found == {key: value for key, value in prefetched.items() if key == "session-revoked:abc" and value}

    partial = {key: value for key, value in prefetched.items() if not key.startswith("identity-gen:all")}
    assert identity.load(user.pk, ["session-revoked:abc"], partial)[0].pk == user.pk
    assert reads == [wanted]


def test_has_perm_answers_as_djangos_backends_do(world: World) -> None:
    """User.has_perm reads the user's permission set once instead of walking the backends on
    every call: the same answer for every permission, role, an inactive user and a superuser."""
    from django.contrib.auth.models import _user_has_perm  # type: ignore[attr-defined]

    every = [f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")]
    inactive = User.objects.get(username="approver")
    inactive.is_active = False
    superuser = User.objects.get(username="viewer")
    superuser.is_superuser = True
    users = [User.objects.get(username=name) for name in world.users] + [inactive, superuser]
    held = 0
    for user in users:
        for perm in every:
            assert user.has_perm(perm) is _user_has_perm(user, perm, None), (user.username, perm)
            held += user.has_perm(perm)
    assert 0 < held < len(users) * len(every)  # some held, some not
    assert not inactive.has_perm("crates.add_crate") and superuser.has_perm("crates.add_crate")
