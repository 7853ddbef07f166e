import hashlib
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from apps.auth import roles
from apps.core.limits import LONG_TEXT_MAX_LENGTH


class Unit(models.Model):
    code = models.CharField(max_length=10, unique=True, help_text="Short code, e.g. GOA")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Department(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="departments")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="department_code_unique_per_unit"),
            models.UniqueConstraint(fields=["unit", "name"], name="department_name_unique_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class User(AbstractUser):
    class Source(models.TextChoices):
        LOCAL = "local", "Local account"
        DIRECTORY = "directory", "Directory (LDAP / Active Directory)"

    full_name = models.CharField(max_length=200)
    employee_id = models.CharField(max_length=50, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    failed_login_count = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Embedded in every JWT; bumping it (password change, deactivation) voids outstanding tokens.
    auth_version = models.PositiveIntegerField(default=0)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    # Directory users have no password in DMS: the directory checks it at sign-in and at
    # every signature, and its groups set their roles and unit.
    auth_source = models.CharField(max_length=10, choices=Source.choices, default=Source.LOCAL)
    # 21 CFR 11.100(c): when the user certified that their electronic signature is the legally
    # binding equivalent of their handwritten one; null = they cannot sign yet.
    signature_certified_at = models.DateTimeField(null=True, blank=True)
    # Consecutive wrong signature passwords; SIGNATURE_MAX_FAILURES lock the account (11.300(d)).
    failed_signature_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["username"]
        permissions = [
            ("unlock_user", "Can unlock a locked-out user"),
            ("grant_system_administrator", "Can grant the System Administrator role"),
        ]

    def __str__(self) -> str:
        return f"{self.username} ({self.full_name})" if self.full_name else self.username

    @cached_property
    def permission_names(self) -> frozenset[str]:
        """Every permission the user holds ("app.codename"), read once per user object."""
        return frozenset(self.get_all_permissions())

    @cached_property
    def permissions_digest(self) -> str:
        """A short digest of `permission_names`: the read cache shares an answer between the users
        of a unit who hold the same permissions (apps/auth/readcache.py). Computed with the
        cached identity (apps/auth/identity.py), not for every request."""
        return hashlib.sha256(",".join(sorted(self.permission_names)).encode()).hexdigest()[:24]

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        # Asked for each row of a list (its allowed actions): Django walks the authentication
        # backends on every call, which cost more than the row's other work. Without an object
        # the answer is the backends' permission set, as ModelBackend gives it (an inactive
        # user holds none, a superuser all); with one, Django's own walk answers.
        if obj is not None:
            return super().has_perm(perm, obj)
        if not self.is_active:
            return False
        return self.is_superuser or perm in self.permission_names

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(group.name for group in self.groups.all())

    @property
    def is_system_admin(self) -> bool:
        return self.is_superuser or roles.SYSTEM_ADMINISTRATOR in self.role_names

    def has_role(self, role: str) -> bool:
        return role in self.role_names or (self.is_superuser and role == roles.SYSTEM_ADMINISTRATOR)

    @property
    def is_directory_user(self) -> bool:
        return self.auth_source == self.Source.DIRECTORY

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class RevokedSession(models.Model):
    """A signed-out session (docs/roles.md: logout ends the session). Every token of a session
    carries its id (claim "sid"); the access token of a revoked session is refused although
    its signature and expiry are still valid. Rows are useless once the refresh token would
    have expired, and are flushed then."""

    sid = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    revoked_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"session {self.sid} of {self.user_id}"
