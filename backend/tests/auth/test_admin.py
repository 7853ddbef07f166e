"""The Django admin writes units, departments, users and document types through the services:
the same audit events as the API, and a Unit Admin meets the same rules there as in the API."""

from typing import Any

import pytest
from django.test import Client

from apps.audit.models import AuditEvent
from apps.auth import roles
from apps.auth.models import Department, Unit, User
from apps.crates.models import DocumentType
from tests.conftest import World


def admin_client(world: World, username: str) -> Client:
    user = world.user(username)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def last_event() -> tuple[Any, ...]:
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    return (event.action, event.entity_type, event.entity_id, event.unit_id, event.actor_username, event.comment)


def event_changes() -> dict[str, Any]:
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    return dict(event.changes)


def user_form(user: User, **overrides: Any) -> dict[str, Any]:
    form = {
        "full_name": user.full_name,
        "email": user.email,
        "employee_id": user.employee_id,
        "unit": user.unit_id or "",
        "is_active": "on" if user.is_active else "",
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "new_password": "",
    }
    form.update(overrides)
    return {name: value for name, value in form.items() if value not in ("", None)}


def test_admin_unit_edit_writes_the_same_audit_event_as_the_api(world: World) -> None:
    client = admin_client(world, "sysadmin")
    response = client.post(
        f"/admin/accounts/unit/{world.goa.pk}/change/",
        {"code": "GOA", "name": "Goa Plant (admin)", "address": "", "is_active": "on"},
    )
    assert response.status_code == 302
    from_admin = (last_event(), event_changes())

    api_response = world.client("sysadmin").patch(
        f"/api/units/{world.goa.pk}/", {"name": "Goa Plant (api)"}, format="json"
    )
    assert api_response.status_code == 200
    from_api = (last_event(), event_changes())

    assert from_admin == (
        ("unit.updated", "unit", str(world.goa.pk), world.goa.pk, "sysadmin", ""),
        {"name": ["Goa Plant", "Goa Plant (admin)"]},
    )
    assert from_api == (
        ("unit.updated", "unit", str(world.goa.pk), world.goa.pk, "sysadmin", ""),
        {"name": ["Goa Plant (admin)", "Goa Plant (api)"]},
    )


def test_admin_department_and_document_type_creation_is_audited_like_the_api(world: World) -> None:
    client = admin_client(world, "unitadmin")
    response = client.post(
        "/admin/accounts/department/add/",
        {"unit": world.goa.pk, "code": "ENG", "name": "Engineering", "is_active": "on"},
    )
    assert response.status_code == 302
    department = Department.objects.get(unit=world.goa, code="ENG")
    assert last_event() == ("department.created", "department", str(department.pk), world.goa.pk, "unitadmin", "")
    assert event_changes() == {
        "unit": [None, world.goa.pk],
        "code": [None, "ENG"],
        "name": [None, "Engineering"],
        "is_active": [None, True],
    }

    body = {"code": "MSDS", "name": "Safety Data Sheet", "retention_years": 3, "retention_trigger": "record_date"}
    # Document types are company-wide: a Unit Admin may not add one, a System Administrator may.
    assert client.post("/admin/crates/documenttype/add/", body).status_code == 403
    response = admin_client(world, "sysadmin").post("/admin/crates/documenttype/add/", body)
    assert response.status_code == 302
    document_type = DocumentType.objects.get(code="MSDS")
    assert last_event()[:3] == ("document_type.created", "documenttype", str(document_type.pk))
    assert event_changes() == {
        "code": [None, "MSDS"],
        "name": [None, "Safety Data Sheet"],
        "retention_years": [None, 3],
        "retention_trigger": [None, "record_date"],
        "event_name": [None, ""],
        "is_active": [None, False],
    }


def test_admin_user_creation_goes_through_the_service_with_roles(world: World) -> None:
    client = admin_client(world, "unitadmin")
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newclerk",
            "full_name": "New Clerk",
            "email": "newclerk@test.local",
            "unit": world.goa.pk,
            "roles": [roles.VIEWER],
            "password1": "Clerk@123456789",
            "password2": "Clerk@123456789",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newclerk")
    assert (
        user.unit_id,
        sorted(user.groups.values_list("name", flat=True)),
        user.check_password("Clerk@123456789"),
    ) == (
        world.goa.pk,
        [roles.VIEWER],
        True,
    )
    assert last_event() == ("user.created", "user", str(user.pk), world.goa.pk, "unitadmin", "")
    assert event_changes()["roles"] == [[], [roles.VIEWER]]


def test_unit_admin_in_the_admin_cannot_grant_system_administrator(world: World, audit_count: Any) -> None:
    viewer = world.user("viewer")
    before = audit_count()
    client = admin_client(world, "unitadmin")
    response = client.post(
        f"/admin/accounts/user/{viewer.pk}/change/",
        user_form(viewer, full_name="Renamed", roles=[roles.VIEWER, roles.SYSTEM_ADMINISTRATOR]),
        follow=True,
    )
    assert response.status_code == 200
    assert "Only a System Administrator can grant the System Administrator role." in response.content.decode()
    viewer.refresh_from_db()
    assert (viewer.full_name, sorted(viewer.groups.values_list("name", flat=True))) == ("Viewer", [roles.VIEWER])
    assert audit_count() == before


def test_unit_admin_in_the_admin_cannot_change_a_system_administrator(world: World, audit_count: Any) -> None:
    sysadmin = world.user("sysadmin")
    before = audit_count()
    client = admin_client(world, "unitadmin")
    response = client.post(f"/admin/accounts/user/{sysadmin.pk}/change/", user_form(sysadmin, is_active=""))
    assert response.status_code == 302
    sysadmin.refresh_from_db()
    assert sysadmin.is_active is True
    assert audit_count() == before


def test_unit_admin_in_the_admin_does_not_see_another_units_users_or_departments(
    world: World, audit_count: Any
) -> None:
    kur_user = world.user("docmanager2")
    before = audit_count()
    client = admin_client(world, "unitadmin")

    listing = client.get("/admin/accounts/user/").content.decode()
    assert ("docmanager2" in listing, "viewer" in listing) == (False, True)
    response = client.post(f"/admin/accounts/user/{kur_user.pk}/change/", user_form(kur_user, full_name="Taken"))
    assert response.status_code == 302  # the admin's "does not exist" redirect
    response = client.post(
        f"/admin/accounts/department/{world.kur_qa.pk}/change/",
        {"unit": world.kur.pk, "code": "QA", "name": "Taken", "is_active": "on"},
    )
    assert response.status_code == 302
    response = client.post(
        "/admin/accounts/department/add/", {"unit": world.kur.pk, "code": "ENG", "name": "Engineering"}
    )
    assert response.status_code == 200  # the form offers the own unit only

    kur_user.refresh_from_db()
    world.kur_qa.refresh_from_db()
    assert (kur_user.full_name, world.kur_qa.name) == ("Docmanager2", "Quality Assurance")
    assert not Department.objects.filter(code="ENG").exists()
    assert audit_count() == before


def test_unit_admin_in_the_admin_cannot_create_units_and_nothing_is_deleted(world: World) -> None:
    client = admin_client(world, "unitadmin")
    assert client.post("/admin/accounts/unit/add/", {"code": "NEW", "name": "New"}).status_code == 403
    sysadmin = admin_client(world, "sysadmin")
    for url in (
        f"/admin/accounts/unit/{world.goa.pk}/delete/",
        f"/admin/accounts/department/{world.qa.pk}/delete/",
        f"/admin/accounts/user/{world.user('viewer').pk}/delete/",
    ):
        assert sysadmin.post(url, {"post": "yes"}).status_code == 403, url
    assert (Unit.objects.count(), Department.objects.count(), User.objects.filter(username="viewer").count()) == (
        2,
        2,
        1,
    )


def test_the_service_refuses_another_units_department_to_every_client(world: World) -> None:
    from apps.auth import services
    from apps.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        services.department_update(actor=world.user("unitadmin"), department=world.kur_qa, data={"name": "Taken"})
    assert (refused.value.code, refused.value.status) == ("not_found", 404)
    with pytest.raises(ApplicationError) as refused:
        services.department_create(actor=world.user("unitadmin"), unit=world.kur, code="ENG", name="Engineering")
    assert refused.value.fields == {"unit": ["You can only manage departments of your own unit."]}
    assert Department.objects.filter(code="ENG").count() == 0


def test_admin_cannot_change_a_document_types_retention_schedule(world: World) -> None:
    # The schedule changes only through the API (reason, recompute, signature when shortened).
    client = admin_client(world, "sysadmin")
    body = {
        "code": world.bmr.code,
        "name": "Batch record (renamed)",
        "retention_years": 1,
        "is_active": "on",
        "reason": "Name per SOP-001 rev 2",
    }
    response = client.post(f"/admin/crates/documenttype/{world.bmr.pk}/change/", body)
    assert response.status_code == 302
    world.bmr.refresh_from_db()
    assert (world.bmr.name, world.bmr.retention_years) == ("Batch record (renamed)", 7)
    assert event_changes() == {"name": ["Batch Manufacturing Record", "Batch record (renamed)"]}
    assert last_event()[-1] == "Name per SOP-001 rev 2"
