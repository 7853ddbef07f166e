"""Sign-in, role and unit mapping, signatures and lockout with a real directory (slapd)."""

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from apps.audit.models import AuditEvent
from apps.auth.models import User
from apps.requests.models import Request
from apps.signatures.models import Signature
from tests.conftest import DEMO_PASSWORD, World
from tests.directory.slapd import PASSWORD, Slapd, person_dn
from tests.requests.conftest import create_request, in_future, stored_crate

UNTHROTTLED = {
    "DEFAULT_THROTTLE_RATES": {"user": "100000/hour", "login": "1000/min"},
}


def login(username: str, password: str = PASSWORD) -> Any:
    return APIClient().post("/api/auth/login/", {"username": username, "password": password}, format="json")


def signed_in(username: str, password: str = PASSWORD) -> APIClient:
    response = login(username, password)
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.data['access']}")
    return client


def actions(**filters: Any) -> list[str]:
    return list(AuditEvent.objects.filter(**filters).order_by("sequence").values_list("action", flat=True))


def roles_of(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def test_first_sign_in_creates_the_user_from_the_directory(directory: Slapd, world: World) -> None:
    response = login("asha")

    assert response.status_code == 200, response.content
    assert response.data["user"]["username"] == "asha"
    assert response.data["user"]["full_name"] == "Asha Approver"
    assert response.data["user"]["roles"] == ["Approver"]
    user = User.objects.get(username="asha")
    assert user.auth_source == User.Source.DIRECTORY
    assert (user.full_name, user.email, user.employee_id) == ("Asha Approver", "asha@pharma.test", "E1001")
    assert user.unit == world.goa
    assert user.has_usable_password() is False
    assert actions(entity_type="user", entity_id=str(user.pk)) == ["user.created", "login.succeeded"]
    created = AuditEvent.objects.get(action="user.created", entity_id=str(user.pk))
    assert created.changes["roles"] == [[], ["Approver"]]
    assert created.changes["auth_source"] == [None, "directory"]


def test_unit_comes_from_a_directory_group_when_the_user_has_no_unit_attribute(directory: Slapd) -> None:
    assert login("bina").status_code == 200

    user = User.objects.get(username="bina")
    assert user.unit is not None and user.unit.code == "BOM"
    assert roles_of(user) == ["Store Head"]


def test_system_administrator_group_signs_in_without_a_unit(directory: Slapd) -> None:
    response = login("sam")

    assert response.status_code == 200, response.content
    user = User.objects.get(username="sam")
    assert (roles_of(user), user.unit, user.is_system_admin) == (["System Administrator"], None, True)


def test_each_sign_in_updates_roles_and_name_from_the_directory(directory: Slapd) -> None:
    assert login("dev").status_code == 200
    user = User.objects.get(username="dev")
    assert roles_of(user) == ["Document Manager"]
    directory.add_member("dms-approvers", "dev")
    directory.set_attribute(person_dn("dev"), "displayName", "Dev Kumar")
    try:
        assert login("dev").status_code == 200
    finally:
        directory.remove_member("dms-approvers", "dev")
        directory.set_attribute(person_dn("dev"), "displayName", "Dev Manager")

    user.refresh_from_db()
    assert user.full_name == "Dev Kumar"
    assert roles_of(User.objects.get(pk=user.pk)) == ["Approver", "Document Manager"]
    updated = AuditEvent.objects.get(action="user.updated", entity_id=str(user.pk))
    assert updated.changes == {
        "full_name": ["Dev Manager", "Dev Kumar"],
        "roles": [["Document Manager"], ["Approver", "Document Manager"]],
    }
    assert updated.comment == "updated from the directory"


def test_a_user_in_no_dms_group_is_refused_and_gets_no_account(directory: Slapd, audit_count: Any) -> None:
    before = audit_count()

    response = login("omar")

    assert response.status_code == 401
    assert response.data["code"] == "invalid_credentials"
    assert not User.objects.filter(username="omar").exists()
    assert audit_count() == before + 1
    assert AuditEvent.objects.order_by("-sequence").values_list("action", "entity_repr")[0] == ("login.failed", "omar")


def test_an_account_disabled_in_the_directory_cannot_sign_in(directory: Slapd) -> None:
    response = login("carl")

    assert response.status_code == 401
    assert not User.objects.filter(username="carl").exists()


@override_settings(REST_FRAMEWORK={**__import__("django.conf").conf.settings.REST_FRAMEWORK, **UNTHROTTLED})
def test_wrong_directory_passwords_lock_the_account_like_a_local_one(directory: Slapd, settings: Any) -> None:
    assert login("dev").status_code == 200
    user = User.objects.get(username="dev")

    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert login("dev", "Wrong#Password-1").status_code == 401

    response = login("dev")
    assert response.status_code == 403
    assert response.data["code"] == "account_locked"
    user.refresh_from_db()
    assert user.failed_login_count == settings.LOGIN_MAX_FAILURES
    assert actions(entity_id=str(user.pk), action__in=["login.failed", "user.locked", "login.locked"]) == [
        *["login.failed"] * 5,
        "user.locked",
        "login.locked",
    ]


def test_directory_sign_in_is_throttled_like_a_local_one(directory: Slapd) -> None:
    client = APIClient()
    statuses = [
        client.post("/api/auth/login/", {"username": "asha", "password": "Wrong#1"}, format="json").status_code
        for _ in range(6)
    ]
    assert statuses == [401, 401, 401, 401, 401, 429]


def test_a_user_disabled_in_the_directory_is_refused_at_the_next_request(directory: Slapd, settings: Any) -> None:
    settings.DIRECTORY_RECHECK_SECONDS = 0  # no grace: check the directory on every request
    client = signed_in("gita")
    assert client.get("/api/auth/me/").status_code == 200

    directory.set_attribute(person_dn("gita"), "employeeType", "disabled")
    try:
        response = client.get("/api/auth/me/")
    finally:
        directory.set_attribute(person_dn("gita"), "employeeType", "staff")

    assert response.status_code == 401
    assert response.data["code"] == "user_inactive"
    user = User.objects.get(username="gita")
    assert user.is_active is False
    event = AuditEvent.objects.get(action="user.updated", entity_id=str(user.pk))
    assert (event.changes, event.comment) == ({"is_active": [True, False]}, "disabled or removed in the directory")
    # The deactivation is persisted: re-enabling in the directory needs an administrator too.
    assert client.get("/api/auth/me/").status_code == 401


def test_the_enabled_check_is_cached_for_the_recheck_interval(directory: Slapd, settings: Any) -> None:
    settings.DIRECTORY_RECHECK_SECONDS = 60
    client = signed_in("gita")

    directory.set_attribute(person_dn("gita"), "employeeType", "disabled")
    try:
        within_interval = client.get("/api/auth/me/").status_code
        cache.clear()  # the interval has passed
        after_interval = client.get("/api/auth/me/").status_code
    finally:
        directory.set_attribute(person_dn("gita"), "employeeType", "staff")

    assert (within_interval, after_interval) == (200, 401)


# Refused signatures are audited outside any transaction: a real commit is needed.
@pytest.mark.django_db(transaction=True)
def test_a_directory_user_signs_an_approval_with_the_directory_password(directory: Slapd, world: World) -> None:
    crate = stored_crate(world)
    created = create_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "Audit",
            "expected_return_date": in_future(),
            "items": [{"crate": crate.pk}],
        },
    )
    assert world.client("docmanager").post(f"/api/requests/{created['id']}/submit/").status_code == 200
    asha = signed_in("asha")
    url = f"/api/requests/{created['id']}/approve/"
    # Created at her first sign-in, she certifies her signature (21 CFR 11.100(c)) before signing.
    uncertified = asha.post(url, {"password": PASSWORD, "comment": "ok"}, format="json")
    assert (uncertified.status_code, uncertified.data["code"]) == (403, "certification_required")
    certified = asha.post("/api/auth/signature-certification/", {"password": PASSWORD}, format="json")
    assert certified.status_code == 201, certified.content

    refused = asha.post(url, {"password": "Wrong#Password-1", "comment": "ok"}, format="json")
    assert refused.status_code == 403
    assert refused.data["code"] == "invalid_signature"
    assert Request.objects.get(pk=created["id"]).status == "submitted"

    response = asha.post(url, {"password": PASSWORD, "comment": "ok"}, format="json")
    assert response.status_code == 200, response.content
    assert response.data["status"] == "approved"
    signature = Signature.objects.get(subject_id=created["id"])
    assert (signature.username, signature.full_name, signature.meaning) == ("asha", "Asha Approver", "approved")


def test_local_accounts_keep_working_beside_the_directory(directory: Slapd) -> None:
    client = signed_in("approver", DEMO_PASSWORD)

    assert client.get("/api/auth/me/").data["username"] == "approver"


def test_local_accounts_can_be_turned_off(directory: Slapd, settings: Any) -> None:
    settings.AUTH_LOCAL_ACCOUNTS = False

    response = login("approver", DEMO_PASSWORD)

    assert response.status_code == 401
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.comment) == ("login.failed", "local accounts are turned off")
    assert login("asha").status_code == 200


def test_a_directory_user_cannot_change_the_password_in_dms(directory: Slapd) -> None:
    client = signed_in("asha")

    response = client.post(
        "/api/auth/change-password/",
        {"old_password": PASSWORD, "new_password": "Another#Pass-2027"},
        format="json",
    )

    assert response.status_code == 400
    assert "directory" in response.data["detail"]


def test_a_local_account_is_not_taken_over_by_a_directory_account_of_the_same_name(
    directory: Slapd, world: World
) -> None:
    local = world.user("viewer")
    local.username = "asha"
    local.save()

    response = login("asha")  # the directory password, not the local one

    assert response.status_code == 401
    local.refresh_from_db()
    assert local.auth_source == User.Source.LOCAL
    assert roles_of(local) == ["Viewer"]
    assert Group.objects.get(name="Approver").user_set.filter(username="asha").exists() is False
