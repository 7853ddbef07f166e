"""Production settings for Cipla DMS (PRODUCTION_DEPLOYMENT.md): PostgreSQL + Redis behind nginx, ~200 users.

Everything comes from the environment (see .env.production.example); nothing secret is
written here. The module refuses to load - and so Daphne, Celery and manage.py refuse to
start - when a required value is missing or still a placeholder, rather than run a GxP
system with a guessable key or on the embedded SQLite default.

Use: DJANGO_SETTINGS_MODULE=config.settings_production
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403 - the base settings, hardened below
from .settings import (
    BASE_DIR,
    DEFAULT_SECRET_KEY,
    LOG_DIR,
    LOG_FORMATTER,
    LOGGING,
    MIDDLEWARE,
    POSTGRES_SESSION_OPTIONS,
    REST_FRAMEWORK,
    SIMPLE_JWT,
    TEMPLATES,
    env_bool,
    env_list,
    redis_cache,
    redis_url_with_db,
)


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set for production (see .env.production.example).")
    if "change_me" in value.lower() or "change-me" in value.lower():
        raise ImproperlyConfigured(f"{name} is still the placeholder from .env.production.example.")
    return value


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


# --- Secrets and hosts -------------------------------------------------------------------------
SECRET_KEY = _required("SECRET_KEY")
if (
    SECRET_KEY == DEFAULT_SECRET_KEY
    or SECRET_KEY.startswith("django-insecure")
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "SECRET_KEY is a default or too weak (need 50+ random characters): "
        'python3 -c "import secrets; print(secrets.token_urlsafe(64))"'
    )
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": os.environ.get("JWT_SIGNING_KEY", "").strip() or SECRET_KEY}

# /metrics for a scraper off the container's loopback; empty = loopback only.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "").strip()
if METRICS_TOKEN and ("change_me" in METRICS_TOKEN.lower() or len(METRICS_TOKEN) < 32):
    raise ImproperlyConfigured("METRICS_TOKEN is the placeholder or too short (32+ characters): openssl rand -hex 32")

if env_bool("DEBUG", False):
    raise ImproperlyConfigured("DEBUG must be off in production (DEBUG=0).")
DEBUG = False

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the server's host names (no '*').")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS") or [f"https://{host}" for host in ALLOWED_HOSTS]
SPA_BASE_URL = os.environ.get("SPA_BASE_URL", CSRF_TRUSTED_ORIGINS[0])
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")

# --- PostgreSQL with Django's native psycopg pool ----------------------------------------------
DATABASE_URL = _required("DATABASE_URL")
if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("Production runs on PostgreSQL: DATABASE_URL must be postgres://...")

import dj_database_url  # noqa: E402

_pool = {
    # A pool per server process. An HTTP worker runs HTTP_THREADS (4) requests at once
    # and each holds one connection at most, so 4 is enough; the compose file sizes each
    # service's pool (PRODUCTION_DEPLOYMENT.md §6 sums them against max_connections). Django
    # returns the connection to the pool at the end of each request (CONN_MAX_AGE 0).
    "min_size": _env_int("DB_POOL_MIN", 1),
    "max_size": _env_int("DB_POOL_MAX", 4),
    # A request waits this long for a free connection, then fails instead of hanging.
    "timeout": _env_int("DB_POOL_TIMEOUT", 10),
    # Recycle connections so a PostgreSQL restart or failover heals by itself.
    "max_lifetime": 1800,
    "max_idle": 300,
}
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Django's backend with the pool's check by the socket (config/postgresql/base.py): each
# connection is checked as it leaves the pool, so one that a PostgreSQL restart closed is
# replaced, not handed out, without a round trip for every request.
DATABASES["default"]["ENGINE"] = "config.postgresql"
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["OPTIONS"] = {
    "pool": _pool,
    # No single statement may run longer than 30 s (and pin a pooled connection).
    "options": f"-c statement_timeout={_env_int('DB_STATEMENT_TIMEOUT_MS', 30000)} {POSTGRES_SESSION_OPTIONS}",
    "application_name": os.environ.get("DB_APPLICATION_NAME", "cipla-dms"),
    "connect_timeout": 5,
}

# --- Redis: Celery broker (db 0), channel layer (db 1), cache (db 2) ---------------------------
REDIS_URL = _required("REDIS_URL")
# The db numbers can be moved (e.g. to share one Redis between installations or test runs).
_REDIS_DB_BROKER = _env_int("REDIS_DB_BROKER", 0)
_REDIS_DB_CHANNELS = _env_int("REDIS_DB_CHANNELS", 1)
_REDIS_DB_CACHE = _env_int("REDIS_DB_CACHE", 2)

# Fails open like the base settings (settings.redis_cache): with Redis down the throttle
# counters read as empty (login guessing stays bounded by the database lockout), the session
# and identity caches fall back to the database, and no WebSocket ticket is issued (503), so
# the API keeps working without live updates. docs/decisions.md explains the choice.
CACHES = {
    "default": {
        **redis_cache(
            redis_url_with_db(REDIS_URL, _REDIS_DB_CACHE),
            key_prefix=os.environ.get("CACHE_KEY_PREFIX", "dms"),
            max_connections=_env_int("REDIS_CACHE_MAX_CONNECTIONS", 50),
        ),
        "TIMEOUT": 300,
    }
}

# Sessions (Django admin only; the SPA uses JWT): read from Redis, written through to the DB,
# so a Redis restart does not log administrators out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

_channel_key = _required("CHANNEL_LAYER_ENCRYPTION_KEY")
if len(_channel_key) < 32:
    raise ImproperlyConfigured("CHANNEL_LAYER_ENCRYPTION_KEY needs 32+ characters: openssl rand -hex 32")
CHANNEL_LAYERS = {
    "default": {
        # Redis pub/sub: an event is one PUBLISH to its group, each Daphne process receives it
        # once and hands it to its sockets of that group. The list-based layer gave every socket
        # its own copy to fetch and every consumer a receive race per event: twice the CPU per
        # event for 200 sockets of one unit, and the first socket's delivery 8 times later
        # (OPTIMIZATIONS.md §2.F). Like the list layer's 10 s expiry, it keeps nothing for a
        # process that is not listening: a live update is a hint to refetch, not a record.
        "BACKEND": "apps.realtime.layers.FanOutPubSubChannelLayer",
        "CONFIG": {
            # socket_timeout None: an idle reader must not be cut after 5 s (channels_redis #422).
            "hosts": [{"address": redis_url_with_db(REDIS_URL, _REDIS_DB_CHANNELS), "socket_timeout": None}],
            "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "asgi"),
            # Messages may carry names and numbers of GxP records: encrypted in Redis.
            # Several keys (comma separated) allow rotation: the first encrypts.
            "symmetric_encryption_keys": [k.strip() for k in _channel_key.split(",") if k.strip()],
        },
    }
}

# --- Celery ------------------------------------------------------------------------------------
CELERY_BROKER_URL = redis_url_with_db(REDIS_URL, _REDIS_DB_BROKER)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True  # a task is removed from the queue only after it ran
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # ... and re-queued if its worker died mid-way
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # long exports must not hold short tasks hostage
CELERY_TASK_COMPRESSION = "gzip"
CELERY_RESULT_COMPRESSION = "gzip"
CELERY_BROKER_POOL_LIMIT = _env_int("CELERY_BROKER_POOL_LIMIT", 10)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_SOFT_TIME_LIMIT = _env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60)
CELERY_TASK_TIME_LIMIT = _env_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # acks_late: an unacknowledged task comes back after this long. Just longer than the
    # longest task (the hard limit above), or a slow export would run twice; a report whose
    # whole worker died is reclaimed sooner by its heartbeat (reports-reclaim-stale, 1/min).
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 5 * 60,
    "socket_connect_timeout": 5,
    "health_check_interval": 30,
}
if os.environ.get("CELERY_BROKER_KEY_PREFIX"):
    # Several installations (or test runs) can share one Redis db without sharing queues.
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = os.environ["CELERY_BROKER_KEY_PREFIX"]
CELERY_WORKER_MAX_TASKS_PER_CHILD = 500
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 400_000  # KiB: recycle a worker process past ~400 MB
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_EAGER_PROPAGATES = False

# --- REST framework ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    # JSON only: no browsable API in production.
    "DEFAULT_RENDERER_CLASSES": ["apps.core.renderers.ORJSONRenderer"],
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}),
        "user": os.environ.get("THROTTLE_USER", "2000/hour"),
        "login": os.environ.get("THROTTLE_LOGIN", "5/min"),
    },
    # Exactly one trusted proxy (nginx) in front: the client address is the last
    # X-Forwarded-For entry, which nginx sets and a client cannot forge.
    "NUM_PROXIES": _env_int("NUM_PROXIES", 1),
    "PAGE_SIZE": REST_FRAMEWORK.get("PAGE_SIZE", 25),
}

# --- Templates: compiled once per process ------------------------------------------------------
TEMPLATES = [
    {
        **TEMPLATES[0],
        "APP_DIRS": False,
        "OPTIONS": {
            **TEMPLATES[0]["OPTIONS"],
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
        },
    }
]

# --- Middleware: GZip right after SecurityMiddleware (it must wrap the body writers) ----------
MIDDLEWARE = list(MIDDLEWARE)
if "django.middleware.gzip.GZipMiddleware" not in MIDDLEWARE:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "django.middleware.gzip.GZipMiddleware",
    )

# --- HTTPS and browser security ----------------------------------------------------------------
# nginx terminates TLS and sets X-Forwarded-Proto; Daphne is reachable only through it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
# Container health checks call Daphne directly over HTTP.
SECURE_REDIRECT_EXEMPT = [r"^api/health/$"]
SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# "preload" in the header is inert unless the domain is submitted to the browsers' list;
# set SECURE_HSTS_PRELOAD=0 (and drop it in nginx) if the domain must never be preloaded.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = _env_int("SESSION_COOKIE_AGE", 8 * 3600)  # one working shift
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True

# Bodies: 1 MiB (JSON API and admin forms), the same as nginx client_max_body_size; from settings.py.

# --- Files -------------------------------------------------------------------------------------
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, pre-compressed file names: nginx serves them with long expiry and gzip_static.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email -------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
if os.environ.get("EMAIL_FILE_PATH"):  # with the filebased backend (a staging server, tests)
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cipla-dms@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)


def _parse_admins(value: str) -> list[tuple[str, str]]:
    """'Name <a@b>, c@d' -> [("Name", "a@b"), ("c@d", "c@d")]."""
    admins = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        if "<" in item and item.endswith(">"):
            name, _, email = item[:-1].partition("<")
            admins.append((name.strip() or email.strip(), email.strip()))
        else:
            admins.append((item, item))
    return admins


ADMINS = _parse_admins(os.environ.get("ADMINS", ""))

# --- Logging: rotating files in DMS_LOG_DIR ----------------------------------------------------
# app.log 15 MB x 10 (everything INFO+), audit.log 50 MB x 50 (one JSON object per line, written
# by apps.audit), websocket.log 25 MB x 20 (connects, closes, refused tickets).
# LOG_DIR (DMS_LOG_DIR) and the rotating audit.log / websocket.log handlers come from
# settings.py; production adds app.log, e-mail to admins and the process id in each line.
_log_level = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    **LOGGING,
    "formatters": {
        **LOGGING.get("formatters", {}),
        "plain": {"format": "%(asctime)s %(levelname)s %(process)d %(name)s [%(request_id)s] %(message)s"},
        "message": {"format": "%(message)s"},
    },
    "filters": {
        **LOGGING.get("filters", {}),
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        **LOGGING.get("handlers", {}),
        # JSON lines with the request id (LOG_FORMAT, settings.py).
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMATTER, "filters": ["request_id"]},
        "app_file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(LOG_DIR / "app.log"),
            "maxBytes": 15 * 1024 * 1024,
            "backupCount": 10,
            "formatter": LOG_FORMATTER,
            "filters": ["request_id"],
            "encoding": "utf-8",
            "delay": True,
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console", "app_file"], "level": _log_level},
    "loggers": {
        **LOGGING.get("loggers", {}),
        "audit": {"handlers": ["audit_file"], "level": "INFO", "propagate": False},
        "websocket": {"handlers": ["websocket_file", "app_file"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["mail_admins"], "level": "ERROR", "propagate": True},
        "django.security": {"handlers": ["app_file", "mail_admins"], "level": "WARNING", "propagate": False},
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        "celery": {"level": _log_level},
    },
}
