"""scripts/install.sh --no-start, as CI runs it (no Docker engine): the generated
.env.production (mode 600, every secret present, strong and distinct), the certificate, the
nginx configuration (nginx -t), the compose file, `check --deploy` with the generated
environment, and a re-run that keeps the secrets and the operator's edits."""

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from tests.production.support import (
    REDIS_BASE_URL,
    REPO_ROOT,
    NginxLayout,
    free_port,
    manage,
    nginx_test,
    pg_url,
    process_env,
    read_env_example,
    render_nginx,
    require_tool,
)

HOST = "dms.pharma.test"
HEX_SECRETS = (
    "POSTGRES_PASSWORD",
    "APP_DB_PASSWORD",
    "REDIS_PASSWORD",
    "CHANNEL_LAYER_ENCRYPTION_KEY",
    "METRICS_TOKEN",
)


def install(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    require_tool("docker-compose")
    require_tool("nginx")
    return subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "install.sh"), "--host", HOST, "--no-start",
         "--env-file", str(tmp / "env"), "--ssl-dir", str(tmp / "ssl"), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip


def read_env(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


def openssl(*args: str) -> str:
    return subprocess.run([require_tool("openssl"), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("install")
    result = install(tmp)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nothing started (--no-start)" in result.stdout
    return tmp


def test_env_file_is_private_and_every_secret_is_generated(installed: Path) -> None:
    env_file = installed / "env"
    values = read_env(env_file)

    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert "CHANGE_ME" not in values.values()
    assert set(read_env_example()) <= set(values)
    assert len(values["SECRET_KEY"]) >= 80 and len(set(values["SECRET_KEY"])) >= 30
    for name in HEX_SECRETS:
        assert re.fullmatch(r"[0-9a-f]{64}", values[name]), name
    secrets = [values["SECRET_KEY"], *(values[name] for name in HEX_SECRETS)]
    assert len(set(secrets)) == len(secrets)
    assert (values["ALLOWED_HOSTS"], values["CSRF_TRUSTED_ORIGINS"]) == (HOST, f"https://{HOST}")
    assert values["EMAIL_HOST_PASSWORD"] == ""  # the SMTP password is the operator's, not invented


def test_a_self_signed_certificate_for_the_host_is_made(installed: Path) -> None:
    cert, key = installed / "ssl" / "fullchain.pem", installed / "ssl" / "privkey.pem"

    assert "does match certificate" in openssl("x509", "-in", str(cert), "-noout", "-checkhost", HOST)
    assert openssl("x509", "-in", str(cert), "-noout", "-pubkey") == openssl("pkey", "-in", str(key), "-pubout")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_nginx_accepts_the_shipped_config_with_the_generated_certificate(installed: Path, tmp_path: Path) -> None:
    for sub in ("static", "media"):
        (tmp_path / sub).mkdir()
    layout = NginxLayout(
        root=tmp_path / "nginx",
        https_port=free_port(),
        http_port=free_port(),
        backends=["127.0.0.1:18001"],
        websockets=["127.0.0.1:18002"],
        frontend="127.0.0.1:18080",
        cert=installed / "ssl" / "fullchain.pem",
        key=installed / "ssl" / "privkey.pem",
        static_root=tmp_path / "static",
        media_root=tmp_path / "media",
    )

    result = nginx_test(render_nginx(layout))

    assert result.returncode == 0, result.stderr


def test_compose_accepts_the_generated_env_file(installed: Path) -> None:
    result = subprocess.run(
        [require_tool("docker-compose"), "--env-file", str(installed / "env"), "-f",
         str(REPO_ROOT / "docker-compose.production.yml"), "config"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DMS_ENV_FILE": str(installed / "env")},
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert f"POSTGRES_PASSWORD: {read_env(installed / 'env')['POSTGRES_PASSWORD']}" in result.stdout


def test_django_deploy_checks_pass_with_the_generated_environment(installed: Path, tmp_path: Path) -> None:
    values = read_env(installed / "env")
    # What compose adds (the database and Redis URLs built from the generated passwords),
    # pointed at this machine's services.
    values.update(
        DJANGO_SETTINGS_MODULE="config.settings_production",
        DATABASE_URL=pg_url("postgres"),
        REDIS_URL=REDIS_BASE_URL,
        DMS_LOG_DIR=str(tmp_path),
        DMS_DATA_DIR=str(tmp_path),
        STATIC_ROOT=str(tmp_path / "static"),
    )

    result = manage(process_env(values), "check", "--deploy", "--fail-level", "WARNING")

    assert "no issues" in result.stdout


def test_a_rerun_keeps_the_secrets_the_certificate_and_the_operators_edits(tmp_path: Path) -> None:
    assert install(tmp_path).returncode == 0
    first = read_env(tmp_path / "env")
    fingerprint = openssl("x509", "-in", str(tmp_path / "ssl" / "fullchain.pem"), "-noout", "-fingerprint")
    edited = (tmp_path / "env").read_text().replace("THROTTLE_USER=2000/hour", "THROTTLE_USER=3000/hour")
    (tmp_path / "env").write_text(edited + "LDAP_SERVER_URI_EXTRA=ldaps://dc1.corp.example\n")

    result = install(tmp_path)

    assert result.returncode == 0, result.stderr
    second = read_env(tmp_path / "env")
    for name in ("SECRET_KEY", *HEX_SECRETS):
        assert second[name] == first[name], name
    assert second["THROTTLE_USER"] == "3000/hour"
    assert second["LDAP_SERVER_URI_EXTRA"] == "ldaps://dc1.corp.example"
    assert fingerprint == openssl("x509", "-in", str(tmp_path / "ssl" / "fullchain.pem"), "-noout", "-fingerprint")
    assert stat.S_IMODE((tmp_path / "env").stat().st_mode) == 0o600


def test_a_given_certificate_is_installed_and_a_wrong_key_refused(tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    for name in ("a", "b"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}",
                "-keyout", str(own / f"{name}.key"), "-out", str(own / f"{name}.pem"))  # fmt: skip

    refused = install(tmp_path, "--cert", str(own / "a.pem"), "--key", str(own / "b.key"))
    accepted = install(tmp_path, "--cert", str(own / "a.pem"), "--key", str(own / "a.key"))

    assert refused.returncode != 0
    assert "is not the private key of" in refused.stderr
    assert accepted.returncode == 0, accepted.stderr
    assert (tmp_path / "ssl" / "fullchain.pem").read_bytes() == (own / "a.pem").read_bytes()
