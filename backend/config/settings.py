"""Settings for Cipla DMS, read from the environment.

Without DATABASE_URL / REDIS_URL the app runs on the embedded default (SQLite, in-memory
channel layer, local-memory cache, eager Celery) so `make run` needs nothing installed.
With them set the same code uses PostgreSQL and Redis (broker db 0, channel layer db 1,
cache db 2). Production hardening lives in settings_production.py.
"""

import contextlib
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def redis_url_with_db(url: str, db: int) -> str:
    """The same Redis server with a different logical database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


# The key of an old release that was public in this repository: settings_production refuses
# it, and nothing here ever falls back to it (a token signed with it would be accepted).
DEFAULT_SECRET_KEY = "dev-insecure-cipla-dms-key-change-me"
DATA_DIR = Path(os.environ.get("DMS_DATA_DIR", BASE_DIR / "var"))


def local_secret_key(data_dir: Path) -> str:
    """Without SECRET_KEY (`make run`, tests) a random key is generated once into the data
    directory and reused, so sessions and tokens survive a restart but no two installations
    share a key. Production sets SECRET_KEY and refuses to start without it."""
    import secrets

    path = data_dir / "secret_key"
    with contextlib.suppress(FileNotFoundError):
        key = path.read_text().strip()
        if len(key) >= 50:
            return key
    key = secrets.token_urlsafe(64)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL: of two processes starting at once, one writes, the other reads its key.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip() or key
    except OSError:
        return key  # a read-only image: a key for this process only (production sets its own)
    with os.fdopen(descriptor, "w") as file:
        file.write(key)
    return key


SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or local_secret_key(DATA_DIR)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "apps.core",
    "apps.auth",
    "apps.audit",
    "apps.signatures",
    "apps.storage",
    "apps.crates",
    "apps.retention",
    "apps.requests",
    "apps.inventory",
    "apps.notifications",
    "apps.reports",
    "apps.emails",
    "apps.setup",
]

MIDDLEWARE = [
    # Outermost: counts and times every request (GET /metrics, apps/core/metrics.py).
    "apps.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "apps.core.middleware.RejectNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cached GET answers of the API, served before the rest of the stack (apps/auth/readcache.py).
    "apps.auth.readcache.ReadCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.audit.middleware.AuditContextMiddleware",
    # Django's MessageMiddleware, its storage made only when a message is used (the admin).
    "apps.core.middleware.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Every PostgreSQL session plans a prepared statement once, generically, from its first run.
# The only statements prepared are the fixed reads of apps.core.prepared (and the audit
# triggers' PL/pgSQL). By default PostgreSQL plans the first five runs of each statement on
# each connection for their values (up to 3.4 ms for a requests page), then keeps the generic
# plan it chose for every one of these reads on the bench data; on a pool of 16 connections
# those 80 first runs were most of a short phase's PostgreSQL CPU (OPTIMIZATIONS.md §2.P).
# It also reorders explicit JOINs in groups of at most four relations (PostgreSQL's default is
# eight). The ORM's reads join a row to the rows it refers to (a request to its unit, target
# unit and five users: eight relations), where the order written is already the one to run;
# PostgreSQL tried every order of the eight, 7-10 ms of planning for 0.3 ms of running, on
# every write's answer and every read that is not prepared. In groups of four: 0.9 ms, and a
# request's create or submit spends 5-8 ms less of PostgreSQL's CPU (OPTIMIZATIONS.md §2.U).
POSTGRES_SESSION_OPTIONS = "-c plan_cache_mode=force_generic_plan -c join_collapse_limit=4"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, whose pool checks each connection it hands out by its socket, so
        # one that PostgreSQL closed is replaced, not handed out (config/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "config.postgresql"
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # Django's native psycopg pool; CONN_MAX_AGE must stay 0 with a pool.
        DATABASES["default"]["OPTIONS"] = {
            "pool": {
                "min_size": int(os.environ.get("DB_POOL_MIN", "2")),
                "max_size": int(os.environ.get("DB_POOL_MAX", "20")),
                "timeout": 30,
            },
            "options": POSTGRES_SESSION_OPTIONS,
        }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(DATA_DIR / "db.sqlite3")),
            # Daphne serves requests from several threads: WAL lets readers go on while one
            # writer works, IMMEDIATE takes the write lock at BEGIN (no lock upgrade
            # deadlock -> "database is locked"), and the timeout makes writers queue.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache (db 2), channel layer (db 1), Celery broker (db 0) -------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_cache(location: str, *, key_prefix: str, max_connections: int = 50) -> dict[str, Any]:
    """The Redis cache, failing open: when Redis is down a read is a miss and a write is
    skipped (logged), so the API keeps working without it (docs/decisions.md, "Redis down")."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": location,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {
            "CONNECTION_POOL_KWARGS": {"max_connections": max_connections, "health_check_interval": 30},
            # Each cache call waits at most this long for a dead or unreachable Redis.
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
            "IGNORE_EXCEPTIONS": True,
        },
    }


DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "redis.degraded"

if REDIS_URL:
    CACHES = {
        "default": redis_cache(redis_url_with_db(REDIS_URL, 2), key_prefix=os.environ.get("CACHE_KEY_PREFIX", "dms"))
    }
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub, as in production (settings_production.py says why).
            "BACKEND": "apps.realtime.layers.FanOutPubSubChannelLayer",
            "CONFIG": {
                # socket_timeout None: idle sockets must not be dropped (channels_redis #422).
                "hosts": [
                    # A connect timeout still bounds a broadcast when Redis is unreachable.
                    {
                        "address": redis_url_with_db(REDIS_URL, 1),
                        "socket_timeout": None,
                        "socket_connect_timeout": 2,
                    },
                ],
                "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "asgi"),
            },
        }
    }
    CELERY_BROKER_URL = redis_url_with_db(REDIS_URL, 0)
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True

CELERY_RESULT_BACKEND = None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"

# --- Background work: Celery queue, Beat schedule, e-mail, exports (docs/background.md) ---------
# Beat entries run at UTC cron times; each can be moved by an environment variable holding a
# cron line ("30 1 * * *") or a number of seconds ("3600").
from celery.schedules import crontab  # noqa: E402


def beat_schedule(env_name: str, default: str) -> crontab | float:
    value = os.environ.get(env_name, default).strip()
    if value.replace(".", "", 1).isdigit():
        return float(value)
    minute, hour, day_of_month, month_of_year, day_of_week = value.split()
    return crontab(
        minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year, day_of_week=day_of_week
    )


# A separate queue name lets test runs (or installations) share one Redis without sharing work.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_BEAT_SCHEDULE = {
    "retention-scan": {
        "task": "apps.crates.tasks.retention_scan",
        "schedule": beat_schedule("BEAT_RETENTION_SCAN", "15 1 * * *"),
    },
    "overdue-withdrawal-reminders": {
        "task": "apps.requests.tasks.overdue_reminders",
        "schedule": beat_schedule("BEAT_OVERDUE_REMINDERS", "30 3 * * *"),
    },
    "audit-chain-verification": {
        "task": "apps.audit.tasks.verify_audit_chain",
        "schedule": beat_schedule("BEAT_AUDIT_CHAIN", "45 0 * * *"),
    },
    "reports-reclaim-stale": {
        "task": "apps.reports.tasks.reclaim_stale_reports",
        "schedule": beat_schedule("BEAT_REPORTS_RECLAIM", "60"),
    },
    "jwt-blacklist-flush": {
        "task": "apps.auth.tasks.flush_expired_tokens",
        "schedule": beat_schedule("BEAT_JWT_FLUSH", "0 2 * * *"),
    },
}
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(DATA_DIR / "emails"))
# Exports: rows per chunk (one progress update and one DB round trip per chunk); an optional
# pause between chunks throttles a long export's load on the database.
REPORTS_DIR = "reports"
REPORT_CHUNK_SIZE = int(os.environ.get("REPORT_CHUNK_SIZE", "2000"))
REPORT_CHUNK_PAUSE_SECONDS = float(os.environ.get("REPORT_CHUNK_PAUSE_SECONDS", "0"))
# Worker death: a run beats at every chunk; silent this long, its report is re-queued (or
# failed after REPORT_MAX_ATTEMPTS runs). Far above one chunk's time plus its pause.
REPORT_STALE_SECONDS = int(os.environ.get("REPORT_STALE_SECONDS", "120"))
REPORT_MAX_ATTEMPTS = int(os.environ.get("REPORT_MAX_ATTEMPTS", "3"))
# The longest task may run this long (hard limit: the worker process is killed); the broker
# hands an unacknowledged task (acks_late) to another worker only after the visibility
# timeout, which must be longer than the longest task or a slow export would run twice.
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", str(25 * 60)))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", str(30 * 60)))
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 5 * 60}
# --- end of background work ------------------------------------------------------------------

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email", "employee_id")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "apps.auth.passwords.CommonPasswordVariantValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "apps.auth.passwords.CharacterClassValidator"},
]

# Directory sign-in (LDAP / Active Directory), off unless LDAP_SERVER_URI is set: see
# config/directory.py for the variables and PRODUCTION_DEPLOYMENT.md for an AD example.
from config.directory import directory_settings  # noqa: E402

AUTH_LDAP_SERVER_URI = ""
AUTH_LOCAL_ACCOUNTS = True  # AUTH_LOCAL_ACCOUNTS=0 refuses every DMS-password sign-in
DIRECTORY_RECHECK_SECONDS = 60
DIRECTORY_ROLE_GROUPS: dict[str, str] = {}
DIRECTORY_UNIT_ATTR = ""
DIRECTORY_UNIT_GROUPS: dict[str, str] = {}
globals().update(directory_settings(os.environ))
# Sessions (the admin site); passwords are checked by the login service, see the class.
AUTHENTICATION_BACKENDS = ["apps.auth.directory.LocalAccountBackend"]

LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
# Consecutive wrong signature passwords that lock the account (21 CFR 11.300(d), docs/roles.md).
SIGNATURE_MAX_FAILURES = int(os.environ.get("SIGNATURE_MAX_FAILURES", "3"))
WS_TICKET_TTL_SECONDS = 30

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=int(os.environ.get("JWT_ACCESS_MINUTES", "15"))),
    "REFRESH_TOKEN_LIFETIME": timedelta(hours=int(os.environ.get("JWT_REFRESH_HOURS", "12"))),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "SIGNING_KEY": os.environ.get("JWT_SIGNING_KEY", SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.auth.authentication.VersionedJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.exception_handler.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["apps.auth.throttles.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("THROTTLE_USER", "2000/hour"),
        "login": os.environ.get("THROTTLE_LOGIN", "5/min"),
    },
    # JSON only, bounded in size and depth (apps/core/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["apps.core.parsers.BoundedJSONParser"],
    # Proxies in front whose X-Forwarded-For may be trusted: none under `make run` (Daphne is
    # reached directly), so a client cannot pick its own address for the per-IP login
    # throttle or the audit trail; production sets 1 (nginx).
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DATETIME_FORMAT": "iso-8601",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Cipla DMS API",
    "DESCRIPTION": "Physical document archive: crates, documents, requests, audit trail.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "CrateStatusEnum": "apps.crates.models.Crate.Status",
        "DocumentStatusEnum": "apps.crates.models.Document.Status",
        "RequestStatusEnum": "apps.requests.models.Request.Status",
        "SendBackStatusEnum": "apps.requests.models.SendBack.Status",
        "ReportStatusEnum": "apps.reports.models.Report.Status",
        "CountStatusEnum": "apps.inventory.models.InventoryCount.Status",
        "ImportStatusEnum": "apps.inventory.models.InventoryImport.Status",
        "DestructionMethodEnum": "apps.requests.models.DestructionMethod",
        "SignatureMeaningEnum": "apps.signatures.models.Signature.Meaning",
        # allowed_actions of requests, crates and send-backs, and the user's capabilities.
        "RequestActionEnum": "apps.policy.access.REQUEST_ACTIONS",
        "CrateActionEnum": "apps.policy.access.CRATE_ACTIONS",
        "SendBackActionEnum": "apps.policy.access.SENDBACK_ACTIONS",
        "UserActionEnum": "apps.policy.access.USER_ACTIONS",
        "CountActionEnum": "apps.policy.access.COUNT_ACTIONS",
        "CapabilityEnum": "apps.policy.capabilities.ALL_CAPABILITIES",
        "LabelFormatEnum": "apps.core.labels.FORMATS",
        "ScanKindEnum": "apps.crates.selectors.SCAN_KINDS",
        "KindEnum": "apps.storage.models.StorageLocation.Kind",
        "ReportFormatEnum": "apps.reports.models.Report.Format",
    },
}

# --- i18n, static, SPA ----------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise expects it to exist even before the first collectstatic (tests, dev); a
# read-only image (production collects static at build time) simply keeps what it has.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("DMS_MEDIA_ROOT", DATA_DIR / "media"))
SPA_DIST_DIR = Path(os.environ.get("SPA_DIST_DIR", REPO_DIR / "frontend" / "dist"))
# WhiteNoise serves the built SPA's hashed assets at the site root (/assets/...), as the
# `.br` / `.gz` siblings the build writes when the browser accepts them.
WHITENOISE_ROOT = SPA_DIST_DIR if SPA_DIST_DIR.exists() else None
# Vite names every asset by its content hash (assets/<name>-<hash>.<ext>): a changed file is a
# new URL, so browsers may keep one for a year without asking again. index.html names the
# current assets and must always be revalidated, or users keep an old build after an upgrade.
SPA_IMMUTABLE_ASSET = re.compile(r"^/assets/.+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$")
SPA_ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"


def spa_cache_headers(headers: Any, path: str, url: str) -> None:
    """WhiteNoise's per-file headers: the nginx rules of frontend/nginx.conf, under Daphne."""
    if SPA_IMMUTABLE_ASSET.match(url):
        headers["Cache-Control"] = SPA_ASSET_CACHE_CONTROL
    elif url.endswith(".html"):
        headers["Cache-Control"] = "no-cache"


WHITENOISE_ADD_HEADERS_FUNCTION = spa_cache_headers
SPA_BASE_URL = os.environ.get("SPA_BASE_URL", "http://127.0.0.1:8000")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cipla-dms@localhost")

# --- Metrics (GET /metrics) -----------------------------------------------------------------
# A scraper not on this host sends `Authorization: Bearer <METRICS_TOKEN>`; empty = loopback only.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# --- Logging --------------------------------------------------------------------------------
LOG_DIR = Path(os.environ.get("DMS_LOG_DIR", DATA_DIR / "logs"))
LOG_DIR.mkdir(parents=True, exist_ok=True)
# JSON lines (LOG_FORMAT=json, the default) with the request id on every line: nginx sets
# X-Request-ID and every process (web, Celery worker, socket server) logs it, so one request
# can be followed across them. LOG_FORMAT=plain gives human-readable lines for development.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOG_FORMATTER = "json" if LOG_FORMAT == "json" else "plain"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "apps.audit.log.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(process)d %(request_id)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger", "process": "pid"},
            "timestamp": "time",  # ISO 8601, UTC
        },
        "message": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMATTER, "filters": ["request_id"]},
        "audit_file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(LOG_DIR / "audit.log"),
            "maxBytes": 50 * 1024 * 1024,
            "backupCount": 50,
            "formatter": "message",  # the message is already a JSON line (with its request_id)
            "encoding": "utf-8",
            "delay": True,
        },
        "websocket_file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(LOG_DIR / "websocket.log"),
            "maxBytes": 25 * 1024 * 1024,
            "backupCount": 20,
            "formatter": LOG_FORMATTER,
            "filters": ["request_id"],
            "encoding": "utf-8",
            "delay": True,
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "audit": {"handlers": ["audit_file"], "level": "INFO", "propagate": False},
        "websocket": {"handlers": ["websocket_file", "console"], "level": "INFO", "propagate": False},
        "django.channels.server": {"level": "WARNING"},
    },
}

# --- Hardening: request size limits ----------------------------------------------------------
# JSON bodies the API parses (apps/core/parsers.py) and form bodies Django parses (admin); nginx
# caps bodies too (client_max_body_size), so an oversized body is refused before it is read.
API_JSON_MAX_BYTES = int(os.environ.get("API_JSON_MAX_BYTES", str(1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(1024 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- What each request costs (OPTIMIZATIONS.md, "What each request costs") -----------------
# Argon2id (Django's recommended hasher) at OWASP's setting, 19 MiB / 2 passes / 1 lane
# (apps/auth/hashers.py: why not Django's heavier default). The PBKDF2 hashers stay so existing
# hashes still verify; those and Argon2 hashes of other parameters are re-hashed with this one
# at the user's next successful login.
PASSWORD_HASHERS = [
    "apps.auth.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# apps.auth.identity: how long a cached identity (user, unit, roles, permissions) may live.
# Changes invalidate it at once; this only bounds an entry whose invalidation was lost.
IDENTITY_CACHE_SECONDS = int(os.environ.get("IDENTITY_CACHE_SECONDS", "300"))
# apps.auth.readcache / apps.core.readcache: the longest a cached GET answer (or a unit's
# dashboard figures) is served after it was computed; writes invalidate it at once. 0: off.
READ_CACHE_SECONDS = int(os.environ.get("READ_CACHE_SECONDS", "30"))
# apps.auth.fastpath: current cached answers served by the WSGI workers in front of Django.
READ_CACHE_FAST_PATH = env_bool("READ_CACHE_FAST_PATH", True)
# apps.core.prepared: the list pages' row reads are server-side prepared statements on
# PostgreSQL (planned once per connection, not per request). Turn off behind a pooler that
# cannot carry them: PgBouncer in transaction mode before 1.21, or without max_prepared_statements.
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
# apps.core.pagination: lists count at most this many rows; past it `count_exact` is false.
PAGINATION_COUNT_CAP = int(os.environ.get("PAGINATION_COUNT_CAP", "1000"))
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
    "apps.core.renderers.ORJSONRenderer",
    "rest_framework.renderers.BrowsableAPIRenderer",
]
