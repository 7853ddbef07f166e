"""Fixtures of the production tests. They drive real processes with
config.settings_production against the machine's PostgreSQL and Redis, in databases and
Redis dbs/prefixes of their own, and clean up after themselves."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.production.support import (
    REDIS_BASE_URL,
    create_database,
    drop_database,
    fill_secrets,
    manage,
    pg_url,
    process_env,
    read_env_example,
    redis_delete_prefix,
    scoped_name,
)

TEMPLATE_DB = scoped_name("dms_prodtest_template")
# Redis dbs of the production tests: far from the app's 0/1/2 that the rest of the suite uses.
REDIS_DB_BROKER, REDIS_DB_CHANNELS, REDIS_DB_CACHE = 13, 14, 15


def production_env(tmp: Path, database: str, **overrides: str) -> dict[str, str]:
    """The example environment with generated secrets, pointed at this machine's services
    and at folders under `tmp`."""
    run_id = uuid.uuid4().hex[:10]
    for sub in ("logs", "var", "media", "static", "mail"):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
    values = fill_secrets(read_env_example())
    values.update(
        DJANGO_SETTINGS_MODULE="config.settings_production",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CSRF_TRUSTED_ORIGINS="https://127.0.0.1",
        DATABASE_URL=pg_url(database),
        REDIS_URL=REDIS_BASE_URL,
        REDIS_DB_BROKER=str(REDIS_DB_BROKER),
        REDIS_DB_CHANNELS=str(REDIS_DB_CHANNELS),
        REDIS_DB_CACHE=str(REDIS_DB_CACHE),
        CACHE_KEY_PREFIX=f"dmsprodtest{run_id}",
        CHANNEL_LAYER_PREFIX=f"dmsprodtest{run_id}",
        CELERY_BROKER_KEY_PREFIX=f"dmsprodtest{run_id}:",
        DMS_LOG_DIR=str(tmp / "logs"),
        DMS_DATA_DIR=str(tmp / "var"),
        DMS_MEDIA_ROOT=str(tmp / "media"),
        STATIC_ROOT=str(tmp / "static"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp / "mail"),
        DMS_ADMIN_PASSWORD="Super@Secret-12345",
    )
    values.update(overrides)
    return process_env(values)


def cleanup_redis(env: dict[str, str]) -> None:
    redis_delete_prefix(REDIS_DB_CACHE, f"{env['CACHE_KEY_PREFIX']}*")
    redis_delete_prefix(REDIS_DB_CHANNELS, f"{env['CHANNEL_LAYER_PREFIX']}*")
    redis_delete_prefix(REDIS_DB_BROKER, f"{env['CELERY_BROKER_KEY_PREFIX']}*")


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One PostgreSQL database migrated with settings_production and loaded with
    `initial_setup --demo` (units, users of every role, locations, crates, audit events);
    tests clone it with CREATE DATABASE ... TEMPLATE, which takes a fraction of a second."""
    tmp = tmp_path_factory.mktemp("template")
    create_database(TEMPLATE_DB)
    env = production_env(tmp, TEMPLATE_DB)
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "initial_setup", "--demo", timeout=180)
        yield TEMPLATE_DB
    finally:
        cleanup_redis(env)
        drop_database(TEMPLATE_DB)


@pytest.fixture
def clone_database(template_database: str) -> Iterator:
    created: list[str] = []

    def clone(base: str) -> str:
        name = scoped_name(base)
        create_database(name, template=template_database)
        created.append(name)
        return name

    yield clone
    for name in created:
        drop_database(name)
