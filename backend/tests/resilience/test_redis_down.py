"""Redis down is a degraded mode, not an outage: reads, writes, sign-in and approvals go on
without live updates; health says Redis is down (503); throttling fails open while the
database lockout still bounds password guessing; all of it comes back with Redis."""

from typing import Any

import pytest
from django.conf import settings

from apps.audit.models import AuditEvent
from apps.auth.models import Department, User
from tests.conftest import DEMO_PASSWORD, World
from tests.requests.conftest import PASSWORD, create_request, make_crate
from tests.resilience.conftest import OwnRedis

pytestmark = [pytest.mark.redis]


def _login(world: World, username: str, password: str = DEMO_PASSWORD) -> int:
    response = world.client(None).post("/api/auth/login/", {"username": username, "password": password}, format="json")
    return response.status_code


def test_with_redis_down_the_api_works_without_live_updates_and_resumes(
    world: World, app_on_own_redis: OwnRedis, django_capture_on_commit_callbacks: Any
) -> None:
    docmanager = world.login("docmanager")
    assert docmanager.get("/api/health/").status_code == 200
    assert docmanager.post("/api/auth/ws-ticket/").status_code == 200
    crate = make_crate(world)
    request = create_request(world, {"request_type": "storage", "purpose": "p", "items": [{"crate": crate.pk}]})
    assert docmanager.post(f"/api/requests/{request['id']}/submit/").status_code == 200

    app_on_own_redis.stop()

    # Health names Redis; nothing else answers 5xx.
    health = docmanager.get("/api/health/")
    assert health.status_code == 503
    assert health.json()["down"] == ["cache", "channel_layer"]
    assert health.json()["database"] == "ok"
    assert "Redis" in health.json()["detail"]
    # Sign-in (its throttle cannot count), reads, writes and an e-signed approval work; the
    # broadcasts after each commit fail quietly.
    approver = world.login("approver")
    with django_capture_on_commit_callbacks(execute=True):
        assert docmanager.get("/api/crates/").status_code == 200
        created = world.login("unitadmin").post(
            "/api/departments/", {"unit": world.goa.pk, "code": "ENG", "name": "Engineering"}, format="json"
        )
        approved = approver.post(
            f"/api/requests/{request['id']}/approve/", {"password": PASSWORD, "comment": "ok"}, format="json"
        )
    assert created.status_code == 201
    assert approved.status_code == 200, approved.content
    assert Department.objects.filter(unit=world.goa, code="ENG").count() == 1
    assert docmanager.get("/api/dashboard/").status_code == 200
    # Live updates need Redis: the ticket is refused plainly instead of a socket that fails later.
    ticket = docmanager.post("/api/auth/ws-ticket/")
    assert (ticket.status_code, ticket.json()["code"]) == (503, "service_unavailable")
    # Logout still ends the session: the revocation is in the database.
    assert approver.post("/api/auth/logout/", {"refresh": approver.tokens["refresh"]}, format="json").status_code == 205
    assert approver.get("/api/auth/me/").status_code == 401

    app_on_own_redis.start()

    assert docmanager.get("/api/health/").status_code == 200
    assert docmanager.post("/api/auth/ws-ticket/").status_code == 200
    assert approver.get("/api/auth/me/").status_code == 401


def test_with_redis_down_password_guessing_is_stopped_by_the_lockout(world: World, app_on_own_redis: OwnRedis) -> None:
    app_on_own_redis.stop()
    before = AuditEvent.objects.count()

    statuses = [_login(world, "viewer", "Wrong@password1") for _ in range(settings.LOGIN_MAX_FAILURES + 2)]

    # No throttle without Redis (fails open), so each guess is checked - and the fifth locks.
    assert statuses == [401] * settings.LOGIN_MAX_FAILURES + [403, 403]
    assert _login(world, "viewer") == 403  # the right password too, until unlocked
    assert User.objects.get(username="viewer").is_locked
    actions = list(AuditEvent.objects.filter(sequence__gt=before).values_list("action", flat=True))
    assert sorted(set(actions)) == ["login.failed", "login.locked", "user.locked"]


def test_with_redis_back_the_login_throttle_counts_again(world: World, app_on_own_redis: OwnRedis) -> None:
    app_on_own_redis.stop()
    app_on_own_redis.start()
    statuses = [_login(world, "nobody", "x") for _ in range(6)]
    assert statuses == [401] * 5 + [429]
