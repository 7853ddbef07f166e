"""Serve cached GET answers before DRF's view work (docs/api.md, "Caching and ETags").

A view opts in per action with `read_cache = {"list": UNIT, "retrieve": UNIT}` (a viewset) or
`{"get": USER}` (an APIView), saying what its answer depends on besides the data:
- USER: the user (their own notifications, requests they may act on, their dashboard);
- UNIT: only the user's unit and permissions (the answer is shared by everyone of the unit
  with the same permissions: crates, documents, locations).

For such a request this middleware authenticates the bearer token exactly as the API does
(identity, session and directory checks, in one cache round trip), counts it against the
user's throttle and reads the entry with its versions (apps.core.readcache) in a second round
trip; DRF then takes the user and the throttle's verdict from the request instead of computing
them again. A current entry is answered at once (304 when the browser's If-None-Match matches
its ETag); otherwise the view runs as usual and a 200 JSON answer is stored under the versions
read before it (behind the WSGI fast path, in the fast path's one write after the answer).
Anything unusual (no or a bad token, a System Administrator or a user without a unit, the
throttle exceeded, the cache unreachable) takes the ordinary path, which answers as it always
did.
"""

import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import Resolver404
from rest_framework.settings import api_settings
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from apps.auth import fastpath, identity
from apps.auth.authentication import AUTHENTICATED, VersionedJWTAuthentication
from apps.auth.throttles import COUNTED, Window, counted_verdict, get_many_and_hit
from apps.core import readcache, routing

logger = logging.getLogger(__name__)

USER = "user"
UNIT = "unit"

# Headers of the stored answer that belong to one response only.
_NOT_STORED = frozenset({"x-request-id", "set-cookie", "date", "content-length", "etag", "cache-control"})
CACHE_CONTROL = "private, no-cache"  # a browser keeps it, and revalidates it (If-None-Match) each time


def declared_scope(request: HttpRequest) -> str | None:
    """USER or UNIT if the view answering this GET declares its answer cacheable, else None."""
    try:
        # The same remembered resolution Django's handler runs the view with (apps/core/routing.py).
        match = routing.resolve(request.path_info)
    except Resolver404:
        return None
    declared = getattr(getattr(match.func, "cls", None), "read_cache", None)
    if not declared:
        return None
    actions = getattr(match.func, "actions", None)
    action = actions.get("get") if actions else "get"
    return declared.get(action)


def _scope_key(scope: str, user: Any) -> str:
    if scope == USER:
        return f"user:{user.pk}"
    return f"unit:{user.unit_id}:{user.permissions_digest}"


def _not_modified(request: HttpRequest, etag: str) -> bool:
    """If-None-Match compares weakly (RFC 9110 13.1.2): GZipMiddleware sends the ETag of a
    compressed answer as W/"...", and the browser sends that back."""
    wanted = request.META.get("HTTP_IF_NONE_MATCH", "")
    tags = [tag.strip().removeprefix("W/") for tag in wanted.split(",")]
    return bool(wanted) and (wanted.strip() == "*" or etag in tags)


class ReadCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.authentication = VersionedJWTAuthentication()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method != "GET"
            or not request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")
            or not readcache.enabled()
        ):
            return self.get_response(request)
        scope = declared_scope(request)
        if scope is None:
            return self.get_response(request)
        try:
            authenticated = self._authenticate(request)
        except Exception:
            # A bad token, an ended session, a directory that cannot be reached: the ordinary
            # path authenticates again and gives the usual answer (401, 503...).
            return self.get_response(request)
        if authenticated is None or authenticated[0].unit_id is None or authenticated[0].is_system_admin:
            return self.get_response(request)
        return self._serve(request, scope, *authenticated)

    def _authenticate(self, request: HttpRequest) -> tuple[Any, dict[str, Any]] | None:
        """The user exactly as the API authenticates them, and the cache values the read cache
        needs, read in the same round trip."""
        auth = self.authentication
        raw = auth.get_raw_token(auth.get_header(request))  # type: ignore[arg-type]
        if raw is None:
            return None
        validated = request.META.get(fastpath.VALIDATED)
        # The fast path validated this very token (signature, expiry, type) before it fell through.
        token = validated[1] if validated is not None and validated[0] == raw else auth.get_validated_token(raw)
        user_id = token[jwt_settings.USER_ID_CLAIM]
        # The identity generations as read with the identity (or before it was read from the
        # database): what the fast path's record of the user is kept under.
        also = fastpath.read_cache_also(user_id)
        user, found = auth.load(user_id, token, also=also, prefetched=request.META.get(fastpath.PREFETCHED))
        setattr(request, AUTHENTICATED, (raw, user, token))  # DRF's authentication takes it as is
        return user, found

    def _serve(self, request: HttpRequest, scope: str, user: Any, found: dict[str, Any]) -> HttpResponse:
        user_key, everyone_key = identity.generation_keys(user.pk)
        user_version = readcache.user_version_key(user.pk)
        scope_key = _scope_key(scope, user)
        accept = request.META.get("HTTP_ACCEPT", "")
        key = readcache.entry_key(scope_key, f"{accept}|{request.get_full_path()}")
        unit_version = readcache.unit_version_key(user.unit_id)
        rate = api_settings.DEFAULT_THROTTLE_RATES.get("user")
        counted = counted_verdict(request, user.pk)
        # Counted already by the fast path's lookup, or counted now with the read below.
        window = Window(user.pk, rate) if rate and counted is None else None
        known = request.META.get(fastpath.KNOWN_MISS)
        if (
            known is not None
            and str(known.user_id) == str(user.pk)
            and scope_key in known.scopes
            and known.unit_version == cache.make_key(unit_version)
        ):
            # The fast path found no current answer for this path in the user's scopes and read
            # the unit's version (the identity generations came with the identity): no round trip.
            read = {
                unit_version: known.unit_version_value,
                user_key: found.get(user_key),
                everyone_key: found.get(everyone_key),
            }
            current, count = {name: value for name, value in read.items() if value is not None}, None
        else:
            try:
                # One round trip: the entry, its versions, and the request counted against the
                # user's throttle (the API's counter; over the limit the ordinary path answers 429).
                current, count = get_many_and_hit([key, unit_version, user_key, everyone_key], window)
            except Exception:
                logger.warning("read cache unreachable", exc_info=True)
                return self.get_response(request)
        wait = counted[1] if counted is not None else window.wait(count) if window is not None else None
        setattr(request, COUNTED, (user.pk, wait))  # DRF's throttle takes this verdict
        both = {**found, **current}
        if readcache.start_missing(both, [unit_version, readcache.GLOBAL_VERSION, *([user_version] * (scope == USER))]):
            return self.get_response(request)  # stored next time, under versions that exist
        versions = (
            current.get(unit_version),
            found.get(readcache.GLOBAL_VERSION),
            current.get(everyone_key, 0),
            # Only USER answers depend on the user's own versions (UNIT answers are shared).
            current.get(user_key, 0) if scope == USER else None,
            found.get(user_version) if scope == USER else None,
        )
        entry = current.get(key)
        if entry is not None and entry["versions"] == versions and wait is None:
            self._leave_note(request, scope, scope_key, user, found, current)
            return self._answer(request, entry)
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("application/json")
            and not response.has_header("Set-Cookie")
        ):
            body = response.content
            entry = {
                "versions": versions,
                "etag": readcache.etag_for(body),
                "content_type": response["Content-Type"],
                "headers": [(k, v) for k, v in response.items() if k.lower() not in _NOT_STORED],
                "body": body,
            }
            pending = request.META.get(fastpath.PENDING)
            if pending is not None:
                # Under the WSGI fast path: stored with its own entry, in its one round trip.
                pending.append((key, entry))
            else:
                try:
                    cache.set(key, entry, timeout=readcache.ttl())
                except Exception:
                    logger.warning("read cache unreachable; answer not stored", exc_info=True)
            self._leave_note(request, scope, scope_key, user, found, current)
            response["ETag"] = entry["etag"]
            response["Cache-Control"] = CACHE_CONTROL
            if _not_modified(request, entry["etag"]):
                return self._not_modified_response(request, entry["etag"], response.get("X-Request-ID"))
        return response

    def _leave_note(
        self,
        request: HttpRequest,
        scope: str,
        scope_key: str,
        user: Any,
        found: dict[str, Any],
        current: dict[str, Any],
    ) -> None:
        """Tell the WSGI layer (apps.auth.fastpath) what this answer was computed under, so it
        can answer the same request itself next time. The identity generations are the ones
        the user was loaded under (an answer computed from an identity that changed meanwhile
        is then never current); the data versions were read before the view ran. Directory
        accounts are left out: they are checked against the directory on every request."""
        if user.is_directory_user or not fastpath.available():
            return
        user_key, everyone_key = identity.generation_keys(user.pk)
        unit_version, user_version = readcache.unit_version_key(user.unit_id), readcache.user_version_key(user.pk)
        versions = {
            unit_version: current.get(unit_version),
            readcache.GLOBAL_VERSION: found.get(readcache.GLOBAL_VERSION),
            everyone_key: found.get(everyone_key),
        }
        if scope == USER:
            versions.update({user_key: found.get(user_key), user_version: found.get(user_version)})
        note = fastpath.Note(
            user=user,
            scope=scope_key,
            unit_scope=_scope_key(UNIT, user),
            user_scope=_scope_key(USER, user),
            unit_version=unit_version,
            versions=versions,
        )
        note.generations = (fastpath.raw(found.get(user_key)), fastpath.raw(found.get(everyone_key)))
        request.META[fastpath.NOTE] = note

    def _answer(self, request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
        request_id = request.META.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex
        if _not_modified(request, entry["etag"]):
            return self._not_modified_response(request, entry["etag"], request_id)
        response = HttpResponse(entry["body"], content_type=entry["content_type"])
        for name, value in entry["headers"]:
            response[name] = value
        response["ETag"] = entry["etag"]
        response["Cache-Control"] = CACHE_CONTROL
        response["X-Request-ID"] = request_id
        return response

    def _not_modified_response(self, request: HttpRequest, etag: str, request_id: str | None) -> HttpResponse:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        response["Cache-Control"] = CACHE_CONTROL
        response["X-Request-ID"] = request_id or uuid.uuid4().hex
        return response
