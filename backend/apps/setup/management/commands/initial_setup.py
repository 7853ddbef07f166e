"""Prepare a fresh installation (docs/running.md): role groups, a superuser, sample master data.

Idempotent: a second run finds everything in place and changes nothing. `--demo` adds one
user per role in unit GOA plus docmanager2 / storehead2 in KUR (password Demo@12345678),
roomy locations in both units, and a handful of crates and requests. Never use --demo in
production.
"""

import os
import secrets
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from apps.audit import services as audit
from apps.auth import roles
from apps.auth.models import Department, Unit, User
from apps.crates.models import DocumentType
from apps.setup.demo import DEMO_PASSWORD, create_demo_workflows
from apps.storage.models import StorageLocation

UNITS = [
    ("GOA", "Goa Plant", "Verna Industrial Estate, Goa"),
    ("KUR", "Kurkumbh Plant", "MIDC Kurkumbh, Pune"),
]
DEPARTMENTS = [("QA", "Quality Assurance"), ("QC", "Quality Control"), ("PROD", "Production")]
DOCUMENT_TYPES = [
    ("BMR", "Batch Manufacturing Record", 7),
    ("SOP", "Standard Operating Procedure", 10),
    ("VAL", "Validation File", 15),
    ("LNB", "Laboratory Notebook", 5),
    ("LOG", "Equipment Log", 1),
]
DEMO_USERS = [
    ("sysadmin", "Sanjay Sysadmin", roles.SYSTEM_ADMINISTRATOR, "GOA"),
    ("unitadmin", "Uma Unitadmin", roles.UNIT_ADMIN, "GOA"),
    ("docmanager", "Divya Docmanager", roles.DOCUMENT_MANAGER, "GOA"),
    ("approver", "Arjun Approver", roles.APPROVER, "GOA"),
    ("storehead", "Sunil Storehead", roles.STORE_HEAD, "GOA"),
    ("viewer", "Vera Viewer", roles.VIEWER, "GOA"),
    ("docmanager2", "Deepak Docmanager", roles.DOCUMENT_MANAGER, "KUR"),
    ("storehead2", "Shreya Storehead", roles.STORE_HEAD, "KUR"),
]
# One room per unit: 4 racks x 5 shelves x 20 crates = 400 places per unit.
RACKS, SHELVES, SHELF_CAPACITY = 4, 5, 20


class Command(BaseCommand):
    help = "Create role groups, a superuser and sample master data (idempotent); --demo adds demo users and data."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--demo", action="store_true", help="Add demo users, locations, crates and requests.")
        parser.add_argument("--admin-username", default=os.environ.get("DMS_ADMIN_USERNAME", "admin"))

    def handle(self, *args: Any, **options: Any) -> None:
        roles.sync_role_groups()
        with transaction.atomic():
            self._superuser(options["admin_username"])
            units = {code: self._unit(code, name, address) for code, name, address in UNITS}
            for unit in units.values():
                for code, name in DEPARTMENTS:
                    self._get_or_create(Department, {"unit": unit, "code": code}, {"name": name})
                self._locations(unit)
            for code, name, years in DOCUMENT_TYPES:
                self._get_or_create(DocumentType, {"code": code}, {"name": name, "retention_years": years})
            if options["demo"]:
                for username, full_name, role, unit_code in DEMO_USERS:
                    self._demo_user(username, full_name, role, units[unit_code])
        if options["demo"]:
            created = create_demo_workflows()
            self.stdout.write(f"Demo crates and requests: {created}")
        self.stdout.write(self.style.SUCCESS("initial_setup complete."))

    def _get_or_create(self, model: Any, lookup: dict[str, Any], defaults: dict[str, Any]) -> Any:
        instance = model.objects.filter(**lookup).first()
        if instance is None:
            instance = model.objects.create(**lookup, **defaults)
            audit.record(
                action=f"{model._meta.model_name}.created", instance=instance, actor=None, comment="initial_setup"
            )
        return instance

    def _unit(self, code: str, name: str, address: str) -> Unit:
        unit = self._get_or_create(Unit, {"code": code}, {"name": name, "address": address})
        return unit  # type: ignore[no-any-return]

    def _locations(self, unit: Unit) -> None:
        room = self._location(unit, None, "room", f"{unit.code}-AR1", "Archive Room 1", 0)
        for rack_number in range(RACKS):
            letter = "ABCDEFGH"[rack_number]
            rack = self._location(unit, room, "rack", f"{unit.code}-AR1-R{letter}", f"Rack {letter}", 0)
            for shelf in range(1, SHELVES + 1):
                self._location(unit, rack, "shelf", f"{rack.code}-S{shelf}", f"Shelf {shelf}", SHELF_CAPACITY)

    def _location(
        self, unit: Unit, parent: StorageLocation | None, kind: str, code: str, name: str, capacity: int
    ) -> StorageLocation:
        path = f"{parent.path} / {name}" if parent else name
        location = self._get_or_create(
            StorageLocation,
            {"unit": unit, "code": code},
            {"parent": parent, "kind": kind, "name": name, "capacity": capacity, "path": path},
        )
        return location  # type: ignore[no-any-return]

    def _superuser(self, username: str) -> None:
        if User.objects.filter(username=username).exists():
            return
        password = os.environ.get("DMS_ADMIN_PASSWORD") or secrets.token_urlsafe(12) + "!9aA"
        user = User.objects.create_superuser(
            username=username, email="", password=password, full_name="System Administrator"
        )
        user.groups.add(*roles_groups([roles.SYSTEM_ADMINISTRATOR]))
        audit.record(action="user.created", instance=user, actor=None, comment="initial_setup superuser")
        if not os.environ.get("DMS_ADMIN_PASSWORD"):
            self.stdout.write(self.style.WARNING(f"Superuser '{username}' created with password: {password}"))
            self.stdout.write("It is shown only this once: store it safely and change it after first login.")

    def _demo_user(self, username: str, full_name: str, role: str, unit: Unit) -> None:
        if User.objects.filter(username=username).exists():
            return
        user = User(
            username=username,
            full_name=full_name,
            email=f"{username}@demo.cipla-dms.local",
            unit=unit,
            employee_id=f"EMP-{username.upper()}",
            is_staff=role == roles.SYSTEM_ADMINISTRATOR,
        )
        user.set_password(DEMO_PASSWORD)
        # The demo signs at once: its users are recorded as having certified their electronic
        # signature (21 CFR 11.100(c)); a real user certifies in the app before signing.
        user.signature_certified_at = timezone.now()
        user.save()
        user.groups.add(*roles_groups([role]))
        audit.record(
            action="user.created",
            instance=user,
            actor=None,
            comment="initial_setup --demo",
            changes={"roles": [[], [role]]},
        )
        audit.record(
            action="signature.certified",
            instance=user,
            actor=None,
            comment="initial_setup --demo: recorded for the demo user",
            changes={"signature_certified_at": [None, user.signature_certified_at]},
        )


def roles_groups(names: list[str]) -> list[Group]:
    return list(Group.objects.filter(name__in=names))
