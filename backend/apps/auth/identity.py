"""Who a token's bearer is, without a database query on every request.

Every API request needs the user row, the user's unit, role names and permissions (JWT
authentication, `has_perm`, unit scoping). Loading them costs four queries; this module keeps
the loaded `User` (password hash left out) in the cache instead.

An entry must never outlive a change of what it holds. It is stored with two generation
tokens, one per user and one for everybody, read (in the same round trip as the entry) before
the database, and it is used only while both are still current. A change gives the user (or
everybody) a new generation, so the next request misses and reads the database. The new
generation is set at once and again when the transaction commits: a request that read the old
rows while the change was in flight may have stored them under the first new generation, and
the second one makes that entry unreachable. What gets a new generation:
- a user's row saved or deleted, their roles or own permissions changed, their tokens revoked
  (`forget_user`, also called by services that write with `QuerySet.update`);
- a role's permissions changed, a role or a unit saved or deleted (`forget_everyone`).

Entries expire after IDENTITY_CACHE_SECONDS and generation tokens after twice that, so an
expired generation can only lead to entries that expired before it. When the cache is
unreachable every request reads the database, as it did before this cache existed.
"""

import logging
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

_GLOBAL_GENERATION = "identity-gen:all"


def ttl() -> int:
    """Seconds an identity entry lives (IDENTITY_CACHE_SECONDS); generations live twice as long."""
    return int(getattr(settings, "IDENTITY_CACHE_SECONDS", 300))


def _user_generation_key(user_id: Any) -> str:
    return f"identity-gen:{user_id}"


def _from_database(user_id: Any) -> Any:
    from apps.auth.models import User

    user = (
        User.objects.select_related("unit")
        .prefetch_related("groups")
        # The hash stays out of the cache; check_password (signatures) loads it when asked.
        .defer("password")
        .filter(pk=user_id)
        .first()
    )
    if user is not None:
        _ = user.permission_names  # fills the backends' per-instance permission caches too
        _ = user.role_names
        _ = user.permissions_digest
        # The roles are kept by name (`role_names`); the Group rows themselves stay out of the
        # entry: unpickling their queryset was 35 of the entry's 50 µs on every request.
        user._prefetched_objects_cache.pop("groups", None)  # type: ignore[attr-defined]
    return user


def load_user(user_id: Any) -> Any:
    """The user with this id (unit, roles and permissions loaded), or None if there is none."""
    return load(user_id)[0]


def keys(user_id: Any, also: Sequence[str] = ()) -> list[str]:
    """The cache keys `load(user_id, also)` reads."""
    return [f"identity:{user_id}", _user_generation_key(user_id), _GLOBAL_GENERATION, *also]


def load(
    user_id: Any, also: Sequence[str] = (), prefetched: dict[str, Any] | None = None
) -> tuple[Any, dict[str, Any]]:
    """`load_user`, and the cache values of the keys `also` read in the same round trip (what
    else the caller needs on every request, such as its session's revocation), {} when the
    cache is unreachable. `prefetched`: the values of `keys(user_id, also)` (None for an
    absent one) that the caller read in an earlier round trip of this request (the WSGI fast
    path's lookup); used only if it holds every one of them, else they are read now."""
    wanted = keys(user_id, also)
    entry_key, user_key = wanted[0], wanted[1]
    try:
        if prefetched is not None and all(key in prefetched for key in wanted):
            found = {key: prefetched[key] for key in wanted if prefetched[key] is not None}
        else:
            # One round trip: the entry and the generations it must have been stored under.
            found = cache.get_many(wanted)
    except Exception:  # the cache is down: the database answers, as without this cache
        logger.warning("identity cache unreachable; reading user %s from the database", user_id, exc_info=True)
        return _from_database(user_id), {}
    extra = {key: found[key] for key in also if key in found}
    generations = (found.get(user_key, 0), found.get(_GLOBAL_GENERATION, 0))
    entry = found.get(entry_key)
    if entry is not None and entry[0] == generations:
        return entry[1], extra
    # The generations were read before the rows: an entry stored now carries the generations
    # that were current before the read, and a change committed since makes it a miss.
    user = _from_database(user_id)
    if user is not None:
        try:
            cache.set(entry_key, (generations, user), timeout=ttl())
        except Exception:
            logger.warning("identity cache unreachable; user %s not stored", user_id, exc_info=True)
    return user, extra


def generation_keys(user_id: Any) -> tuple[str, str]:
    """The cache keys of the user's and everybody's identity generations (apps.auth.readcache
    stores them with each cached answer: a permission change makes the answer unreachable)."""
    return _user_generation_key(user_id), _GLOBAL_GENERATION


def _new_generation(key: str) -> None:
    try:
        cache.set(key, secrets.token_hex(8), timeout=2 * ttl())
    except Exception:
        # Entries still expire after IDENTITY_CACHE_SECONDS; say loudly that one may linger.
        logger.error("identity cache unreachable: could not invalidate %s", key, exc_info=True)


def forget_user(user_id: Any) -> None:
    """The user's next request reads their identity from the database (now and after commit)."""
    key = _user_generation_key(user_id)
    _new_generation(key)
    transaction.on_commit(lambda: _new_generation(key))


def forget_everyone() -> None:
    """Every user's next request reads their identity from the database (roles or units changed)."""
    _new_generation(_GLOBAL_GENERATION)
    transaction.on_commit(lambda: _new_generation(_GLOBAL_GENERATION))
