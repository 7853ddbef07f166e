"""Who holds a role (apps.auth.selectors): the one query behind every "tell the Approvers of
unit X" and "alert the System Administrators"; active users only, a unit's roles within it."""

from django.contrib.auth.models import Group

from apps.auth import roles
from apps.auth.models import User
from apps.auth.selectors import holds_role_q, system_administrators, unit_role_holders
from tests.conftest import World, make_user


def _names(users: object) -> list[str]:
    return sorted(user.username for user in users)  # type: ignore[attr-defined]


def test_a_units_role_holders_are_its_own_active_users_of_that_role(world: World) -> None:
    make_user("approver-left", roles.APPROVER, world.goa, is_active=False)
    assert _names(unit_role_holders(world.goa.pk, roles.APPROVER)) == ["approver"]
    assert _names(unit_role_holders(world.kur.pk, roles.APPROVER)) == ["approver2"]
    assert _names(unit_role_holders(world.kur.pk, roles.STORE_HEAD)) == ["storehead2"]


def test_a_deactivated_role_holder_is_never_a_recipient(world: World) -> None:
    User.objects.filter(username="storehead").update(is_active=False)
    assert list(unit_role_holders(world.goa.pk, roles.STORE_HEAD)) == []


def test_several_roles_name_each_holder_once(world: World) -> None:
    both = make_user("both", roles.APPROVER, world.goa)
    both.groups.add(Group.objects.get(name=roles.DOCUMENT_MANAGER))
    holders = unit_role_holders(world.goa.pk, roles.APPROVER, roles.DOCUMENT_MANAGER)
    assert _names(holders) == ["approver", "both", "docmanager"]
    assert holders.count() == 3


def test_no_unit_or_no_role_holds_nobody(world: World) -> None:
    assert list(unit_role_holders(None, roles.APPROVER)) == []
    assert list(unit_role_holders(world.goa.pk)) == []


def test_a_superuser_is_no_units_approver(world: World) -> None:
    User.objects.create_superuser(username="root", password="x-Very-long-1", unit=world.goa)
    assert _names(unit_role_holders(world.goa.pk, roles.APPROVER)) == ["approver"]


def test_system_administrators_are_active_ones_of_every_unit_and_superusers(world: World) -> None:
    make_user("sysadmin-kur", roles.SYSTEM_ADMINISTRATOR, world.kur)
    make_user("sysadmin-left", roles.SYSTEM_ADMINISTRATOR, world.goa, is_active=False)
    User.objects.create_superuser(username="root", password="x-Very-long-1")
    User.objects.create_superuser(username="root-left", password="x-Very-long-1", is_active=False)
    assert _names(system_administrators()) == ["root", "sysadmin", "sysadmin-kur"]


def test_the_query_and_the_object_check_agree(world: World) -> None:
    User.objects.create_superuser(username="root", password="x-Very-long-1")
    for role in roles.ALL_ROLES:
        by_query = set(User.objects.filter(holds_role_q(role)).values_list("username", flat=True))
        by_check = {user.username for user in User.objects.all() if user.has_role(role)}
        assert by_query == by_check, role
