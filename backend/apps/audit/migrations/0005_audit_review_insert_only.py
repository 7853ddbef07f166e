"""Least privilege on PostgreSQL: an audit-trail review is written once and never changed or
removed (it is an e-signed record, EU GMP Annex 11 §9). Every role but the owner that runs
migrations (i.e. the application role) loses UPDATE, DELETE and TRUNCATE on reviews;
scripts/db-init/app-grants.psql repeats it after a restore re-grants everything."""

from django.db import migrations

from apps.audit.insert_only import revoke_writes_from_other_roles

REVOKE_FROM_OTHER_ROLES = revoke_writes_from_other_roles("audit_auditreview")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVOKE_FROM_OTHER_ROLES, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_audit_review")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
