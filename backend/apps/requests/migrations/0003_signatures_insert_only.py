"""Least privilege on PostgreSQL: an e-signature is written once and never changed or removed
(21 CFR 11.70). Every role but the owner that runs migrations (i.e. the application role)
loses UPDATE, DELETE and TRUNCATE on signatures; scripts/db-init/app-grants.psql repeats it
after a restore re-grants everything."""

from django.db import migrations

from apps.audit.insert_only import revoke_writes_from_other_roles

REVOKE_FROM_OTHER_ROLES = revoke_writes_from_other_roles("requests_signature")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVOKE_FROM_OTHER_ROLES, params=None)


class Migration(migrations.Migration):
    dependencies = [("requests", "0002_text_size_limits")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
