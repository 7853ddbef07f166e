"""Managing accounts (docs/roles.md): a Unit Admin manages their own unit's users but never a
System Administrator; each user read says what the reader may do with it (`allowed_actions`)."""

from apps.audit.models import AuditEvent
from apps.auth.models import User
from tests.conftest import World


def _actions(world: World, reader: str) -> dict[str, list[str]]:
    response = world.client(reader).get("/api/users/?page_size=100")
    assert response.status_code == 200
    return {row["username"]: row["allowed_actions"] for row in response.data["results"]}


def test_a_unit_admin_is_offered_nothing_on_a_system_administrator(world: World) -> None:
    actions = _actions(world, "unitadmin")
    assert actions["sysadmin"] == []
    assert actions["viewer"] == ["edit", "deactivate"]
    assert actions["unitadmin"] == ["edit"]  # never deactivates themselves


def test_a_system_administrator_is_offered_every_user(world: World) -> None:
    actions = _actions(world, "sysadmin")
    assert actions["unitadmin"] == ["edit", "deactivate"]
    assert actions["docmanager2"] == ["edit", "deactivate"]
    assert actions["sysadmin"] == ["edit"]


def test_a_role_without_user_management_is_offered_nothing(world: World) -> None:
    # Every role reads its unit's users (master data) but only managers change them.
    for reader in ("approver", "viewer", "docmanager"):
        assert set(map(tuple, _actions(world, reader).values())) == {()}, reader


def test_unlock_is_offered_only_for_a_locked_account(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    User.objects.filter(username="viewer").update(locked_until=timezone.now() + timedelta(minutes=5))
    assert _actions(world, "unitadmin")["viewer"] == ["edit", "deactivate", "unlock"]


def test_the_api_refuses_a_unit_admin_changing_a_system_administrator(world: World) -> None:
    sysadmin = world.user("sysadmin")
    before = AuditEvent.objects.count()
    client = world.client("unitadmin")
    edit = client.patch(f"/api/users/{sysadmin.pk}/", {"full_name": "Taken over"}, format="json")
    deactivate = client.post(f"/api/users/{sysadmin.pk}/deactivate/")
    for response in (edit, deactivate):
        assert (response.status_code, response.data["code"]) == (403, "permission_denied")
    sysadmin.refresh_from_db()
    assert sysadmin.is_active and sysadmin.full_name != "Taken over"
    assert AuditEvent.objects.count() == before


def test_a_deactivated_user_stays_listed_as_inactive(world: World) -> None:
    viewer = world.user("viewer")
    response = world.client("unitadmin").post(f"/api/users/{viewer.pk}/deactivate/")
    assert response.status_code == 200
    assert response.data["is_active"] is False
    assert response.data["allowed_actions"] == ["edit"]
    listed = world.client("unitadmin").get("/api/users/?page_size=100").data["results"]
    assert [row["is_active"] for row in listed if row["username"] == "viewer"] == [False]
    assert AuditEvent.objects.filter(action="user.updated", entity_id=str(viewer.pk)).count() == 1
