"""The insert-only SQL the signature and audit-review migrations run (apps.audit.insert_only):
written once for all of them, byte for byte what each migration first shipped, and it takes
writes away from every role but the owner."""

import hashlib
import importlib
import uuid

import pytest
from django.db import connection

from apps.audit.insert_only import revoke_writes_from_other_roles
from tests.conftest import is_postgres

# SHA-256 of the SQL each migration ran when it was first applied: a database migrated since must
# have been given the same statement as every older one.
SHIPPED = {
    "apps.audit.migrations.0005_audit_review_insert_only": (
        "audit_auditreview",
        "d6060bb8d217cae9eb12d49dc7eb63ec17c30cb5e6c76020b1e16ffbb3e16fb2",
    ),
    "apps.requests.migrations.0003_signatures_insert_only": (
        "requests_signature",
        "437c6555f0bd1565619a7241e08eb1264c8cc34e40297d6b2f5b547da539812b",
    ),
    "apps.signatures.migrations.0003_signatures_insert_only": (
        "signatures_signature",
        "a8194d5cd5c5d6f9a4d4e9ab157e66850b478f257553f476fe81ca262f814064",
    ),
}


@pytest.mark.parametrize("module", sorted(SHIPPED))
def test_each_migration_runs_the_sql_it_shipped_with(module: str) -> None:
    table, digest = SHIPPED[module]
    sql = importlib.import_module(module).REVOKE_FROM_OTHER_ROLES
    assert sql == revoke_writes_from_other_roles(table)
    assert hashlib.sha256(sql.encode()).hexdigest() == digest


def test_only_a_table_name_is_accepted() -> None:
    with pytest.raises(ValueError):
        revoke_writes_from_other_roles("t; DROP TABLE audit_auditevent")


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_sql_leaves_other_roles_insert_and_select_only() -> None:
    if not is_postgres():
        pytest.skip("database roles and grants are PostgreSQL's")
    suffix = uuid.uuid4().hex[:10]
    table, role = f"insert_only_{suffix}", f"dms_insert_only_{suffix}"
    # Roles and grants are transactional in PostgreSQL: the test's rollback removes them.
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
        cursor.execute(f"CREATE TABLE {table} (id integer)")
        cursor.execute(f'GRANT ALL ON {table} TO "{role}"')
        cursor.execute(revoke_writes_from_other_roles(table))
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants"
            " WHERE table_name = %s AND grantee = %s ORDER BY privilege_type",
            [table, role],
        )
        left = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT has_table_privilege(current_user, %s, 'UPDATE')", [table])
        (owner_updates,) = cursor.fetchone()
    assert left == ["INSERT", "REFERENCES", "SELECT", "TRIGGER"]
    assert owner_updates is True
