"""Cached GET answers served in front of Django (docs/api.md, "Caching and ETags").

ReadCacheMiddleware (apps.auth.readcache) answers a current cached GET before DRF runs, but
the request has already crossed the WSGI handler and half of the middleware stack, and it
costs three cache round trips (identity and session, entry and versions, throttle). This
WSGI layer (config/wsgi.py) answers the same request without entering Django at all:

1. the bearer token is verified exactly as the API verifies it (signature, expiry, type);
2. ONE Redis round trip (a Lua script) checks, for the token's user:
   - the user's record (written below when Django answered them): the token's auth version
     (a deactivation or a password change bumps it) and the identity generations the record
     was made under (any change of the user's roles, permissions, unit or account, or of
     any role, gives a new one);
   - the session is open (not signed out);
   - the answer for the user's scope (their unit and permissions, or themselves) and this
     exact path, query, Accept, Accept-Encoding and Host, stored with the raw values of
     every version it was computed under (unit and global data, identity, the user's own),
     each still current;
   - and only then counts the request against the user's throttle;
3. it answers 200 with the stored body and headers, or 304 when If-None-Match matches.

When it has no answer, the same script reads what Django's authentication reads next (the
identity, its generations, the session, the read-cache versions: `prefetch_keys`) and hands
the values over in the environ, so the miss does not ask Redis for them again. When the user's
record was current and only the answer was missing or stale (a `KnownMiss`), the script also
counts the request against the throttle and reads the unit's data version, which is all
ReadCacheMiddleware would read next: it then computes the answer without a round trip of its
own (the read cache's entry for the path was written with the fast answer, under the same
versions, so it is missing or stale too). After Django answered, the read cache's entry, the
fast answer and the user's record are written in one script (`_STORE`), whose reply is read
before the thread's next write instead of waited for (apps/core/unawaited.py). A miss waits
for one round trip (this lookup) when the user has a current record, two otherwise.

Anything else (no record, an ended session, another auth version, a stale version, the
throttle exceeded, Redis unreachable, a directory account) falls through to Django, which
answers as it always did. The record and the entry are written after Django answered a GET
that ReadCacheMiddleware served from, or stored in, its cache (it leaves a note in the WSGI
environ with what the answer was computed under), so an answer reaches this layer only after
Django's full path has produced it for the same scope.
"""

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache, caches
from django.http import HttpResponseBase
from rest_framework.settings import api_settings
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from apps.auth import identity, sessions
from apps.auth.authentication import VERSION_CLAIM, VersionedJWTAuthentication
from apps.auth.throttles import COUNTED, Window
from apps.core import readcache
from apps.core.unawaited import UnawaitedWrites

logger = logging.getLogger(__name__)

# The WSGI environ key under which ReadCacheMiddleware says what a cacheable answer was
# computed under (`Note`).
NOTE = "dms.readcache.note"
# The WSGI environ key of the read-cache entries ReadCacheMiddleware leaves for this layer to
# store ([(key, entry)]): written with the fast answer, in one round trip after Django answered.
PENDING = "dms.readcache.pending"
# The WSGI environ key of the cache values the lookup read for Django when it had no answer
# (`prefetch_keys`: unprefixed key -> value, None when absent).
PREFETCHED = "dms.fastpath.prefetched"
# The WSGI environ key of the bearer token this layer validated: (raw token, validated token).
VALIDATED = "dms.fastpath.validated"
# The WSGI environ key of a `KnownMiss`: the lookup found the user's record current and no
# current answer, counted the request and read what the read cache needs to compute one.
KNOWN_MISS = "dms.fastpath.known_miss"
# Headers that belong to one response only (recomputed or given anew by this layer).
_NOT_STORED = frozenset({"x-request-id", "content-length", "date", "set-cookie"})
# Headers a 304 does not carry (RFC 9110 15.4.5).
_NOT_IN_304 = frozenset({"content-type", "content-length", "content-encoding"})
_OPEN_SESSION = "0"  # sessions.py stores "0" for a session that is not revoked

_LOOKUP = """
local function current(entry)
  if #entry == 0 then return nil end
  local e = {}
  for i = 1, #entry, 2 do e[entry[i]] = entry[i + 1] end
  for i = 1, tonumber(e.n) do
    if (redis.call('GET', e['k' .. i]) or '') ~= e['v' .. i] then return nil end
  end
  return e
end
local function answer()
  local rec = redis.call('HMGET', KEYS[1], 'ver', 'unit', 'user', 'g1', 'g2', 'uv')
  if not rec[1] or rec[1] ~= ARGV[1] or not rec[6] then return nil end
  if redis.call('GET', KEYS[2]) ~= ARGV[2] then return nil end
  if (redis.call('GET', KEYS[3]) or '') ~= rec[4] or (redis.call('GET', KEYS[4]) or '') ~= rec[5] then
    return nil
  end
  local e = nil
  for _, scope in ipairs({rec[2], rec[3]}) do
    local entry = redis.call('HGETALL', ARGV[3] .. scope .. ':' .. ARGV[4])
    if #entry > 0 then e = current(entry) break end
  end
  -- The record is current: the request is counted here, answered or not (Django takes this count).
  local count = 0
  if ARGV[5] ~= '0' then
    count = redis.call('INCR', KEYS[5])
    redis.call('EXPIRE', KEYS[5], ARGV[5])
  end
  if e then return {count, e.etag, e.headers, e.body} end
  -- A known miss: the unit's data version and the record's scopes, for the read cache.
  return {-2, count, redis.call('GET', rec[6]) or '', rec[2], rec[3], rec[6]}
end
local found = answer()
if found and found[1] ~= -2 then return found end
-- No answer: the values Django reads first (KEYS[6..]), so that it need not ask again.
found = found or {-1}
found[#found + 1] = redis.call('MGET', unpack(KEYS, 6, #KEYS))
return found
"""

# The writes after Django answered, in one round trip; a script runs atomically, so a reader
# sees the old record and entry or the new ones, never a mix. KEYS: the record, the fast entry,
# then the read cache's entries. ARGV: the read cache's TTL, the record's TTL ("" when there is
# no fast answer to store), the number of read-cache entries and their values, then the number
# of the record's arguments, the record's fields and values, the entry's fields and values.
_STORE = """
local ttl, pending = tonumber(ARGV[1]), tonumber(ARGV[3])
for i = 1, pending do
  redis.call('SET', KEYS[2 + i], ARGV[3 + i], 'EX', ttl)
end
if ARGV[2] ~= '' then
  local at = 4 + pending
  local fields = tonumber(ARGV[at])
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('HSET', KEYS[1], unpack(ARGV, at + 1, at + fields))
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  redis.call('HSET', KEYS[2], unpack(ARGV, at + fields + 1, #ARGV))
  redis.call('EXPIRE', KEYS[2], ttl)
end
return 1
"""


def _pairs(mapping: dict[str, Any]) -> list[Any]:
    return [item for pair in mapping.items() for item in pair]


def read_cache_also(user_id: Any) -> list[str]:
    """What ReadCacheMiddleware reads with the user's identity (identity.load's `also`): the
    user's and every unit's read-cache versions and the identity generations."""
    return [readcache.user_version_key(user_id), readcache.GLOBAL_VERSION, *identity.generation_keys(user_id)]


def prefetch_keys(user_id: Any, token: Any) -> list[str]:
    """Every key ReadCacheMiddleware's authentication reads for this token (the identity, its
    generations, the session, the versions): the lookup reads them when it has no answer."""
    return identity.keys(user_id, VersionedJWTAuthentication.keys_also(token, read_cache_also(user_id)))


def _cache() -> BaseCache:
    """The cache of this thread. `django.core.cache.cache` finds it again on every attribute
    read (a context-local lookup each time): about 8 % of a miss's CPU went to those lookups
    here, so each request finds it once and passes it on (OPTIMIZATIONS.md §2.S)."""
    return caches[DEFAULT_CACHE_ALIAS]


def available(backend: BaseCache | None = None) -> bool:
    """The fast path needs Redis (a Lua script); with any other cache, or switched off
    (READ_CACHE_FAST_PATH), Django answers alone."""
    backend = backend if backend is not None else _cache()
    return getattr(settings, "READ_CACHE_FAST_PATH", True) and hasattr(getattr(backend, "client", None), "get_client")


def raw(value: Any, backend: BaseCache | None = None) -> bytes:
    """A cache value as Redis holds it (django-redis's encoding); b"" for an absent one (the
    script reads a missing key as "")."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value == 0):
        return b""
    encoded = (backend if backend is not None else _cache()).client.encode(value)  # type: ignore[attr-defined]
    return encoded if isinstance(encoded, bytes) else str(encoded).encode()


class Note:
    """What ReadCacheMiddleware knows of an answer it served or stored: whose it is, the
    scope it is shared in, and the cache keys and values it was computed under."""

    def __init__(
        self,
        *,
        user: Any,
        scope: str,
        unit_scope: str,
        user_scope: str,
        unit_version: str,
        versions: dict[str, Any],
    ) -> None:
        self.user_id = user.pk
        self.auth_version = user.auth_version
        self.scope = scope
        self.unit_scope = unit_scope
        self.user_scope = user_scope
        self.unit_version = unit_version  # the key (unprefixed) of the user's unit's data version
        self.versions = versions  # cache key (unprefixed) -> value
        self.generations: tuple[bytes, bytes] = (b"", b"")


class KnownMiss:
    """The lookup found the user's record current (token, session, identity generations) and no
    current answer for this path in its scopes; it counted the request and read the unit's data
    version. ReadCacheMiddleware uses these instead of its own round trip when the user's scope
    and unit are the record's."""

    def __init__(self, *, user_id: Any, scopes: tuple[str, str], unit_version: str, unit_version_value: Any) -> None:
        self.user_id = user_id
        self.scopes = scopes  # the record's unit and user scopes
        self.unit_version = unit_version  # its key (prefixed, as the record holds it)
        self.unit_version_value = unit_version_value  # None when the version is absent


def _header(environ: dict[str, Any], name: str) -> str:
    return str(environ.get(name, ""))


def _path_hash(environ: dict[str, Any]) -> str:
    query = _header(environ, "QUERY_STRING")
    described = "|".join(
        (
            _header(environ, "HTTP_HOST"),
            _header(environ, "HTTP_ACCEPT"),
            _header(environ, "HTTP_ACCEPT_ENCODING"),
            _header(environ, "PATH_INFO") + (f"?{query}" if query else ""),
        )
    )
    return hashlib.sha256(described.encode("utf-8", "surrogateescape")).hexdigest()[:40]


def _record_key(backend: BaseCache, user_id: Any) -> str:
    return backend.make_key(f"rc:fu:{user_id}")


def _entry_prefix(backend: BaseCache) -> str:
    return backend.make_key("rc:fe:")


def _not_modified(environ: dict[str, Any], etag: str) -> bool:
    wanted = _header(environ, "HTTP_IF_NONE_MATCH")
    tags = [tag.strip().removeprefix("W/") for tag in wanted.split(",")]
    return bool(wanted) and (wanted.strip() == "*" or etag.removeprefix("W/") in tags)


class FastPath:
    """WSGI middleware: cached GET answers of the API without entering Django."""

    def __init__(self, application: Callable[..., Iterable[bytes]]) -> None:
        self.application = application
        self.authentication = VersionedJWTAuthentication()
        self._script: Any = None
        self._writes = UnawaitedWrites()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        backend = _cache()
        eligible = self.eligible(environ, backend)
        if eligible:
            answered = self.answer(environ, backend)
            if answered is not None:
                status, headers, body = answered
                start_response(status, headers)
                return [body]
        captured: dict[str, Any] = {}
        if eligible:
            environ[PENDING] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.application(environ, capture)
        if eligible:
            self._store(backend, environ, environ.get(NOTE), environ.get(PENDING) or [], captured, result)
        return result

    @staticmethod
    def eligible(environ: dict[str, Any], backend: BaseCache) -> bool:
        return (
            environ.get("REQUEST_METHOD") == "GET"
            and _header(environ, "PATH_INFO").startswith("/api/")
            and _header(environ, "HTTP_AUTHORIZATION").startswith("Bearer ")
            and readcache.enabled()
            and available(backend)
        )

    def answer(self, environ: dict[str, Any], backend: BaseCache) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """The cached answer to this request if every check passes, else None (Django answers)."""
        try:
            found = self._lookup(environ, backend)
        except Exception:
            # A bad or expired token, Redis unreachable: Django gives the usual answer.
            logger.debug("fast path fell through", exc_info=True)
            return None
        if not found:
            return None
        _count, etag, headers_json, body = found
        etag = etag.decode()
        headers = [(str(k), str(v)) for k, v in json.loads(headers_json)]
        request_id = _header(environ, "HTTP_X_REQUEST_ID")[:64] or uuid.uuid4().hex
        if _not_modified(environ, etag):
            kept = [(k, v) for k, v in headers if k.lower() not in _NOT_IN_304]
            return "304 Not Modified", [*kept, ("X-Request-ID", request_id)], b""
        return "200 OK", [*headers, ("Content-Length", str(len(body))), ("X-Request-ID", request_id)], body

    def _lookup(self, environ: dict[str, Any], backend: BaseCache) -> Any:
        auth = self.authentication
        make_key = backend.make_key
        header = _header(environ, "HTTP_AUTHORIZATION").encode("iso-8859-1")
        raw_token = auth.get_raw_token(header)
        if raw_token is None:
            return None
        token = auth.get_validated_token(raw_token)  # signature, expiry, token type: as the API
        environ[VALIDATED] = (raw_token, token)  # on a miss, ReadCacheMiddleware takes it as is
        user_id = token[jwt_settings.USER_ID_CLAIM]
        session_id, version = token.get(sessions.SESSION_CLAIM), token.get(VERSION_CLAIM)
        if not session_id or version is None:
            return None  # tokens from before sessions: the ordinary path decides
        rate = api_settings.DEFAULT_THROTTLE_RATES.get("user")
        window = Window(user_id, rate) if rate else None
        throttle_key = make_key(window.key) if window is not None else ""
        user_generation, everyone_generation = identity.generation_keys(user_id)
        prefetch = prefetch_keys(user_id, token)
        client = backend.client.get_client(write=True)  # type: ignore[attr-defined]
        if self._script is None:
            self._script = client.register_script(_LOOKUP)
        found = self._script(
            keys=[
                _record_key(backend, user_id),
                make_key(sessions.cache_key(str(session_id))),
                make_key(user_generation),
                make_key(everyone_generation),
                throttle_key or make_key("throttle:none"),
                *(make_key(key) for key in prefetch),
            ],
            args=[
                str(version),
                raw(_OPEN_SESSION, backend),
                _entry_prefix(backend),
                _path_hash(environ),
                str(window.seconds if window is not None else 0),
            ],
            client=client,
        )
        kind = int(found[0])
        if kind >= 0 or kind == -2:
            # Counted here (`kind` is the count of an answer): Django's throttle takes this verdict.
            wait = window.wait(kind if kind >= 0 else int(found[1])) if window is not None else None
            environ[COUNTED] = (user_id, wait)
            if kind >= 0:
                return found if wait is None else None  # over the limit: the ordinary path answers 429
        # No answer here. The values were read now, as Django would read them next (the
        # generations before any database read): identity.load takes them.
        decode = backend.client.decode  # type: ignore[attr-defined]
        environ[PREFETCHED] = {
            key: (decode(value) if value is not None else None) for key, value in zip(prefetch, found[-1], strict=True)
        }
        if kind == -2:
            _, _, value, unit_scope, user_scope, unit_version, _ = found
            environ[KNOWN_MISS] = KnownMiss(
                user_id=user_id,
                scopes=(unit_scope.decode(), user_scope.decode()),
                unit_version=unit_version.decode(),
                unit_version_value=decode(value) if value else None,
            )
        return None

    def _store(
        self,
        backend: BaseCache,
        environ: dict[str, Any],
        note: Note | None,
        pending: list[tuple[str, Any]],
        captured: dict[str, Any],
        result: Any,
    ) -> None:
        """One write, not waited for (apps/core/unawaited.py): the read cache's entries and, when
        the answer qualifies, the fast answer and the user's record."""
        fast = self._fast_entry(backend, environ, note, captured, result) if note is not None else None
        if not pending and fast is None:
            return
        make_key = backend.make_key
        keys = [make_key("rc:none")] * 2
        args: list[Any] = [readcache.ttl(), "", len(pending), *(raw(entry, backend) for _, entry in pending)]
        if fast is not None:
            record_key, record, entry_key, entry = fast
            keys = [record_key, entry_key]
            # The record is only believed while the identity generations it holds are current.
            args[1] = identity.ttl()
            args += [2 * len(record), *_pairs(record), *_pairs(entry)]
        keys += [make_key(key) for key, _ in pending]
        try:
            client = backend.client.get_client(write=True)  # type: ignore[attr-defined]
            # EVAL, not EVALSHA: a script missing after a Redis restart would only be found
            # when the reply is read, too late to send it again.
            self._writes.send(client, "EVAL", _STORE, len(keys), *keys, *args)
        except Exception:
            logger.warning("read cache unreachable; answer not stored", exc_info=True)

    def _fast_entry(
        self, backend: BaseCache, environ: dict[str, Any], note: Note, captured: dict[str, Any], result: Any
    ) -> tuple[str, dict[str, Any], str, dict[str, Any]] | None:
        """The user's record and the fast answer to store, or None if the answer is not one."""
        headers = captured.get("headers") or []
        if (
            not str(captured.get("status", "")).startswith("200")
            or not isinstance(result, HttpResponseBase)
            or result.streaming
            or any(name.lower() == "set-cookie" for name, _ in headers)
        ):
            return None
        etag = next((value for name, value in headers if name.lower() == "etag"), None)
        if etag is None:
            return None
        kept = [(name, value) for name, value in headers if name.lower() not in _NOT_STORED]
        versions = list(note.versions.items())
        entry: dict[str, Any] = {
            "n": len(versions),
            "etag": etag,
            "headers": json.dumps(kept),
            "body": result.content,  # type: ignore[attr-defined]
        }
        for i, (key, value) in enumerate(versions, start=1):
            entry[f"k{i}"], entry[f"v{i}"] = backend.make_key(key), raw(value, backend)
        record = {
            "ver": str(note.auth_version),
            "unit": note.unit_scope,
            "user": note.user_scope,
            "g1": note.generations[0],
            "g2": note.generations[1],
            "uv": backend.make_key(note.unit_version),
        }
        record_key = _record_key(backend, note.user_id)
        entry_key = f"{_entry_prefix(backend)}{note.scope}:{_path_hash(environ)}"
        return record_key, record, entry_key, entry
