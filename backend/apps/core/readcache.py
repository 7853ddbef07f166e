"""Versioned read cache for GET answers (docs/api.md, "Caching and ETags").

An answer is stored with the versions of everything it was computed from, read (in one round
trip with the entry) before the view reads the database, and served only while every one of
them is still current:
- the unit's data version, given a new value after the commit of any change announced for
  the unit by the domain signals (a crate, request, send-back or location of the unit; a
  transfer counts for both units) and by any saved or deleted row of those four tables;
- the user's own version (notifications created or read, sessions revoked);
- a global data version (document types, departments, units: shown in every unit's answers);
- the identity generations of apps.auth.identity (a user's roles, permissions, unit, their
  deactivation; a role's permissions): a permission change makes every entry built under the
  old permissions unreachable on the very next request.
A new version is a fresh random token, so an answer computed from rows read before a change
committed is stored under versions that are already stale and never served.

Writes that bypass both the services' signals and `save()` (a bulk `QuerySet.update`) and
time-dependent figures (overdue withdrawals, crates due for destruction, which change at
midnight with no write) are covered by the entries' lifetime: READ_CACHE_SECONDS (30 s by
default) is the longest an answer is served after it was computed.

This module knows versions and entries; apps.auth.readcache decides who asks (it needs the
authenticated user) and serves the answers.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from apps.core import domain_signals

logger = logging.getLogger(__name__)

GLOBAL_VERSION = "rc:v:all"
# Models shown in the answers of every unit: a change to one invalidates every entry.
GLOBAL_MODELS = frozenset({"crates.documenttype", "accounts.department", "accounts.unit"})
# Rows of one unit (or two: a transfer's target) shown in that unit's answers.
UNIT_MODELS = frozenset({"crates.crate", "storage.storagelocation", "requests.request", "requests.sendback"})
# Rows of one unit, or of every unit when they have none: a legal hold decides whether the
# crates it covers show `legal_hold`, and a company-wide hold covers crates of every unit.
UNIT_OR_GLOBAL_MODELS = frozenset({"retention.legalhold"})


def ttl() -> int:
    return int(getattr(settings, "READ_CACHE_SECONDS", 30))


def enabled() -> bool:
    return ttl() > 0


def unit_version_key(unit_id: Any) -> str:
    return f"rc:v:unit:{unit_id}"


def user_version_key(user_id: Any) -> str:
    return f"rc:v:user:{user_id}"


def entry_key(scope: str, path: str) -> str:
    return "rc:e:" + hashlib.sha256(f"{scope}|{path}".encode()).hexdigest()[:40]


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _bump(*keys: str) -> None:
    try:
        # Versions outlive the entries that carry them, so an expired version can only lead
        # to entries that expired before it.
        cache.set_many({key: secrets.token_hex(8) for key in keys}, timeout=2 * ttl())
    except Exception:  # the entries still expire after READ_CACHE_SECONDS
        logger.error("read cache unreachable: could not invalidate %s", keys, exc_info=True)


def start_missing(found: dict[str, Any], keys: list[str]) -> bool:
    """Give each of `keys` absent from `found` (never set, expired or evicted) a fresh version;
    True if there was one. Nothing is stored under an absent version: an entry stored under
    "absent" would become current again if a later version were evicted."""
    missing = [key for key in keys if found.get(key) is None]
    if missing:
        _bump(*missing)
    return bool(missing)


def bump_units(*unit_ids: Any) -> None:
    keys = [unit_version_key(u) for u in {u for u in unit_ids if u is not None}]
    if keys:
        _bump(*keys)


def bump_user(user_id: Any) -> None:
    bump_users(user_id)


def bump_users(*user_ids: Any) -> None:
    keys = [user_version_key(u) for u in dict.fromkeys(user_ids) if u is not None]
    if keys:
        _bump(*keys)


def bump_all() -> None:
    _bump(GLOBAL_VERSION)


def bump_units_on_commit(*unit_ids: Any) -> None:
    """Now and again after the commit (an answer read before the commit is then unreachable)."""
    bump_units(*unit_ids)
    transaction.on_commit(lambda: bump_units(*unit_ids))


# --- receivers: every announced change bumps the versions of whom it concerns ---------------


def _on_crate(sender: Any, *, crate: Any, extra_unit_ids: Any = (), **kwargs: Any) -> None:
    bump_units(crate.unit_id, *(extra_unit_ids or ()))


def _on_request(sender: Any, *, request: Any, **kwargs: Any) -> None:
    bump_units(request.unit_id, getattr(request, "target_unit_id", None))


def _on_sendback(sender: Any, *, sendback: Any, **kwargs: Any) -> None:
    bump_units(sendback.unit_id)


def _on_location(sender: Any, *, location: Any, **kwargs: Any) -> None:
    bump_units(location.unit_id)


def _on_notification(sender: Any, *, notification: Any, **kwargs: Any) -> None:
    bump_user(notification.user_id)


def _on_notifications(sender: Any, *, notifications: Any, **kwargs: Any) -> None:
    bump_users(*(notification.user_id for notification in notifications))  # one round trip for all


def _on_user(sender: Any, *, user_id: Any = None, user: Any = None, **kwargs: Any) -> None:
    bump_user(user_id if user_id is not None else getattr(user, "pk", None))


def _on_row_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A safety net under the domain signals: a unit's crate, location, request or send-back
    saved or deleted by any path (the admin, a service that announces nothing) makes the
    unit's answers stale when it commits."""
    label = sender._meta.label_lower
    if label in GLOBAL_MODELS:
        bump_all()
        transaction.on_commit(bump_all)
    elif label in UNIT_MODELS:
        bump_units_on_commit(getattr(instance, "unit_id", None), getattr(instance, "target_unit_id", None))
    elif label in UNIT_OR_GLOBAL_MODELS:
        if instance.unit_id is None:
            bump_all()
            transaction.on_commit(bump_all)
        else:
            bump_units_on_commit(instance.unit_id)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    domain_signals.crate_changed.connect(_on_crate, dispatch_uid="readcache.crate")
    domain_signals.request_changed.connect(_on_request, dispatch_uid="readcache.request")
    domain_signals.sendback_changed.connect(_on_sendback, dispatch_uid="readcache.sendback")
    domain_signals.location_changed.connect(_on_location, dispatch_uid="readcache.location")
    domain_signals.notification_changed.connect(_on_notification, dispatch_uid="readcache.notification")
    domain_signals.notifications_created.connect(_on_notifications, dispatch_uid="readcache.notifications")
    domain_signals.notifications_read.connect(_on_user, dispatch_uid="readcache.notifications_read")
    domain_signals.sessions_revoked.connect(_on_user, dispatch_uid="readcache.sessions_revoked")
    domain_signals.account_locked.connect(_on_user, dispatch_uid="readcache.account_locked")
    post_save.connect(_on_row_saved, dispatch_uid="readcache.post_save")
    post_delete.connect(_on_row_saved, dispatch_uid="readcache.post_delete")


def for_unit(unit_id: Any, name: str, compute: Callable[[], Any]) -> Any:
    """`compute()` (figures of one unit, the same for everyone in it), kept under the unit's
    and the global data versions like a cached answer, and for at most READ_CACHE_SECONDS
    (time-dependent figures: overdue, due for destruction). One cache round trip on a hit."""
    if not enabled():
        return compute()
    key, unit_key = f"rc:f:{name}:{unit_id}", unit_version_key(unit_id)
    try:
        found = cache.get_many([key, unit_key, GLOBAL_VERSION])
    except Exception:
        logger.warning("read cache unreachable; %s computed", name, exc_info=True)
        return compute()
    if start_missing(found, [unit_key, GLOBAL_VERSION]):
        return compute()
    versions = (found.get(unit_key), found.get(GLOBAL_VERSION))
    entry = found.get(key)
    if entry is not None and entry[0] == versions:
        return entry[1]
    value = compute()  # read after the versions: a change committed meanwhile makes it stale
    try:
        cache.set(key, (versions, value), timeout=ttl())
    except Exception:
        logger.warning("read cache unreachable; %s not stored", name, exc_info=True)
    return value
