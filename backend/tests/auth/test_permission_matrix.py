"""Every master-data endpoint x every role (docs/roles.md): 403 for a missing capability,
404 for another unit's object, and a refused write changes nothing."""

from collections.abc import Callable
from typing import Any

import pytest

from apps.audit.models import AuditEvent
from apps.auth.models import Department, Unit, User
from apps.crates.models import DocumentType
from apps.storage.models import StorageLocation
from tests.conftest import World

ROLES = ["sysadmin", "unitadmin", "docmanager", "approver", "storehead", "viewer"]
LIST_ENDPOINTS = ["/api/units/", "/api/departments/", "/api/document-types/", "/api/users/", "/api/locations/"]


def create_bodies(world: World) -> dict[str, tuple[str, dict[str, Any], Callable[[], int]]]:
    return {
        "unit": ("/api/units/", {"code": "BLR", "name": "Bengaluru"}, Unit.objects.count),
        "department": (
            "/api/departments/",
            {"unit": world.goa.pk, "code": "RA", "name": "Regulatory"},
            Department.objects.count,
        ),
        "document_type": (
            "/api/document-types/",
            {"code": "CoA", "name": "Certificate", "retention_years": 5},
            DocumentType.objects.count,
        ),
        "location": (
            "/api/locations/",
            {
                "unit": world.goa.pk,
                "parent": world.room.pk,
                "kind": "shelf",
                "code": "GOA-S9",
                "name": "Shelf 9",
                "capacity": 4,
            },
            StorageLocation.objects.count,
        ),
        "user": (
            "/api/users/",
            {
                "username": "newbie",
                "full_name": "New Bie",
                "email": "n@x.local",
                "employee_id": "E1",
                "unit": world.goa.pk,
                "roles": ["Viewer"],
                "password": "Val1d&Password!",
            },
            User.objects.count,
        ),
    }


ALLOWED_TO_CREATE = {
    "unit": {"sysadmin"},
    "department": {"sysadmin", "unitadmin"},
    "document_type": {"sysadmin"},
    "location": {"sysadmin", "unitadmin"},
    "user": {"sysadmin", "unitadmin"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_every_role_reads_master_data(world: World, role: str, endpoint: str) -> None:
    response = world.client(role).get(endpoint)
    assert response.status_code == 200
    assert {"count", "next", "previous", "results"} <= set(response.json())


@pytest.mark.parametrize("endpoint", [*LIST_ENDPOINTS, "/api/audit/"])
def test_anonymous_is_401(world: World, endpoint: str) -> None:
    assert world.client(None).get(endpoint).status_code == 401


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", list(ALLOWED_TO_CREATE))
def test_create_is_allowed_only_to_managing_roles(world: World, role: str, kind: str) -> None:
    url, body, count = create_bodies(world)[kind]
    before, audit_before = count(), AuditEvent.objects.count()
    response = world.client(role).post(url, body, format="json")
    if role in ALLOWED_TO_CREATE[kind]:
        assert response.status_code == 201, response.content
        assert count() == before + 1
        assert AuditEvent.objects.filter(action=f"{kind}.created").count() == 1
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert (count(), AuditEvent.objects.count()) == (before, audit_before)


@pytest.mark.parametrize("role", ROLES)
def test_audit_trail_is_readable_by_admins_and_approvers_only(world: World, role: str) -> None:
    response = world.client(role).get("/api/audit/")
    assert response.status_code == (200 if role in {"sysadmin", "unitadmin", "approver"} else 403)
    export = world.client(role).get("/api/audit/export/")
    assert export.status_code == (200 if role in {"sysadmin", "unitadmin", "approver"} else 403)


def test_audit_events_cannot_be_written_through_the_api(world: World) -> None:
    client = world.client("sysadmin")
    client.get("/api/units/")
    assert client.post("/api/audit/", {"action": "forged"}, format="json").status_code == 405
    from apps.audit import services

    event = services.record(action="probe", entity_type="test")
    assert client.put(f"/api/audit/{event.pk}/", {}, format="json").status_code == 405
    assert client.delete(f"/api/audit/{event.pk}/").status_code == 405


def test_another_units_objects_are_404(world: World) -> None:
    client = world.client("unitadmin")
    kur_user = world.user("docmanager2")
    for url in [
        f"/api/departments/{world.kur_qa.pk}/",
        f"/api/locations/{world.kur_shelf.pk}/",
        f"/api/users/{kur_user.pk}/",
        f"/api/units/{world.kur.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
        assert client.patch(url, {"name": "hijack"}, format="json").status_code == 404, url
    assert client.post(f"/api/users/{kur_user.pk}/deactivate/").status_code == 404
    assert User.objects.get(pk=kur_user.pk).is_active is True
    assert Department.objects.get(pk=world.kur_qa.pk).name == "Quality Assurance"


def test_lists_show_only_the_own_unit_except_for_system_administrators(world: World) -> None:
    goa_codes = {row["code"] for row in world.client("viewer").get("/api/locations/?page_size=100").json()["results"]}
    assert goa_codes == {"GOA-AR1", "GOA-S1", "GOA-S2"}
    all_codes = {row["code"] for row in world.client("sysadmin").get("/api/locations/?page_size=100").json()["results"]}
    assert "KUR-S1" in all_codes
    usernames = {
        row["username"] for row in world.client("unitadmin").get("/api/users/?page_size=100").json()["results"]
    }
    assert "docmanager2" not in usernames and "viewer" in usernames


def test_unit_admin_cannot_grant_system_administrator(world: World) -> None:
    client = world.client("unitadmin")
    before = User.objects.count()
    response = client.post(
        "/api/users/",
        {
            "username": "escalate",
            "full_name": "Escalate",
            "unit": world.goa.pk,
            "roles": ["System Administrator"],
            "password": "Val1d&Password!",
        },
        format="json",
    )
    assert response.status_code == 403
    assert User.objects.count() == before
    viewer = world.user("viewer")
    response = client.patch(f"/api/users/{viewer.pk}/", {"roles": ["System Administrator"]}, format="json")
    assert response.status_code == 403
    assert list(User.objects.get(pk=viewer.pk).groups.values_list("name", flat=True)) == ["Viewer"]


def test_unit_admin_cannot_touch_a_system_administrator(world: World) -> None:
    sysadmin = world.user("sysadmin")
    response = world.client("unitadmin").post(f"/api/users/{sysadmin.pk}/deactivate/")
    assert response.status_code == 403
    assert User.objects.get(pk=sysadmin.pk).is_active is True


def test_unit_admin_creates_users_only_in_own_unit(world: World) -> None:
    response = world.client("unitadmin").post(
        "/api/users/",
        {
            "username": "kurperson",
            "full_name": "Kur Person",
            "unit": world.kur.pk,
            "roles": ["Viewer"],
            "password": "Val1d&Password!",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "unit" in response.json()
    assert not User.objects.filter(username="kurperson").exists()


def test_system_administrator_grants_roles_and_the_change_is_audited(world: World) -> None:
    viewer = world.user("viewer")
    response = world.client("sysadmin").patch(
        f"/api/users/{viewer.pk}/", {"roles": ["Viewer", "Approver"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["roles"] == ["Approver", "Viewer"]
    event = AuditEvent.objects.get(action="user.updated", entity_id=str(viewer.pk))
    assert event.changes == {"roles": [["Viewer"], ["Approver", "Viewer"]]}


def test_users_are_never_deleted(world: World) -> None:
    viewer = world.user("viewer")
    assert world.client("sysadmin").delete(f"/api/users/{viewer.pk}/").status_code == 405
    assert User.objects.filter(pk=viewer.pk).exists()


def test_request_raisers_list_every_active_unit_as_transfer_targets(world: World) -> None:
    world.kur.is_active = True
    world.kur.save()
    Unit.objects.create(code="OLD", name="Closed plant", is_active=False)
    codes = {row["code"] for row in world.client("docmanager").get("/api/units/?scope=all").json()["results"]}
    assert codes == {"GOA", "KUR"}
    # Without the capability, or without scope=all, a user still sees only their own unit.
    assert [row["code"] for row in world.client("viewer").get("/api/units/?scope=all").json()["results"]] == ["GOA"]
    assert [row["code"] for row in world.client("docmanager").get("/api/units/").json()["results"]] == ["GOA"]
    # The list is for choosing; another unit's details stay 404.
    assert world.client("docmanager").get(f"/api/units/{world.kur.pk}/?scope=all").status_code == 404
