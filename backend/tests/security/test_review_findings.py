"""The attacks of the outside security review (one test per finding), each now refused with a
clear 4xx that changes nothing, or handled as designed."""

import csv
import io
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from apps.audit.models import AuditEvent
from apps.auth.models import User
from apps.crates.models import Crate, DocumentType
from apps.notifications.models import Notification
from apps.reports import services as reports
from apps.reports.models import Report
from config.settings import DEFAULT_SECRET_KEY
from tests.conftest import DEMO_PASSWORD, World, is_postgres

FORMULA = "=cmd|' /C calc'!A0"


# --- 1. concurrent refreshes with one token -----------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_refreshes_with_one_token_give_exactly_one_new_session(world: World) -> None:
    if not is_postgres():
        pytest.skip("needs PostgreSQL row locks; CI runs it there")
    refresh = world.login("approver").tokens["refresh"]  # type: ignore[attr-defined]
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def refresh_once() -> None:
        from rest_framework.test import APIClient

        try:
            barrier.wait(timeout=30)
            statuses.append(APIClient().post("/api/auth/refresh/", {"refresh": refresh}, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh_once) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Counter(statuses) == {200: 1, 401: 9}


# --- 2. the Django admin's login --------------------------------------------------------------
def _admin_login(username: str, password: str) -> Any:
    return Client().post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_admin_login_counts_failures_locks_and_audits(world: World) -> None:
    User.objects.filter(username="sysadmin").update(is_staff=True)
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = _admin_login("sysadmin", "Wrong@password1")
        assert response.status_code == 200  # the form again, with an error
        assert "_auth_user_id" not in response.wsgi_request.session

    user = User.objects.get(username="sysadmin")
    assert user.failed_login_count == settings.LOGIN_MAX_FAILURES
    assert user.is_locked
    events = AuditEvent.objects.filter(entity_id=str(user.pk)).order_by("sequence")
    actions = list(events.values_list("action", "comment"))
    assert actions[:5] == [("login.failed", "wrong password (admin)")] * 5
    assert actions[5] == ("user.locked", "5 consecutive failed logins (admin)")

    # Locked: the right password does not open the admin either.
    response = _admin_login("sysadmin", DEMO_PASSWORD)
    assert response.status_code == 200
    assert "locked" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session
    assert AuditEvent.objects.filter(action="login.locked", entity_id=str(user.pk)).count() == 1


def test_admin_login_refuses_an_account_locked_by_the_api(world: World) -> None:
    User.objects.filter(username="sysadmin").update(is_staff=True)
    for _ in range(settings.LOGIN_MAX_FAILURES):
        world.client(None).post("/api/auth/login/", {"username": "sysadmin", "password": "x"}, format="json")
    response = _admin_login("sysadmin", DEMO_PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


def test_admin_login_with_the_right_password_signs_in_and_is_audited(world: World) -> None:
    User.objects.filter(username="sysadmin").update(is_staff=True, failed_login_count=2)
    response = _admin_login("sysadmin", DEMO_PASSWORD)
    assert response.status_code == 302
    assert response.wsgi_request.session["_auth_user_id"] == str(world.user("sysadmin").pk)
    assert User.objects.get(username="sysadmin").failed_login_count == 0
    event = AuditEvent.objects.filter(action="login.succeeded").latest("sequence")
    assert (event.actor_username, event.comment) == ("sysadmin", "admin")


# --- 3. logout ends the session -----------------------------------------------------------------
def test_after_logout_the_access_token_of_that_session_is_refused(world: World) -> None:
    client = world.login("viewer")
    other_device = world.login("viewer")
    assert client.get("/api/auth/me/").status_code == 200

    response = client.post("/api/auth/logout/", {"refresh": client.tokens["refresh"]}, format="json")  # type: ignore[attr-defined]

    assert response.status_code == 205
    refused = client.get("/api/auth/me/")
    assert refused.status_code == 401, refused.json()
    assert refused.json()["code"] == "session_ended"
    assert other_device.get("/api/auth/me/").status_code == 200  # another session goes on
    assert AuditEvent.objects.filter(action="logout").count() == 1


def test_after_logout_a_refreshed_pair_of_that_session_is_refused_too(world: World) -> None:
    client = world.login("viewer")
    first_refresh = client.tokens["refresh"]  # type: ignore[attr-defined]
    pair = client.post("/api/auth/refresh/", {"refresh": first_refresh}, format="json").json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    # Logging out with the refresh token of the session still ends the whole session.
    assert client.post("/api/auth/logout/", {"refresh": pair["refresh"]}, format="json").status_code == 205
    assert client.get("/api/auth/me/").status_code == 401
    assert client.post("/api/auth/refresh/", {"refresh": pair["refresh"]}, format="json").status_code == 401


def test_session_revocation_survives_a_cleared_cache(world: World) -> None:
    from django.core.cache import cache

    client = world.login("viewer")
    client.post("/api/auth/logout/", {"refresh": client.tokens["refresh"]}, format="json")  # type: ignore[attr-defined]
    cache.clear() if not hasattr(cache, "delete_pattern") else cache.delete_pattern("*")
    assert client.get("/api/auth/me/").status_code == 401  # the database remembers


# --- 4. non-object login bodies -----------------------------------------------------------------
@pytest.mark.parametrize("body", ["[null, null]", '"x"', "42", "null", "[]"])
def test_a_login_body_that_is_not_an_object_is_400(world: World, body: str, audit_count: Any) -> None:
    before = audit_count()
    response = world.client(None).post("/api/auth/login/", body, content_type="application/json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert audit_count() == before


# --- 5. deeply nested JSON --------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/api/auth/login/", "/api/crates/"])
def test_deeply_nested_json_is_400(world: World, url: str) -> None:
    response = world.client("docmanager").post(url, "[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


# --- 6. size limits ---------------------------------------------------------------------------
def test_a_description_of_megabytes_is_refused_and_nothing_is_stored(world: World, audit_count: Any) -> None:
    before = audit_count()
    response = world.client("docmanager").post(
        "/api/crates/", {"department": world.qa.pk, "description": "x" * 10_000}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"description": ["Ensure this field has no more than 4000 characters."]}
    assert (Crate.objects.count(), audit_count()) == (0, before)


def test_a_body_over_the_limit_is_413_before_it_is_parsed(world: World, audit_count: Any) -> None:
    before = audit_count()
    description = "x" * (settings.API_JSON_MAX_BYTES + 1)
    body = f'{{"department": {world.qa.pk}, "description": "{description}"}}'
    response = world.client("docmanager").post("/api/crates/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert (Crate.objects.count(), audit_count()) == (0, before)


def test_a_description_at_the_limit_is_stored(world: World) -> None:
    response = world.client("docmanager").post(
        "/api/crates/", {"department": world.qa.pk, "description": "x" * 4000}, format="json"
    )
    assert response.status_code == 201
    assert len(Crate.objects.get().description) == 4000


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/auth/login/", {"username": "viewer", "password": "x" * 10_000}, "password"),
        ("/api/auth/refresh/", {"refresh": "x" * 10_000}, "refresh"),
        ("/api/auth/change-password/", {"old_password": "x" * 10_000, "new_password": "y"}, "old_password"),
    ],
)
def test_secrets_and_tokens_are_bounded(world: World, url: str, body: dict[str, str], field: str) -> None:
    response = world.client("viewer").post(url, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_nginx_caps_bodies_at_the_same_size_as_django() -> None:
    conf = (Path(settings.BASE_DIR).parent / "nginx" / "nginx.conf").read_text()
    assert "client_max_body_size 1m;" in conf
    assert settings.API_JSON_MAX_BYTES == settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024


# --- 7. formulas in the audit CSV ---------------------------------------------------------------
def test_audit_csv_export_neutralises_formulas_from_a_login_name_and_user_agent(world: World) -> None:
    world.client(None).post(
        "/api/auth/login/", {"username": FORMULA, "password": "x"}, format="json", HTTP_USER_AGENT="@SUM(1+1)*cmd"
    )
    response = world.client("sysadmin").get("/api/audit/export/")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    failed = next(row for row in rows if row["action"] == "login.failed")
    assert failed["entity_repr"] == "'" + FORMULA
    assert failed["user_agent"] == "'@SUM(1+1)*cmd"
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())


# --- 8. control characters in the XLSX report ---------------------------------------------------
def test_audit_xlsx_report_strips_control_characters(world: World, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    response = world.client(None).post("/api/auth/login/", {"username": "bad\x1b=name", "password": "x"}, format="json")
    assert response.status_code == 401
    report = reports.report_request(user=world.user("sysadmin"), report="audit", format="xlsx")
    reports.report_generate(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    sheet = load_workbook(reports.report_path(report), read_only=True).active
    values = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert "bad=name" in values
    assert not any("\x1b" in value for value in values)


@pytest.mark.parametrize("url", ["/api/crates/?search=%00", "/api/audit/?action=a%00b"])
def test_a_nul_character_in_the_query_is_400(world: World, url: str) -> None:
    response = world.client("sysadmin").get(url)
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_a_nul_character_in_a_json_string_is_400(world: World, audit_count: Any) -> None:
    before = audit_count()
    body = '{"username": "bad\\u0000name", "password": "x"}'
    response = world.client(None).post("/api/auth/login/", body, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "parse_error")
    assert audit_count() == before


# --- 11. common passwords with decorations ------------------------------------------------------
@pytest.mark.parametrize("password", ["Password123!", "Qwerty123456!", "P@ssw0rd2026!", "Welcome2026!!"])
def test_common_password_variants_are_refused_on_create_and_change(world: World, password: str) -> None:
    body = {"username": "newbie", "full_name": "New Bie", "unit": world.goa.pk, "roles": [], "password": password}
    created = world.client("unitadmin").post("/api/users/", body, format="json")
    assert created.status_code == 400
    assert created.json()["password"] == ["This password is too common."]
    assert not User.objects.filter(username="newbie").exists()

    changed = world.login("viewer").post(
        "/api/auth/change-password/", {"old_password": DEMO_PASSWORD, "new_password": password}, format="json"
    )
    assert changed.status_code == 400
    assert changed.json()["new_password"] == ["This password is too common."]


def test_a_strong_password_is_still_accepted(world: World) -> None:
    body = {"old_password": DEMO_PASSWORD, "new_password": "Tr0ub4dor&3-horse"}
    response = world.login("viewer").post("/api/auth/change-password/", body, format="json")
    assert response.status_code == 204


# --- 12. X-Forwarded-For under the default settings ---------------------------------------------
def test_a_forged_forwarded_for_header_does_not_escape_the_login_throttle(world: World) -> None:
    client = world.client(None)
    statuses = [
        client.post(
            "/api/auth/login/",
            {"username": "viewer", "password": "wrong"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}",
        ).status_code
        for attempt in range(8)
    ]
    assert statuses == [401] * 5 + [429] * 3


def test_the_audit_trail_records_the_peer_address_not_a_forged_header(world: World) -> None:
    world.client(None).post(
        "/api/auth/login/", {"username": "viewer", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR="6.6.6.6"
    )
    assert AuditEvent.objects.get(action="login.failed").ip_address == "127.0.0.1"


# --- 13. no public signing key --------------------------------------------------------------------
def test_a_token_forged_with_the_old_public_key_is_refused(world: World) -> None:
    viewer = world.user("viewer")
    now = timezone.now()
    forged = jwt.encode(
        {
            "token_type": "access",
            "exp": int((now + timedelta(minutes=5)).timestamp()),
            "iat": int(now.timestamp()),
            "jti": "forged",
            "user_id": str(viewer.pk),
            "ver": viewer.auth_version,
        },
        DEFAULT_SECRET_KEY,
        algorithm="HS256",
    )
    response = world.client(None).get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert response.status_code == 401
    assert settings.SECRET_KEY != DEFAULT_SECRET_KEY
    assert settings.SIMPLE_JWT["SIGNING_KEY"] != DEFAULT_SECRET_KEY


# --- 14. company-wide document types --------------------------------------------------------------
@pytest.mark.parametrize("username", ["unitadmin", "unitadmin2"])
def test_a_unit_admin_cannot_change_a_company_wide_document_type(world: World, username: str, audit_count: Any) -> None:
    before = audit_count()
    url = f"/api/document-types/{world.bmr.pk}/"
    response = world.client(username).patch(url, {"retention_years": 1}, format="json")
    assert response.status_code == 403
    assert DocumentType.objects.get(pk=world.bmr.pk).retention_years == 7
    assert audit_count() == before


def test_a_system_administrator_changes_a_document_type(world: World) -> None:
    response = world.client("sysadmin").patch(
        f"/api/document-types/{world.bmr.pk}/", {"retention_years": 10, "reason": "New SOP"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert DocumentType.objects.get(pk=world.bmr.pk).retention_years == 10


# --- Lockout is reported ------------------------------------------------------------------------
def test_a_lockout_notifies_the_user_and_every_system_administrator(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(settings.LOGIN_MAX_FAILURES):
            world.client(None).post("/api/auth/login/", {"username": "approver", "password": "x"}, format="json")

    notes = {(note.user.username, note.title) for note in Notification.objects.select_related("user")}
    assert notes == {
        ("approver", "Your account was locked after repeated failed sign-ins"),
        ("sysadmin", "Account approver was locked"),
    }
    assert AuditEvent.objects.filter(action="user.locked", entity_id=str(world.user("approver").pk)).count() == 1


def test_the_admin_lists_locked_accounts(world: World) -> None:
    User.objects.filter(username="viewer").update(locked_until=timezone.now() + timedelta(minutes=10))
    admin = Client()
    User.objects.filter(username="sysadmin").update(is_staff=True, is_superuser=True)
    admin.force_login(User.objects.get(username="sysadmin"))
    response = admin.get("/admin/accounts/user/?locked=yes")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert [user.username for user in response.context["cl"].result_list] == ["viewer"]
