"""Passwords are hashed with Argon2id at OWASP's setting (19 MiB, 2 passes, 1 lane); a PBKDF2
hash or an Argon2 hash of Django's heavier default parameters from before still signs in and
is re-hashed with the project's parameters at that login."""

from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from rest_framework.test import APIClient

from apps.auth.models import User
from config import settings as configured
from tests.conftest import DEMO_PASSWORD, World

OWASP_PARAMETERS = "$v=19$m=19456,t=2,p=1$"


def test_new_passwords_get_argon2id_at_the_owasp_parameters(settings: Any) -> None:
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS
    encoded = make_password(DEMO_PASSWORD)

    assert encoded.startswith("argon2$argon2id$")
    assert OWASP_PARAMETERS in encoded
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in configured.PASSWORD_HASHERS


def _login(username: str) -> int:
    response = APIClient().post("/api/auth/login/", {"username": username, "password": DEMO_PASSWORD}, format="json")
    return response.status_code


@pytest.mark.parametrize(
    ("old_hasher", "old_prefix"),
    [
        ("pbkdf2_sha256", "pbkdf2_sha256$"),
        # Django's own Argon2 hasher: the same algorithm name, 100 MiB and 8 lanes.
        ("argon2", "argon2$argon2id$v=19$m=102400,t=2,p=8$"),
    ],
)
def test_an_older_hash_is_upgraded_at_the_next_login(
    world: World, settings: Any, old_hasher: str, old_prefix: str
) -> None:
    user = world.user("viewer")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher", *configured.PASSWORD_HASHERS[1:]]
    old = make_password(DEMO_PASSWORD, hasher=old_hasher)
    assert old.startswith(old_prefix)
    User.objects.filter(pk=user.pk).update(password=old)
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS

    assert _login("viewer") == 200

    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert OWASP_PARAMETERS in user.password
    assert user.check_password(DEMO_PASSWORD)
    assert _login("viewer") == 200


def test_a_wrong_password_does_not_upgrade_an_older_hash(world: World, settings: Any) -> None:
    user = world.user("viewer")
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS
    old = make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256")
    User.objects.filter(pk=user.pk).update(password=old)

    response = APIClient().post("/api/auth/login/", {"username": "viewer", "password": "Wrong@123456"}, format="json")

    assert response.status_code == 401
    user.refresh_from_db()
    assert user.password == old
