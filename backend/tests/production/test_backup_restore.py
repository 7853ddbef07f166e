"""scripts/backup.sh -> scripts/restore.sh into a fresh database: every table has the same
row count, media come back, and the audit hash chain of the restored copy verifies."""

import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.production.conftest import production_env
from tests.production.support import (
    PG_ADMIN_URL,
    PYTHON,
    REPO_ROOT,
    create_database,
    drop_database,
    drop_role,
    pg_admin,
    pg_url,
    require_tool,
    scalar,
    scoped_name,
    table_counts,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SRC, DST = scoped_name("dms_backup_test_src"), scoped_name("dms_backup_test_dst")
APP_ROLE = scoped_name("dms_backup_test_app")


def run_script(name: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / name), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory, template_database: str):
    """One backup of a clone of the demo database, shared by the tests of this module."""
    require_tool("pg_dump")
    require_tool("pg_restore")
    tmp_path = tmp_path_factory.mktemp("backup")
    create_database(SRC, template=template_database)
    drop_database(DST)
    env = production_env(tmp_path, SRC, BACKUP_DIR=str(tmp_path / "backups"), MEDIA_ROOT=str(tmp_path / "media"))
    (tmp_path / "media" / "reports").mkdir(parents=True)
    (tmp_path / "media" / "reports" / "inventory.csv").write_text("number,status\nCRT-GOA-2026-000001,stored\n")

    result = run_script("backup.sh", env=env)

    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip().splitlines()[-1])
    yield folder, env
    drop_database(DST)
    drop_database(SRC)


def test_backup_then_restore_into_a_fresh_database_keeps_counts_and_audit_chain(tmp_path: Path, backup) -> None:
    folder, env = backup
    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS",
        "counts.tsv",
        "database.dump",
        "manifest.txt",
        "media.tar.gz",
    ]
    assert "quiescent: yes" in (folder / "manifest.txt").read_text()
    restore_env = {**env, "MANAGE_PY": f"{PYTHON} backend/manage.py"}

    pg_admin(f'DROP ROLE IF EXISTS "{APP_ROLE}"')
    pg_admin(f'CREATE ROLE "{APP_ROLE}" LOGIN')

    result = run_script(
        "restore.sh",
        str(folder),
        "--target-url",
        pg_url(DST),
        "--create",
        "--media-root",
        str(tmp_path / "restored-media"),
        "--app-role",
        APP_ROLE,
        env=restore_env,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "row counts match" in result.stderr
    assert "Audit chain valid" in result.stdout
    source, restored = table_counts(pg_url(SRC)), table_counts(pg_url(DST))
    assert restored == source
    assert source["audit_auditevent"] > 0 and source["accounts_user"] > 0
    # The application role got its row rights back on the restored tables (no grants in the dump).
    app_url = pg_url(DST).replace("://postgres@", f"://{APP_ROLE}@", 1)
    try:
        with psycopg.connect(app_url) as conn:
            assert scalar(conn, "SELECT count(*) FROM audit_auditevent") == source["audit_auditevent"]
    finally:
        drop_database(DST)
        drop_role(APP_ROLE)
    restored_file = tmp_path / "restored-media" / "reports" / "inventory.csv"
    assert restored_file.read_text() == "number,status\nCRT-GOA-2026-000001,stored\n"


def test_restore_refuses_a_damaged_backup_and_creates_nothing(tmp_path: Path, backup) -> None:
    original, env = backup
    folder = tmp_path / original.name
    shutil.copytree(original, folder)
    dump = folder / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    drop_database(DST)

    result = run_script("restore.sh", str(folder), "--target-url", pg_url(DST), "--create", env=env)

    assert result.returncode != 0
    assert "checksum mismatch" in result.stderr
    with psycopg.connect(PG_ADMIN_URL) as conn:
        assert scalar(conn, "SELECT count(*) FROM pg_database WHERE datname = %s", [DST]) == 0


def test_restore_refuses_a_database_that_is_not_empty(backup) -> None:
    folder, env = backup

    result = run_script("restore.sh", str(folder), "--target-url", pg_url(SRC), "--no-verify", env=env)

    assert result.returncode != 0
    assert "target database is not empty" in result.stderr
