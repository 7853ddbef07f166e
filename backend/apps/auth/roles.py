"""The six roles of docs/roles.md as Django groups, and the permissions each group holds.

The permission codenames are the single source of truth for capabilities: API permission
classes call `user.has_perm(...)`, Django admin uses the same permissions, and
`sync_role_groups()` (run after every migrate and by `initial_setup`) keeps the groups exact.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

# Capabilities by name: defined in the policy layer; callers keep using `roles.<NAME>`.
from apps.policy.capabilities import (  # noqa: F401
    APPROVE_REQUESTS,
    CHANGE_UNIT,
    COUNT_CRATES,
    CREATE_SENDBACKS,
    EDIT_CRATES,
    EXECUTE_REQUESTS,
    EXPORT_AUDIT,
    EXTEND_RETENTION,
    GRANT_SYSTEM_ADMINISTRATOR,
    IMPORT_INVENTORY,
    MANAGE_DEPARTMENTS,
    MANAGE_DOCUMENT_TYPES,
    MANAGE_LOCATIONS,
    MANAGE_UNITS,
    MANAGE_USERS,
    RAISE_REQUESTS,
    READ_AUDIT,
    RECEIVE_SENDBACKS,
    RECORD_RETENTION_EVENTS,
    RELOCATE_CRATES,
    REVIEW_AUDIT,
    REVIEW_COUNTS,
    SET_LEGAL_HOLD,
)

SYSTEM_ADMINISTRATOR = "System Administrator"
UNIT_ADMIN = "Unit Admin"
DOCUMENT_MANAGER = "Document Manager"
APPROVER = "Approver"
STORE_HEAD = "Store Head"
VIEWER = "Viewer"

ALL_ROLES = (SYSTEM_ADMINISTRATOR, UNIT_ADMIN, DOCUMENT_MANAGER, APPROVER, STORE_HEAD, VIEWER)

DOMAIN_APPS = (
    "accounts",
    "storage",
    "crates",
    "retention",
    "requests",
    "inventory",
    "audit",
    "notifications",
    "reports",
)


def _crud(app: str, model: str, *, delete: bool = True) -> list[str]:
    actions = ["add", "change", "view"] + (["delete"] if delete else [])
    return [f"{app}.{action}_{model}" for action in actions]


_VIEW_ALL = [
    "accounts.view_unit",
    "accounts.view_department",
    "accounts.view_user",
    "storage.view_storagelocation",
    "crates.view_documenttype",
    "crates.view_crate",
    "crates.view_document",
    "requests.view_request",
    "requests.view_sendback",
    "signatures.view_signature",
    "inventory.view_inventorycount",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    UNIT_ADMIN: [
        *_VIEW_ALL,
        CHANGE_UNIT,
        "accounts.add_user",
        MANAGE_USERS,
        "accounts.unlock_user",
        *_crud("accounts", "department"),
        # Document types (retention schedules) are company-wide: System Administrators only.
        *_crud("storage", "storagelocation"),
        READ_AUDIT,
        EXPORT_AUDIT,
    ],
    DOCUMENT_MANAGER: [
        *_VIEW_ALL,
        *_crud("crates", "crate"),
        *_crud("crates", "document"),
        *_crud("requests", "request"),
        CREATE_SENDBACKS,
        IMPORT_INVENTORY,
        RECORD_RETENTION_EVENTS,
    ],
    APPROVER: [
        *_VIEW_ALL,
        APPROVE_REQUESTS,
        SET_LEGAL_HOLD,
        EXTEND_RETENTION,
        READ_AUDIT,
        EXPORT_AUDIT,
        REVIEW_AUDIT,
        REVIEW_COUNTS,
    ],
    STORE_HEAD: [*_VIEW_ALL, EXECUTE_REQUESTS, RECEIVE_SENDBACKS, RELOCATE_CRATES, COUNT_CRATES],
    VIEWER: list(_VIEW_ALL),
}


def _permissions(names: list[str]) -> list[Permission]:
    query = Q()
    for name in names:
        app_label, codename = name.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query)) if names else []
    if len(found) != len(set(names)):
        known = {f"{p.content_type.app_label}.{p.codename}" for p in found}
        raise LookupError(f"unknown permissions: {sorted(set(names) - known)}")
    return found


def sync_role_groups() -> None:
    """Create the six groups and set exactly their permissions (idempotent)."""
    everything = list(Permission.objects.filter(content_type__app_label__in=DOMAIN_APPS).select_related("content_type"))
    for role in ALL_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        if role == SYSTEM_ADMINISTRATOR:
            group.permissions.set(everything)
        else:
            group.permissions.set(_permissions(ROLE_PERMISSIONS[role]))
