"""Capabilities (docs/roles.md): the Django permission behind each, and what a user holds.

The role groups (`apps.auth.roles`) grant these permissions; the API's permission classes,
the services and the policy checks all ask `user.has_perm(<one of these>)`. `capabilities_of`
is the list `GET /api/auth/me/` reports, from which the web app decides what to offer.
"""

from typing import Any

MANAGE_UNITS = "accounts.add_unit"
CHANGE_UNIT = "accounts.change_unit"
MANAGE_USERS = "accounts.change_user"
UNLOCK_USERS = "accounts.unlock_user"
GRANT_SYSTEM_ADMINISTRATOR = "accounts.grant_system_administrator"
MANAGE_DEPARTMENTS = "accounts.change_department"
MANAGE_DOCUMENT_TYPES = "crates.change_documenttype"
MANAGE_LOCATIONS = "storage.change_storagelocation"
CREATE_CRATES = "crates.add_crate"
EDIT_CRATES = "crates.change_crate"
DELETE_CRATES = "crates.delete_crate"
RAISE_REQUESTS = "requests.add_request"
APPROVE_REQUESTS = "requests.approve_request"
EXECUTE_REQUESTS = "requests.execute_request"
CREATE_SENDBACKS = "requests.add_sendback"
RECEIVE_SENDBACKS = "requests.receive_sendback"
RELOCATE_CRATES = "crates.relocate_crate"
SET_LEGAL_HOLD = "crates.set_legal_hold"
RECORD_RETENTION_EVENTS = "retention.record_retention_event"
EXTEND_RETENTION = "retention.extend_retention"
READ_AUDIT = "audit.view_auditevent"
EXPORT_AUDIT = "audit.export_auditevent"
REVIEW_AUDIT = "audit.review_auditevent"
COUNT_CRATES = "inventory.count_crates"
REVIEW_COUNTS = "inventory.review_count"
IMPORT_INVENTORY = "inventory.add_inventoryimport"

SEE_ALL_UNITS = "see_all_units"

# Capability name (as the API reports it) -> the permission that grants it, in report order.
# Unit Admins edit their own unit (change_unit); creating units is for System Administrators.
CAPABILITY_PERMISSIONS: dict[str, str] = {
    "manage_units": CHANGE_UNIT,
    "manage_users": MANAGE_USERS,
    "grant_system_administrator": GRANT_SYSTEM_ADMINISTRATOR,
    "manage_departments": MANAGE_DEPARTMENTS,
    "manage_locations": MANAGE_LOCATIONS,
    "manage_document_types": MANAGE_DOCUMENT_TYPES,
    "edit_crates": EDIT_CRATES,
    "raise_requests": RAISE_REQUESTS,
    "create_sendbacks": CREATE_SENDBACKS,
    "approve_requests": APPROVE_REQUESTS,
    "execute_requests": EXECUTE_REQUESTS,
    "receive_sendbacks": RECEIVE_SENDBACKS,
    "relocate_crates": RELOCATE_CRATES,
    "set_legal_hold": SET_LEGAL_HOLD,
    "record_retention_events": RECORD_RETENTION_EVENTS,
    "extend_retention": EXTEND_RETENTION,
    "read_audit": READ_AUDIT,
    "export_audit": EXPORT_AUDIT,
    "review_audit": REVIEW_AUDIT,
    "count_crates": COUNT_CRATES,
    "review_counts": REVIEW_COUNTS,
    "import_inventory": IMPORT_INVENTORY,
}
ALL_CAPABILITIES: tuple[str, ...] = (SEE_ALL_UNITS, *CAPABILITY_PERMISSIONS)


def capabilities_of(user: Any) -> list[str]:
    """What `user` may do anywhere in the system, as capability names (fixed order)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    names = [SEE_ALL_UNITS] if user.is_system_admin else []
    names += [name for name, permission in CAPABILITY_PERMISSIONS.items() if user.has_perm(permission)]
    return names
