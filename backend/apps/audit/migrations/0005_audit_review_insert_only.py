"""Least privilege on PostgreSQL: an audit-trail review is written once and never changed or
removed (it is an e-signed record, EU GMP Annex 11 §9). Every role but the owner that runs
migrations (i.e. the application role) loses UPDATE, DELETE and TRUNCATE on reviews;
scripts/db-init/app-grants.psql repeats it after a restore re-grants everything."""

from django.db import migrations

REVOKE_FROM_OTHER_ROLES = r"""
DO $$
DECLARE grantee_name text;
BEGIN
    FOR grantee_name IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_schema = current_schema() AND table_name = 'audit_auditreview'
          AND grantee NOT IN (current_user, 'PUBLIC')
          AND grantee IN (SELECT rolname FROM pg_roles)
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditreview FROM %I', grantee_name);
    END LOOP;
END $$;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVOKE_FROM_OTHER_ROLES, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_audit_review")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
