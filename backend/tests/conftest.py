"""Shared fixtures: a small world of two units with the demo users of docs/running.md."""

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.management.commands import flush
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from apps.audit.models import AuditEvent
from apps.auth import roles
from apps.auth.models import Department, Unit, User
from apps.crates.models import DocumentType
from apps.storage.models import StorageLocation

DEMO_PASSWORD = "Demo@12345678"

_original_flush = flush.Command.handle


def _flush_bypassing_audit_triggers(self: Any, *args: Any, **options: Any) -> Any:
    """Test teardown truncates every table; on PostgreSQL the audit table's triggers forbid
    that. A superuser session may switch triggers off with session_replication_role — the
    deliberate bypass the application role cannot use (docs/audit.md)."""
    connection = connections[options.get("database") or "default"]
    if connection.vendor != "postgresql":
        return _original_flush(self, *args, **options)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        return _original_flush(self, *args, **options)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


# A deliberate session-wide patch of Django's flush command (see above).
flush.Command.handle = _flush_bypassing_audit_triggers  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """PBKDF2's deliberate slowness is for attackers, not for a test suite on two cores."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Throttle counters and ws tickets live in the cache: start each test clean.

    On Redis only this installation's keys (its KEY_PREFIX) go, not the whole database."""
    from django.core.cache import cache

    delete_pattern = getattr(cache, "delete_pattern", None)
    if delete_pattern is not None:
        delete_pattern("*")
    else:
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _eager_celery() -> Iterator[None]:
    """Tasks queued by the code under test (e-mails, exports) run in-process, never onto the
    shared broker where no worker would take them. Tests of a real worker switch this off."""
    from config.celery import app

    previous = app.conf.task_always_eager
    # The app reads Django settings under the CELERY_ namespace: set the namespaced key.
    app.conf.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.CELERY_TASK_ALWAYS_EAGER = previous


def make_user(username: str, role: str | None, unit: Unit | None, **extra: Any) -> User:
    # Certified (21 CFR 11.100(c)) unless a test says otherwise, so every user may sign.
    extra.setdefault("signature_certified_at", timezone.now())
    user = User(
        username=username,
        full_name=extra.pop("full_name", username.title()),
        unit=unit,
        email=f"{username}@test.local",
        **extra,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


class LoggedInClient(APIClient):
    """An API client signed in through the login endpoint; `tokens` is the login response."""

    tokens: dict[str, Any]

    def request(self, **kwargs: Any) -> Any:
        response = super().request(**kwargs)
        # An answer served from the read cache (apps/auth/readcache.py) is a plain HttpResponse:
        # give it the parsed body that DRF's Response carries, so tests read both alike.
        if not hasattr(response, "data") and response.get("Content-Type", "").startswith("application/json"):
            response.data = response.json()
        return response


class World:
    """Two units (GOA, KUR), departments, document types, locations and one user per role."""

    def __init__(self) -> None:
        self.goa = Unit.objects.create(code="GOA", name="Goa Plant")
        self.kur = Unit.objects.create(code="KUR", name="Kurkumbh Plant")
        self.qa = Department.objects.create(unit=self.goa, code="QA", name="Quality Assurance")
        self.kur_qa = Department.objects.create(unit=self.kur, code="QA", name="Quality Assurance")
        self.bmr = DocumentType.objects.create(code="BMR", name="Batch Manufacturing Record", retention_years=7)
        self.log = DocumentType.objects.create(code="LOG", name="Equipment Log", retention_years=1)
        self.room = StorageLocation.objects.create(
            unit=self.goa, kind="room", code="GOA-AR1", name="Archive Room 1", path="Archive Room 1"
        )
        self.shelf = StorageLocation.objects.create(
            unit=self.goa,
            parent=self.room,
            kind="shelf",
            code="GOA-S1",
            name="Shelf 1",
            capacity=10,
            path="Archive Room 1 / Shelf 1",
        )
        self.shelf2 = StorageLocation.objects.create(
            unit=self.goa,
            parent=self.room,
            kind="shelf",
            code="GOA-S2",
            name="Shelf 2",
            capacity=5,
            path="Archive Room 1 / Shelf 2",
        )
        self.kur_shelf = StorageLocation.objects.create(
            unit=self.kur, kind="shelf", code="KUR-S1", name="KUR Shelf 1", capacity=10, path="KUR Shelf 1"
        )
        self.users = {
            "sysadmin": make_user("sysadmin", roles.SYSTEM_ADMINISTRATOR, self.goa),
            "unitadmin": make_user("unitadmin", roles.UNIT_ADMIN, self.goa),
            "docmanager": make_user("docmanager", roles.DOCUMENT_MANAGER, self.goa),
            "approver": make_user("approver", roles.APPROVER, self.goa),
            "storehead": make_user("storehead", roles.STORE_HEAD, self.goa),
            "viewer": make_user("viewer", roles.VIEWER, self.goa),
            "docmanager2": make_user("docmanager2", roles.DOCUMENT_MANAGER, self.kur),
            "storehead2": make_user("storehead2", roles.STORE_HEAD, self.kur),
            "unitadmin2": make_user("unitadmin2", roles.UNIT_ADMIN, self.kur),
            "approver2": make_user("approver2", roles.APPROVER, self.kur),
        }

    def user(self, username: str) -> User:
        return self.users[username]

    def client(self, username: str | None) -> APIClient:
        """An API client authenticated as the user (force_authenticate: no token round trip)."""
        client = APIClient()
        if username is not None:
            client.force_authenticate(User.objects.get(username=username))
        return client

    def login(self, username: str, password: str = DEMO_PASSWORD) -> "LoggedInClient":
        """An API client holding a real JWT from POST /api/auth/login/."""
        client = LoggedInClient()
        response = client.post("/api/auth/login/", {"username": username, "password": password}, format="json")
        assert response.status_code == 200, response.content
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.data['access']}")
        client.tokens = response.data
        return client


@pytest.fixture
def world(db: None) -> World:
    return World()


@pytest.fixture
def audit_count() -> Callable[[], int]:
    return lambda: AuditEvent.objects.count()


@pytest.fixture
def today() -> datetime.date:
    return datetime.date.today()


def is_postgres() -> bool:
    return connections["default"].vendor == "postgresql"


def record_calls(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[tuple[Any, ...]]:
    """Record the positional arguments of every call of `owner.name` from now on (a class's
    method: `self` first), each call still running the original. Returns the list it fills."""
    calls: list[tuple[Any, ...]] = []
    original = getattr(owner, name)

    def recorded(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)
    return calls
