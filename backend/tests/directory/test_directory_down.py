"""When the directory cannot be reached: a clear 503 for directory users, nothing changed,
local users unaffected."""

from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.auth.models import User
from apps.requests.models import Request
from apps.signatures.models import Signature
from tests.conftest import DEMO_PASSWORD, World
from tests.directory.slapd import PASSWORD, Slapd
from tests.requests.conftest import create_request, in_future, stored_crate


def login(username: str, password: str) -> Any:
    return APIClient().post("/api/auth/login/", {"username": username, "password": password}, format="json")


def bearer(response: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.data['access']}")
    return client


# Refused signatures are audited outside any transaction: a real commit is needed.
@pytest.mark.django_db(transaction=True)
def test_directory_down_answers_503_for_directory_users_only(
    own_directory: Slapd, world: World, audit_count: Any
) -> None:
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
    asha = bearer(login("asha", PASSWORD))
    local = bearer(login("approver", DEMO_PASSWORD))

    own_directory.stop()
    cache.clear()  # the last "still enabled" answer has expired
    before = audit_count()

    me = asha.get("/api/auth/me/")
    assert me.status_code == 503
    assert me.data["code"] == "directory_unavailable"
    assert audit_count() == before

    again = login("asha", PASSWORD)
    assert again.status_code == 503
    assert again.data["code"] == "directory_unavailable"
    user = User.objects.get(username="asha")
    assert user.failed_login_count == 0
    assert audit_count() == before + 1  # the refused sign-in is on the trail

    first_time = login("dev", PASSWORD)
    assert first_time.status_code == 503
    assert not User.objects.filter(username="dev").exists()

    assert local.get("/api/auth/me/").status_code == 200
    assert login("viewer", DEMO_PASSWORD).status_code == 200
    approved = local.post(f"/api/requests/{created['id']}/approve/", {"password": "x", "comment": ""}, format="json")
    assert approved.status_code == 403  # a local signer is checked locally (here: wrong password)
    assert Request.objects.get(pk=created["id"]).status == "submitted"
    assert Signature.objects.count() == 0
