"""`GET /api/auth/me/` is built as a plain dict (apps/auth/representations.py): exactly what
CurrentUserSerializer answers, for every role, a user without a unit, a locked account with
several roles and signature dates, through the token path and the session path."""

import json
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from apps.auth import roles
from apps.auth.models import User
from apps.auth.serializers import CurrentUserSerializer
from apps.core.renderers import ORJSONRenderer
from tests.conftest import World, make_user


def _json(data: Any) -> Any:
    return json.loads(ORJSONRenderer().render(data))


def _expected(username: str) -> Any:
    return _json(CurrentUserSerializer(User.objects.get(username=username)).data)


def test_me_is_what_the_serializer_answers_for_every_kind_of_user(world: World) -> None:
    make_user("nounit", roles.SYSTEM_ADMINISTRATOR, None)
    locked = make_user("locked", roles.APPROVER, world.goa)
    locked.groups.add(Group.objects.get(name=roles.STORE_HEAD))
    now = timezone.now()
    User.objects.filter(pk=locked.pk).update(
        locked_until=now + timedelta(minutes=5),
        failed_login_count=3,
        failed_signature_count=1,
        signature_certified_at=now - timedelta(days=3),
        last_login=now - timedelta(hours=1),
    )
    usernames = [*world.users, "nounit", "locked"]
    for username in usernames:
        answered = world.client(username).get("/api/auth/me/")  # the session path (no read cache)
        assert answered.status_code == 200
        assert answered.json() == _expected(username), username
    me = world.client("locked").get("/api/auth/me/").json()
    assert (me["is_locked"], me["roles"], me["unit_code"]) == (True, sorted([roles.APPROVER, roles.STORE_HEAD]), "GOA")
    assert world.client("nounit").get("/api/auth/me/").json()["unit_code"] is None


def test_me_through_a_token_is_what_the_serializer_answers(world: World) -> None:
    client = world.login("docmanager")
    for _ in range(2):  # a miss, then the read cache's answer
        answered = client.get("/api/auth/me/")
        assert answered.status_code == 200
        assert answered.json() == _expected("docmanager")
