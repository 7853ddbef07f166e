"""docker-compose.yml and docker-compose.production.yml are valid Compose files (checked by
Compose itself against the Compose specification schema, with the example environment) and
every file they point at exists: build contexts, Dockerfiles and what those COPY, bind mounts,
the env file."""

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.production.support import REPO_ROOT, fill_secrets, process_env, read_env_example, require_tool


def compose_config(tmp_path: Path, compose_file: str, env_file: Path | None = None) -> dict[str, Any]:
    """`docker-compose config`: interpolates, validates against the Compose spec schema and
    resolves paths; exits non-zero on any error."""
    compose = require_tool("docker-compose")
    args = [compose]
    overrides = {}
    if env_file is not None:
        args += ["--env-file", str(env_file)]
        overrides["DMS_ENV_FILE"] = str(env_file)
    args += ["-f", str(REPO_ROOT / compose_file), "config"]
    result = subprocess.run(args, cwd=REPO_ROOT, env=process_env(overrides), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{compose_file} is invalid:\n{result.stderr}"
    assert "WARNING" not in result.stderr, result.stderr
    return yaml.safe_load(result.stdout)


@pytest.fixture
def example_env_file(tmp_path: Path) -> Path:
    path = tmp_path / ".env.production"
    path.write_text("".join(f"{k}={v}\n" for k, v in fill_secrets(read_env_example()).items()))
    return path


def copied_sources(dockerfile: Path) -> list[str]:
    """Sources of COPY/ADD lines that read from the build context (not --from=stage)."""
    sources = []
    for line in dockerfile.read_text().splitlines():
        match = re.match(r"^\s*(COPY|ADD)\s+(.*)$", line)
        if not match or "--from=" in match.group(2):
            continue
        parts = [p for p in match.group(2).split() if not p.startswith("--")]
        sources += parts[:-1]
    return sources


def assert_referenced_files_exist(config: dict[str, Any]) -> None:
    for name, service in config["services"].items():
        build = service.get("build")
        if build:
            context = Path(build["context"])
            dockerfile = context / build.get("dockerfile", "Dockerfile")
            assert context.is_dir(), f"{name}: build context {context} missing"
            assert dockerfile.is_file(), f"{name}: {dockerfile} missing"
            for source in copied_sources(dockerfile):
                if source != ".":
                    assert (context / source).exists(), f"{name}: {dockerfile} copies missing {source}"
        for volume in service.get("volumes", []):
            if isinstance(volume, str):
                source = volume.split(":")[0]
                is_bind = source.startswith(("/", "."))
            else:
                source, is_bind = volume.get("source", ""), volume.get("type") == "bind"
            if is_bind:
                assert Path(source).exists(), f"{name}: bind mount source {source} missing"


def test_production_compose_file_is_valid_with_the_example_env(tmp_path: Path, example_env_file: Path) -> None:
    config = compose_config(tmp_path, "docker-compose.production.yml", example_env_file)

    services = config["services"]
    assert set(services) == {
        "db",
        "redis",
        "backend",
        "websocket",
        "celery_worker",
        "celery_beat",
        "frontend",
        "nginx",
        "redisinsight",
    }
    assert services["redisinsight"]["profiles"] == ["monitoring"]
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    # Only nginx publishes ports to the network.
    assert {n for n, s in services.items() if s.get("ports") and n != "redisinsight"} == {"nginx"}
    assert_referenced_files_exist(config)


def test_production_compose_tuning_health_checks_and_limits(tmp_path: Path, example_env_file: Path) -> None:
    services = compose_config(tmp_path, "docker-compose.production.yml", example_env_file)["services"]

    pg = " ".join(services["db"]["command"])
    for setting in ("shared_buffers=512MB", "effective_cache_size=4GB", "work_mem=16MB", "maintenance_work_mem=256MB"):
        assert setting in pg
    redis = " ".join(services["redis"]["command"])
    for option in ("--appendonly yes", "--maxmemory-policy allkeys-lru", "--maxclients 500", "--requirepass"):
        assert option in redis
    worker = services["celery_worker"]["command"]
    assert "--concurrency=4" in worker and "worker" in worker
    assert "beat" in services["celery_beat"]["command"]
    # HTTP on granian worker processes, WebSockets on Daphne (PRODUCTION_DEPLOYMENT.md: every core works).
    assert services["backend"]["command"] == ["python", "-m", "config.http_server"]
    assert services["backend"]["environment"]["WEB_CONCURRENCY"] == "8"
    assert int(services["backend"]["environment"]["DB_POOL_MAX"]) >= int(
        services["backend"]["environment"]["HTTP_THREADS"]
    )
    # A replaced worker's queued connections move to the others instead of being dropped.
    assert services["backend"]["sysctls"]["net.ipv4.tcp_migrate_req"] == "1"
    assert services["websocket"]["command"][0] == "daphne"
    assert "config.asgi:application" in services["websocket"]["command"]
    assert services["websocket"]["depends_on"]["backend"]["condition"] == "service_healthy"
    assert set(services["nginx"]["depends_on"]) == {"backend", "websocket", "frontend"}
    assert services["backend"]["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings_production"

    intervals = {
        name: services[name]["healthcheck"]["interval"] for name in ("db", "redis", "backend", "websocket", "frontend")
    }
    assert intervals == {"db": "10s", "redis": "5s", "backend": "30s", "websocket": "30s", "frontend": "30s"}
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "/api/health/" in " ".join(services["backend"]["healthcheck"]["test"])
    # The folders the settings write to are the volumes the other services read.
    for name in ("backend", "websocket", "celery_worker", "celery_beat"):
        env = services[name]["environment"]
        mounts = {v.split(":")[1] if isinstance(v, str) else v["target"] for v in services[name]["volumes"]}
        assert env["DMS_MEDIA_ROOT"] in mounts and env["DMS_LOG_DIR"] in mounts, name
        assert env["DATABASE_URL"].startswith(f"postgres://{env['APP_DB_USER']}:")
        assert env["MIGRATION_DATABASE_URL"].startswith(f"postgres://{env['POSTGRES_USER']}:")
    backend_mounts = {v.split(":")[1] if isinstance(v, str) else v["target"]: v for v in services["backend"]["volumes"]}
    assert services["backend"]["environment"]["STATIC_ROOT"] in backend_mounts
    nginx_mounts = [v if isinstance(v, str) else f"{v['source']}:{v['target']}" for v in services["nginx"]["volumes"]]
    assert any("static_volume" in v and "/var/www/static" in v for v in nginx_mounts)
    assert any("media_volume" in v and "/var/www/media" in v for v in nginx_mounts)
    for name, service in services.items():
        limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
        assert limits.get("cpus") and limits.get("memory"), f"{name} has no CPU/memory limit"


def test_production_compose_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    compose = require_tool("docker-compose")

    result = subprocess.run(
        [compose, "--env-file", str(env_file), "-f", str(REPO_ROOT / "docker-compose.production.yml"), "config"],
        cwd=REPO_ROOT,
        env=process_env({"DMS_ENV_FILE": str(env_file)}),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in .env.production" in result.stderr or "REDIS_PASSWORD" in result.stderr


def test_development_compose_file_is_valid(tmp_path: Path) -> None:
    config = compose_config(tmp_path, "docker-compose.yml")

    services = config["services"]
    assert {"db", "redis", "backend", "celery_worker", "celery_beat", "frontend", "redisinsight"} <= set(services)
    assert services["redisinsight"]["profiles"] == ["tools"]
    assert_referenced_files_exist(config)


def test_compose_validator_rejects_an_invalid_file(tmp_path: Path) -> None:
    """The validator is real: a misspelt key fails the Compose spec schema."""
    broken = tmp_path / "docker-compose.yml"
    broken.write_text((REPO_ROOT / "docker-compose.yml").read_text().replace("healthcheck:", "healthchek:", 1))
    compose = require_tool("docker-compose")

    result = subprocess.run(
        [compose, "-f", str(broken), "config"],
        cwd=tmp_path,
        env=process_env({}),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "healthchek" in result.stderr
