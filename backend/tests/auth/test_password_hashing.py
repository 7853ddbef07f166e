"""Passwords are hashed with Argon2; a PBKDF2 hash from before still signs in and is
re-hashed with Argon2 at that login."""

from typing import Any

from django.contrib.auth.hashers import make_password
from rest_framework.test import APIClient

from apps.auth.models import User
from config import settings as configured
from tests.conftest import DEMO_PASSWORD, World


def test_argon2_hashes_new_passwords_and_pbkdf2_hashes_still_verify() -> None:
    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in configured.PASSWORD_HASHERS


def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_the_next_login(world: World, settings: Any) -> None:
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS
    user = world.user("viewer")
    User.objects.filter(pk=user.pk).update(password=make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256"))

    response = APIClient().post("/api/auth/login/", {"username": "viewer", "password": DEMO_PASSWORD}, format="json")

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(DEMO_PASSWORD)
    again = APIClient().post("/api/auth/login/", {"username": "viewer", "password": DEMO_PASSWORD}, format="json")
    assert again.status_code == 200
