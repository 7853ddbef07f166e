"""SQL that makes a GxP table insert-only for the application's PostgreSQL role (21 CFR 11.10(e),
11.70): every role but the owner that runs migrations loses UPDATE, DELETE and TRUNCATE on it.

Migrations run this text, so it is history: an already-migrated database never runs it again
(Django records a migration as applied by its name), and a new database must get exactly what
the old ones got. Change it only by adding a new function for a new migration;
tests/security/test_insert_only_sql.py pins the text each migration runs. It lives in the audit
app, the bottom layer, so the audit app's own migrations may use it too.
"""

_REVOKE_WRITES_FROM_OTHER_ROLES = r"""
DO $$
DECLARE grantee_name text;
BEGIN
    FOR grantee_name IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_schema = current_schema() AND table_name = '{table}'
          AND grantee NOT IN (current_user, 'PUBLIC')
          AND grantee IN (SELECT rolname FROM pg_roles)
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM %I', grantee_name);
    END LOOP;
END $$;
"""


def revoke_writes_from_other_roles(table: str) -> str:
    """The statement for one table; `table` is a model's db_table, never user input."""
    if not table.replace("_", "").isalnum():
        raise ValueError(f"not a table name: {table!r}")
    return _REVOKE_WRITES_FROM_OTHER_ROLES.format(table=table)
