"""Login, lockout, throttling, token rotation and revocation (docs/roles.md, docs/api.md)."""

import datetime
import time

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.audit.models import AuditEvent
from apps.auth.models import User
from tests.conftest import DEMO_PASSWORD, World

UNTHROTTLED = {
    "DEFAULT_THROTTLE_RATES": {"user": "100000/hour", "login": "1000/min"},
}


def login(client: APIClient, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/api/auth/login/", {"username": username, "password": password}, format="json")


def test_login_returns_tokens_and_the_user_with_roles(world: World) -> None:
    response = login(APIClient(), "approver", DEMO_PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "user"}
    assert body["user"]["username"] == "approver"
    assert body["user"]["unit"] == world.goa.pk
    assert body["user"]["roles"] == ["Approver"]
    assert AuditEvent.objects.filter(action="login.succeeded", actor=world.user("approver")).count() == 1


def test_bad_password_is_401_and_audited(world: World) -> None:
    response = login(APIClient(), "approver", "Wrong@password1")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    event = AuditEvent.objects.get(action="login.failed")
    assert event.actor_username == "approver"
    assert event.comment == "wrong password"
    assert User.objects.get(username="approver").failed_login_count == 1


def test_unknown_user_is_401_and_audited_with_the_attempted_name(world: World) -> None:
    response = login(APIClient(), "nobody", "Wrong@password1")
    assert response.status_code == 401
    event = AuditEvent.objects.get(action="login.failed")
    assert event.actor is None
    assert event.entity_repr == "nobody"


@override_settings(REST_FRAMEWORK={**__import__("django.conf").conf.settings.REST_FRAMEWORK, **UNTHROTTLED})
def test_five_failures_lock_the_account_even_for_the_right_password(world: World) -> None:
    client = APIClient()
    for _ in range(5):
        assert login(client, "viewer", "Wrong@password1").status_code == 401
    user = User.objects.get(username="viewer")
    assert user.locked_until is not None and user.locked_until > timezone.now()
    response = login(client, "viewer", DEMO_PASSWORD)
    assert response.status_code == 403
    assert response.json()["code"] == "account_locked"
    assert AuditEvent.objects.filter(action="user.locked", entity_id=str(user.pk)).count() == 1
    assert AuditEvent.objects.filter(action="login.locked", entity_id=str(user.pk)).count() == 1


@override_settings(REST_FRAMEWORK={**__import__("django.conf").conf.settings.REST_FRAMEWORK, **UNTHROTTLED})
def test_the_failure_that_locks_the_account_says_so(world: World) -> None:
    client = APIClient()
    responses = [login(client, "viewer", "Wrong@password1") for _ in range(5)]
    assert [r.status_code for r in responses] == [401] * 5
    assert [r.json()["code"] for r in responses] == ["invalid_credentials"] * 4 + ["account_locked"]
    body = responses[-1].json()
    assert "now locked" in body["detail"]
    locked_until = User.objects.get(username="viewer").locked_until
    assert locked_until is not None
    assert body["locked_until"] == locked_until.isoformat()


@override_settings(REST_FRAMEWORK={**__import__("django.conf").conf.settings.REST_FRAMEWORK, **UNTHROTTLED})
def test_lock_expires_after_its_time(world: World) -> None:
    user = world.user("viewer")
    user.failed_login_count = 5
    user.locked_until = timezone.now() - datetime.timedelta(seconds=1)
    user.save()
    response = login(APIClient(), "viewer", DEMO_PASSWORD)
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.failed_login_count == 0
    assert user.locked_until is None


@override_settings(REST_FRAMEWORK={**__import__("django.conf").conf.settings.REST_FRAMEWORK, **UNTHROTTLED})
def test_an_admin_unlocks_a_locked_user(world: World) -> None:
    user = world.user("viewer")
    user.failed_login_count = 5
    user.locked_until = timezone.now() + datetime.timedelta(minutes=15)
    user.save()
    response = world.client("unitadmin").post(f"/api/users/{user.pk}/unlock/")
    assert response.status_code == 200
    assert response.json()["is_locked"] is False
    assert login(APIClient(), "viewer", DEMO_PASSWORD).status_code == 200
    assert AuditEvent.objects.filter(action="user.unlocked", actor=world.user("unitadmin")).count() == 1


def test_login_is_throttled_per_username_and_ip(world: World) -> None:
    client = APIClient()
    statuses = [login(client, "approver", "Wrong@password1").status_code for _ in range(6)]
    assert statuses[-1] == 429
    assert login(client, "approver", DEMO_PASSWORD).json()["code"] == "throttled"
    # Another username from the same address has its own budget.
    assert login(client, "viewer", DEMO_PASSWORD).status_code == 200


def test_refresh_rotates_and_the_old_refresh_is_refused(world: World) -> None:
    tokens = login(APIClient(), "approver", DEMO_PASSWORD).json()
    client = APIClient()
    first = client.post("/api/auth/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert first.status_code == 200
    assert set(first.json()) == {"access", "refresh"}
    assert first.json()["refresh"] != tokens["refresh"]
    again = client.post("/api/auth/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert again.status_code == 401
    assert client.post("/api/auth/refresh/", {"refresh": first.json()["refresh"]}, format="json").status_code == 200


def test_logout_makes_the_refresh_token_unusable(world: World) -> None:
    client = world.login("approver")
    refresh = client.tokens["refresh"]  # type: ignore[attr-defined]
    response = client.post("/api/auth/logout/", {"refresh": refresh}, format="json")
    assert response.status_code == 205
    assert APIClient().post("/api/auth/refresh/", {"refresh": refresh}, format="json").status_code == 401
    assert AuditEvent.objects.filter(action="logout", actor=world.user("approver")).count() == 1


def test_deactivated_users_access_token_is_refused(world: World) -> None:
    client = world.login("viewer")
    assert client.get("/api/auth/me/").status_code == 200
    assert world.client("unitadmin").post(f"/api/users/{world.user('viewer').pk}/deactivate/").status_code == 200
    assert client.get("/api/auth/me/").status_code == 401


def test_password_change_voids_outstanding_tokens(world: World) -> None:
    client = world.login("viewer")
    other_session = world.login("viewer")
    response = client.post(
        "/api/auth/change-password/",
        {"old_password": DEMO_PASSWORD, "new_password": "N3w&Stronger#Pass"},
        format="json",
    )
    assert response.status_code == 204
    assert other_session.get("/api/auth/me/").status_code == 401
    refresh = other_session.tokens["refresh"]  # type: ignore[attr-defined]
    assert APIClient().post("/api/auth/refresh/", {"refresh": refresh}, format="json").status_code == 401
    assert login(APIClient(), "viewer", "N3w&Stronger#Pass").status_code == 200


def test_tampered_and_expired_tokens_are_refused(world: World) -> None:
    client = world.login("viewer")
    access = client.tokens["access"]  # type: ignore[attr-defined]
    header, payload, signature = access.split(".")
    tampered = APIClient()
    tampered.credentials(HTTP_AUTHORIZATION=f"Bearer {header}.{payload}.{signature[::-1]}")
    assert tampered.get("/api/auth/me/").status_code == 401

    token = AccessToken.for_user(world.user("viewer"))
    token["ver"] = world.user("viewer").auth_version
    token.set_exp(lifetime=-datetime.timedelta(seconds=1))
    expired = APIClient()
    expired.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert expired.get("/api/auth/me/").status_code == 401


def test_a_token_accepted_once_is_refused_when_it_expires(world: World) -> None:
    # Signatures are verified once per token and process (apps/auth/authentication.py); the
    # expiry is still checked on every request.
    token = AccessToken.for_user(world.user("viewer"))
    token["ver"] = world.user("viewer").auth_version
    token.set_exp(lifetime=datetime.timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/auth/me/").status_code == 200
    time.sleep(max(0.0, token["exp"] - time.time()) + 0.05)
    response = client.get("/api/auth/me/")
    assert response.status_code == 401, response.json()


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Sh0rt!pass", "at least 12"),
        ("alllowercase1!x", "uppercase"),
        ("ALLUPPERCASE1!X", "lowercase"),
        ("NoDigitsHere!!x", "digit"),
        ("NoSymbols12345x", "symbol"),
        ("Mega_Pizdetz666", "too common"),
        ("Viewer@Test.local1", "too similar"),
    ],
)
def test_password_policy_rejects_weak_passwords(world: World, password: str, reason: str) -> None:
    response = world.client("viewer").post(
        "/api/auth/change-password/", {"old_password": DEMO_PASSWORD, "new_password": password}, format="json"
    )
    assert response.status_code == 400
    assert any(reason in message for message in response.json()["new_password"]), response.json()
    assert User.objects.get(username="viewer").check_password(DEMO_PASSWORD)


def test_ws_ticket_is_single_use(world: World) -> None:
    from apps.auth.services import ws_ticket_consume

    response = world.login("viewer").post("/api/auth/ws-ticket/")
    assert response.status_code == 200
    assert response.json()["expires_in"] == 30
    ticket = response.json()["ticket"]
    assert ws_ticket_consume(ticket) == world.user("viewer").pk
    assert ws_ticket_consume(ticket) is None
    assert ws_ticket_consume("made-up") is None


def test_me_requires_authentication(world: World) -> None:
    response = APIClient().get("/api/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
