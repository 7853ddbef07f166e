"""`manage.py initial_setup` (docs/running.md): groups, superuser, sample data, demo users; idempotent."""

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command

from apps.audit.services import verify_chain
from apps.auth import roles
from apps.auth.models import User
from apps.storage.models import StorageLocation

DEMO_USERNAMES = ["sysadmin", "unitadmin", "docmanager", "approver", "storehead", "viewer", "docmanager2", "storehead2"]


def state() -> dict[str, int]:
    counted = [
        "accounts.User",
        "accounts.Unit",
        "accounts.Department",
        "storage.StorageLocation",
        "crates.DocumentType",
        "crates.Crate",
        "crates.Document",
        "requests.Request",
        "audit.AuditEvent",
        "auth.Group",
    ]
    return {name: apps.get_model(name).objects.count() for name in counted}


@pytest.mark.django_db
def test_initial_setup_demo_creates_everything_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DMS_ADMIN_PASSWORD", "Adm1n&Password!")
    call_command("initial_setup", "--demo", stdout=io.StringIO())
    first = state()
    call_command("initial_setup", "--demo", stdout=io.StringIO())
    assert state() == first

    assert set(Group.objects.values_list("name", flat=True)) == set(roles.ALL_ROLES)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("Adm1n&Password!")
    for username in DEMO_USERNAMES:
        user = User.objects.get(username=username)
        assert user.check_password("Demo@12345678"), username
        assert user.unit is not None and user.unit.code == ("KUR" if username.endswith("2") else "GOA")
    assert User.objects.get(username="approver").role_names == {roles.APPROVER}
    for unit in ("GOA", "KUR"):
        free = sum(loc.capacity - loc.occupied for loc in StorageLocation.objects.filter(unit__code=unit))
        assert free >= 300, unit
    assert verify_chain().valid


@pytest.mark.django_db
def test_initial_setup_prints_a_generated_admin_password_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DMS_ADMIN_PASSWORD", raising=False)
    out = io.StringIO()
    call_command("initial_setup", stdout=out)
    assert "created with password" in out.getvalue()
    assert not User.objects.filter(username="viewer").exists()  # no demo users without --demo
    out = io.StringIO()
    call_command("initial_setup", stdout=out)
    assert "created with password" not in out.getvalue()


@pytest.mark.django_db
def test_groups_carry_real_permissions() -> None:
    call_command("initial_setup", stdout=io.StringIO())
    approver = Group.objects.get(name=roles.APPROVER)
    codenames = set(approver.permissions.values_list("codename", flat=True))
    assert {"approve_request", "set_legal_hold", "view_auditevent"} <= codenames
    assert "execute_request" not in codenames
    store_head = set(Group.objects.get(name=roles.STORE_HEAD).permissions.values_list("codename", flat=True))
    assert {"execute_request", "receive_sendback", "relocate_crate"} <= store_head
    assert "approve_request" not in store_head
