"""Cached GET answers served in front of Django (apps/auth/fastpath.py, config/wsgi.py): the
same answers as the API's, and never to a signed-out session, a deactivated user, a user whose
roles or unit changed, another unit's user or a throttled user."""

import os
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from redis.connection import AbstractConnection

from apps.auth import roles
from apps.auth.authentication import VersionedJWTAuthentication
from apps.auth.fastpath import FastPath
from apps.auth.models import User
from apps.auth.readcache import USER, _scope_key
from apps.auth.throttles import Window
from apps.core import readcache as core_readcache
from tests.conftest import World, record_calls
from tests.requests.conftest import make_crate

# The fast path is a Redis Lua script in front of Django: without a Redis there is nothing to
# test (the embedded development setup has none; CI always sets REDIS_URL).
pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis: set REDIS_URL")


class Layer:
    """The production WSGI stack (FastPath in front of Django), counting what reaches Django."""

    def __init__(self) -> None:
        self.django = WSGIHandler()
        self.reached_django = 0
        self.app = FastPath(self._django)

    def _django(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.reached_django += 1
        return self.django(environ, start_response)

    def get(self, path: str, token: str, **headers: str) -> tuple[int, dict[str, str], bytes, bool]:
        """(status, headers, body, answered in front of Django)."""
        environ = RequestFactory().get(path).environ
        environ.update({"HTTP_AUTHORIZATION": f"Bearer {token}", **headers})
        before = self.reached_django
        started: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            started["status"], started["headers"] = int(status.split()[0]), dict(response_headers)

        # As Django's test client does: the test's transaction must survive the request's end.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            body = b"".join(self.app(environ, start_response))
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return started["status"], started["headers"], body, self.reached_django == before


@pytest.fixture
def layer() -> Layer:
    return Layer()


def _token(world: World, username: str) -> tuple[Any, str]:
    client = world.login(username)
    return client, client.tokens["access"]


def test_a_repeated_get_is_answered_in_front_of_django_with_the_same_body_and_304(world: World, layer: Layer) -> None:
    crate = make_crate(world)
    _, token = _token(world, "docmanager")

    first = layer.get("/api/crates/", token)
    second = layer.get("/api/crates/", token)

    assert first[0] == second[0] == 200
    assert (first[3], second[3]) == (False, True)
    assert second[2] == first[2]
    assert str(crate.pk) in first[2].decode()
    assert second[1]["ETag"] == first[1]["ETag"]
    assert second[1]["Content-Type"] == first[1]["Content-Type"]
    assert second[1]["Cache-Control"] == "private, no-cache"
    assert second[1]["X-Request-ID"] != first[1]["X-Request-ID"]
    status, headers, body, fast = layer.get("/api/crates/", token, HTTP_IF_NONE_MATCH=first[1]["ETag"])
    assert (status, body, fast, headers["ETag"]) == (304, b"", True, first[1]["ETag"])
    # Another query string, another Accept: another answer, computed by Django.
    assert layer.get("/api/crates/?status=stored", token)[3] is False
    assert layer.get("/api/crates/", token, HTTP_ACCEPT="application/json; version=2")[3] is False


def test_a_signed_out_session_never_gets_the_cached_answer(world: World, layer: Layer) -> None:
    client, token = _token(world, "docmanager")
    layer.get("/api/auth/me/", token)  # the user's own version starts here: stored next time
    layer.get("/api/auth/me/", token)
    assert layer.get("/api/auth/me/", token)[3] is True

    assert client.post("/api/auth/logout/", {"refresh": client.tokens["refresh"]}, format="json").status_code == 205

    status, _, _, fast = layer.get("/api/auth/me/", token)
    assert (status, fast) == (401, False)


def test_a_deactivated_user_never_gets_the_cached_answer(
    world: World, layer: Layer, django_capture_on_commit_callbacks: Any
) -> None:
    _, token = _token(world, "docmanager")
    layer.get("/api/crates/", token)
    assert layer.get("/api/crates/", token)[3] is True

    admin = world.login("sysadmin")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.patch(f"/api/users/{world.user('docmanager').pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200, response.content

    status, _, _, fast = layer.get("/api/crates/", token)
    assert (status, fast) == (401, False)


def test_a_role_change_takes_effect_on_the_very_next_request(
    world: World, layer: Layer, django_capture_on_commit_callbacks: Any
) -> None:
    crate = make_crate(world)
    _, token = _token(world, "docmanager")
    path = f"/api/crates/{crate.pk}/"
    assert '"edit"' in layer.get(path, token)[2].decode()
    cached = layer.get(path, token)
    assert cached[3] is True and '"edit"' in cached[2].decode()

    with django_capture_on_commit_callbacks(execute=True):
        world.user("docmanager").groups.set([Group.objects.get(name=roles.VIEWER)])

    status, _, body, fast = layer.get(path, token)
    assert (status, fast) == (200, False)
    assert '"allowed_actions":[]' in body.decode().replace(" ", "")
    me = layer.get("/api/auth/me/", token)
    assert roles.VIEWER in me[2].decode() and roles.DOCUMENT_MANAGER not in me[2].decode()


def test_a_unit_change_takes_effect_on_the_very_next_request(
    world: World, layer: Layer, django_capture_on_commit_callbacks: Any
) -> None:
    goa_crate, kur_crate = make_crate(world), make_crate(world, unit=world.kur)
    _, token = _token(world, "docmanager")
    layer.get("/api/crates/", token)
    cached = layer.get("/api/crates/", token)
    assert cached[3] is True and f'"id":{goa_crate.pk}' in cached[2].decode().replace(" ", "")

    with django_capture_on_commit_callbacks(execute=True):
        user = User.objects.get(username="docmanager")
        user.unit = world.kur
        user.save()

    status, _, body, fast = layer.get("/api/crates/", token)
    listed = body.decode().replace(" ", "")
    assert (status, fast) == (200, False)
    assert f'"id":{kur_crate.pk}' in listed and f'"id":{goa_crate.pk}' not in listed


def test_another_units_user_never_gets_the_cached_answer(world: World, layer: Layer) -> None:
    goa_crate, kur_crate = make_crate(world), make_crate(world, unit=world.kur)
    _, goa = _token(world, "docmanager")
    _, kur = _token(world, "docmanager2")  # the same role in the other unit
    for _ in range(2):
        layer.get("/api/crates/", goa)
        layer.get(f"/api/crates/{goa_crate.pk}/", goa)
    assert layer.get("/api/crates/", goa)[3] is True

    for _ in range(2):
        status, _, body, _ = layer.get("/api/crates/", kur)
        listed = body.decode().replace(" ", "")
        assert status == 200
        assert f'"id":{kur_crate.pk}' in listed and f'"id":{goa_crate.pk}' not in listed
        assert layer.get(f"/api/crates/{goa_crate.pk}/", kur)[0] == 404


def test_a_write_in_the_unit_is_seen_at_once(
    world: World, layer: Layer, django_capture_on_commit_callbacks: Any
) -> None:
    client, token = _token(world, "docmanager")
    layer.get("/api/crates/", token)
    assert '"count":0' in layer.get("/api/crates/", token)[2].decode().replace(" ", "")

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/crates/", {"department": world.qa.pk}, format="json")
    assert created.status_code == 201

    status, _, body, fast = layer.get("/api/crates/", token)
    assert (status, fast) == (200, False)
    assert f'"id":{created.data["id"]}' in body.decode().replace(" ", "")


def test_a_throttled_user_gets_429_in_front_of_django_too(world: World, layer: Layer, settings: Any) -> None:
    _, token = _token(world, "docmanager")
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/hour"},
    }
    answers = [layer.get("/api/crates/", token) for _ in range(5)]
    assert [a[0] for a in answers] == [200, 200, 200, 429, 429]
    assert answers[1][3] is True


def test_every_request_is_counted_once_against_the_throttle(world: World, layer: Layer, settings: Any) -> None:
    """Misses (the first without the user's record, the next with it: the fast path counts them
    and Django takes its count) and hits alike count one each."""
    _, token = _token(world, "docmanager")
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "5/hour"},
    }
    paths = ["/api/crates/?n=1", "/api/crates/?n=2", "/api/crates/?n=2", "/api/crates/?n=3", "/api/crates/?n=4"]
    answers = [layer.get(path, token) for path in paths]
    assert [a[0] for a in answers] == [200] * 5 and [a[3] for a in answers] == [False, False, True, False, False]
    over = [layer.get(path, token) for path in ("/api/crates/?n=5", "/api/crates/?n=2")]
    assert [a[0] for a in over] == [429, 429]
    user = world.user("docmanager")
    assert cache.get(Window(user.pk, "5/hour").key) == 7


def test_a_bad_token_or_redis_unreachable_falls_through_to_django(
    world: World, layer: Layer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, token = _token(world, "docmanager")
    layer.get("/api/crates/", token)
    assert layer.get("/api/crates/", token)[3] is True

    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert layer.get("/api/crates/", tampered)[:2][0] == 401

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache down")

    monkeypatch.setattr(layer.app, "_lookup", down)
    status, _, _, fast = layer.get("/api/crates/", token)
    assert (status, fast) == (200, False)


def test_a_miss_costs_two_redis_round_trips_and_a_hit_one(
    world: World, layer: Layer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A miss of a user with a current record: the fast path's lookup (which reads the identity,
    its generations, the session and the versions for Django, counts the request and reads the
    unit's version when it has no answer) and one write of both caches' entries after the
    answer, not waited for. Without a record, the read cache reads its entry, versions and
    throttle itself."""
    _, token = _token(world, "docmanager")
    sent = record_calls(monkeypatch, AbstractConnection, "send_packed_command")
    first = layer.get("/api/auth/me/?warm=1", token)  # no record yet: the read cache's own read
    assert (first[0], first[3]) == (200, False) and len(sent) >= 3
    layer.get("/api/auth/me/?warm=2", token)
    sent.clear()
    miss = layer.get("/api/auth/me/", token)
    assert (miss[0], miss[3], len(sent)) == (200, False, 2)
    assert layer.app._writes.unread == 1  # the write's reply is read with the next write, not waited for
    layer.app._writes.read_replies()
    # The read cache's own entry was stored in that write (Django answers from it too).
    user = world.user("docmanager")
    key = core_readcache.entry_key(_scope_key(USER, user), "|/api/auth/me/")
    assert cache.get(key)["body"] == miss[2]
    sent.clear()
    hit = layer.get("/api/auth/me/", token)
    assert (hit[0], hit[2], hit[3], len(sent)) == (200, miss[2], True, 1)


def test_a_miss_decodes_the_token_once_and_a_tampered_one_is_refused(
    world: World, layer: Layer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, token = _token(world, "docmanager")
    decoded = record_calls(monkeypatch, VersionedJWTAuthentication, "get_validated_token")
    status, _, body, fast = layer.get("/api/auth/me/?decode=1", token)
    assert (status, fast, len(decoded)) == (200, False, 1)
    assert b'"username":"docmanager"' in body
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert layer.get("/api/auth/me/?decode=1", tampered)[0] == 401
