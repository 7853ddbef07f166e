"""config.settings_production: passes Django's deployment checks with the example
environment, refuses to start on placeholder secrets, carries the values of PRODUCTION_DEPLOYMENT.md, and its
throttle cache fails open (bounded by the account lockout) when Redis is down."""

import json
from pathlib import Path

import pytest

from tests.production.conftest import production_env
from tests.production.support import fill_secrets, manage, process_env, read_env_example


def example_environment() -> dict[str, str]:
    """Exactly what the backend container gets from the example: the file (secrets filled
    in as its comments say) plus what docker-compose.production.yml adds."""
    values = fill_secrets(read_env_example())
    values.update(
        DJANGO_SETTINGS_MODULE="config.settings_production",
        DATABASE_URL=f"postgres://{values['POSTGRES_USER']}:{values['POSTGRES_PASSWORD']}@db:5432/{values['POSTGRES_DB']}",
        REDIS_URL=f"redis://:{values['REDIS_PASSWORD']}@redis:6379/0",
    )
    return values


def test_check_deploy_is_clean_with_the_example_environment(tmp_path: Path) -> None:
    env = process_env({**example_environment(), "DMS_LOG_DIR": str(tmp_path), "DMS_DATA_DIR": str(tmp_path)})

    result = manage(env, "check", "--deploy", "--fail-level", "WARNING", check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SECRET_KEY", None, "SECRET_KEY must be set"),
        ("SECRET_KEY", "CHANGE_ME", "SECRET_KEY is still the placeholder"),
        ("SECRET_KEY", "dev-insecure-cipla-dms-key-change-me", "placeholder"),
        ("SECRET_KEY", "short-but-not-a-placeholder", "SECRET_KEY is a default or too weak"),
        ("DEBUG", "1", "DEBUG must be off"),
        ("ALLOWED_HOSTS", "*", "ALLOWED_HOSTS must list"),
        ("DATABASE_URL", "sqlite:///db.sqlite3", "Production runs on PostgreSQL"),
        ("CHANNEL_LAYER_ENCRYPTION_KEY", "CHANGE_ME", "CHANNEL_LAYER_ENCRYPTION_KEY is still the placeholder"),
    ],
)
def test_refuses_to_start_with_unsafe_configuration(
    tmp_path: Path, variable: str, value: str | None, message: str
) -> None:
    values = {**example_environment(), "DMS_LOG_DIR": str(tmp_path), "DMS_DATA_DIR": str(tmp_path)}
    if value is None:
        values.pop(variable)
    else:
        values[variable] = value

    result = manage(process_env(values), "check", check=False)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
log = s.LOGGING["handlers"]
print(json.dumps({
    "engine": db["ENGINE"], "conn_max_age": db["CONN_MAX_AGE"], "health_checks": db["CONN_HEALTH_CHECKS"],
    "pool": dict(db["OPTIONS"]["pool"]),
    "options": db["OPTIONS"]["options"], "cache_backend": s.CACHES["default"]["BACKEND"],
    "cache_location": s.CACHES["default"]["LOCATION"],
    "cache_max_connections": s.CACHES["default"]["OPTIONS"]["CONNECTION_POOL_KWARGS"]["max_connections"],
    "cache_ignore_exceptions": s.CACHES["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"],
    "session_engine": s.SESSION_ENGINE,
    "channels_backend": s.CHANNEL_LAYERS["default"]["BACKEND"],
    "channels": {k: v for k, v in s.CHANNEL_LAYERS["default"]["CONFIG"].items() if k != "symmetric_encryption_keys"},
    "channels_encrypted": len(s.CHANNEL_LAYERS["default"]["CONFIG"]["symmetric_encryption_keys"]),
    "broker": s.CELERY_BROKER_URL, "acks_late": s.CELERY_TASK_ACKS_LATE, "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "compression": s.CELERY_TASK_COMPRESSION, "pool_limit": s.CELERY_BROKER_POOL_LIMIT,
    "prefetch": s.CELERY_WORKER_PREFETCH_MULTIPLIER,
    "rates": s.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "num_proxies": s.REST_FRAMEWORK["NUM_PROXIES"],
    "pagination": s.REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"],
    "loaders": s.TEMPLATES[0]["OPTIONS"]["loaders"],
    "gzip": s.MIDDLEWARE.index("django.middleware.gzip.GZipMiddleware"),
    "security": s.MIDDLEWARE.index("django.middleware.security.SecurityMiddleware"),
    "ssl_redirect": s.SECURE_SSL_REDIRECT, "hsts": s.SECURE_HSTS_SECONDS, "proxy_ssl": list(s.SECURE_PROXY_SSL_HEADER),
    "cookies": [s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY],
    "xfo": s.X_FRAME_OPTIONS, "referrer": s.SECURE_REFERRER_POLICY, "debug": s.DEBUG,
    "logs": {name: [h["filename"].rsplit("/", 1)[-1], h["maxBytes"], h["backupCount"]]
             for name, h in log.items() if "filename" in h},
}))
"""


def test_production_values_match_the_design(tmp_path: Path) -> None:
    values = {**example_environment(), "DMS_LOG_DIR": str(tmp_path), "DMS_DATA_DIR": str(tmp_path)}
    import subprocess

    from tests.production.support import BACKEND_DIR, PYTHON

    out = subprocess.run(
        [PYTHON, "-c", PRINT_SETTINGS],
        cwd=BACKEND_DIR,
        env=process_env(values),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    s = json.loads(out.stdout.strip().splitlines()[-1])

    # Django's PostgreSQL backend, whose pool checks each connection it hands out by its socket.
    assert s["engine"] == "config.postgresql" and s["conn_max_age"] == 0 and s["health_checks"] is True
    assert (s["pool"]["min_size"], s["pool"]["max_size"]) == (1, 4)
    assert s["options"] == "-c statement_timeout=30000 -c plan_cache_mode=force_generic_plan -c join_collapse_limit=4"
    assert s["cache_backend"] == "django_redis.cache.RedisCache" and s["cache_location"].endswith("@redis:6379/2")
    assert s["cache_max_connections"] == 50 and s["cache_ignore_exceptions"] is True
    assert s["session_engine"] == "django.contrib.sessions.backends.cached_db"
    channels = s["channels"]
    assert s["channels_backend"] == "apps.realtime.layers.FanOutPubSubChannelLayer"
    assert channels["hosts"][0]["address"].endswith("@redis:6379/1") and channels["hosts"][0]["socket_timeout"] is None
    assert s["channels_encrypted"] == 1
    assert s["broker"].endswith("@redis:6379/0")
    assert (s["acks_late"], s["eager"], s["compression"], s["pool_limit"], s["prefetch"]) == (
        True,
        False,
        "gzip",
        10,
        1,
    )
    assert s["rates"]["user"] == "2000/hour" and s["rates"]["login"] == "5/min" and s["num_proxies"] == 1
    assert s["pagination"]
    assert s["loaders"][0][0] == "django.template.loaders.cached.Loader"
    assert s["gzip"] == s["security"] + 1
    assert s["ssl_redirect"] is True and s["hsts"] == 31536000 and s["proxy_ssl"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["cookies"] == [True, True, True, True]
    assert (s["xfo"], s["referrer"], s["debug"]) == ("DENY", "strict-origin-when-cross-origin", False)
    assert s["logs"]["app_file"] == ["app.log", 15 * 1024 * 1024, 10]
    assert s["logs"]["audit_file"] == ["audit.log", 50 * 1024 * 1024, 50]
    assert s["logs"]["websocket_file"] == ["websocket.log", 25 * 1024 * 1024, 20]


LOGIN_ATTEMPTS = """
import os
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
for _ in range(int(os.environ["ATTEMPTS"])):
    response = client.post("/api/auth/login/", {"username": os.environ["LOGIN"], "password": "wrong-password"},
                           content_type="application/json", secure=True, HTTP_HOST="127.0.0.1")
    print(response.status_code)
"""


@pytest.mark.postgres
@pytest.mark.redis
def test_login_throttle_fails_open_when_redis_is_down_and_the_lockout_still_bounds_guessing(
    tmp_path: Path, clone_database
) -> None:
    """With Redis reachable the sixth bad login in a minute is throttled (429); with Redis
    unreachable the throttle cannot count and lets logins through (no 5xx), and the database
    lockout still stops the guessing after five failures (403 account_locked)."""
    import subprocess

    from tests.production.support import BACKEND_DIR, PYTHON, free_port

    database = clone_database("dms_prodtest_throttle")
    up = production_env(tmp_path / "up", database, LOGIN="nobody", ATTEMPTS="6")
    down = production_env(
        tmp_path / "down", database, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", LOGIN="viewer", ATTEMPTS="7"
    )

    codes = {}
    for name, env in (("up", up), ("down", down)):
        out = subprocess.run(
            [PYTHON, "-c", LOGIN_ATTEMPTS], cwd=BACKEND_DIR, env=env, capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stderr
        codes[name] = [int(line) for line in out.stdout.split() if line.isdigit()]

    assert codes["up"] == [401] * 5 + [429]
    assert codes["down"] == [401] * 5 + [403, 403]


def test_every_variable_of_the_example_is_read_by_something() -> None:
    """A variable nobody reads is a setting the operator believes in and the system ignores."""
    from tests.production.support import BACKEND_DIR, REPO_ROOT

    python = "\n".join(p.read_text() for p in [*BACKEND_DIR.glob("config/*.py"), *BACKEND_DIR.glob("apps/**/*.py")])
    compose = (REPO_ROOT / "docker-compose.production.yml").read_text()
    shell = "\n".join(
        p.read_text()
        for p in [*REPO_ROOT.glob("scripts/*.sh"), *REPO_ROOT.glob("scripts/db-init/*"), BACKEND_DIR / "entrypoint.sh"]
    )
    unread = [
        name
        for name in read_env_example()
        if f'"{name}"' not in python
        and f"'{name}'" not in python
        and "${" + name not in compose
        and "$" + name not in shell
        and "${" + name not in shell
    ]

    assert unread == []
