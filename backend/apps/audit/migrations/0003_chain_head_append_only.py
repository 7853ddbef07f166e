"""Least privilege on PostgreSQL (21 CFR 11.10(e)): the chain head moves only by appending,
and no role but the owner may change or remove audit events.

* A trigger on the head row lets an UPDATE through only as the append transition: the next
  sequence, whose event exists with that hash and links to the old head's hash. DELETE and
  TRUNCATE of the head are refused; a second head row cannot be inserted.
* The application role (every role but the owner that runs migrations) loses UPDATE, DELETE
  and TRUNCATE on the events and DELETE / TRUNCATE on the head; INSERT and SELECT stay.
  scripts/db-init/app-grants.psql repeats the same after a restore re-grants everything.
"""

from django.db import migrations

HEAD_TRIGGER = r"""
CREATE OR REPLACE FUNCTION audit_chain_head_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.id <> 1 THEN
            RAISE EXCEPTION 'audit chain head is append-only: one head row (id 1)';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.id = OLD.id AND NEW.last_sequence = OLD.last_sequence + 1 AND EXISTS (
            SELECT 1 FROM audit_auditevent
            WHERE sequence = NEW.last_sequence AND hash = NEW.last_hash AND prev_hash = OLD.last_hash
        ) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit chain head is append-only: it moves to the next appended event only';
    END IF;
    RAISE EXCEPTION 'audit chain head is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_chain_head_append_only_row
    BEFORE INSERT OR UPDATE OR DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_chain_head_append_only();
CREATE TRIGGER audit_chain_head_no_truncate
    BEFORE TRUNCATE ON audit_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_append_only();
"""

REVOKE_FROM_OTHER_ROLES = r"""
DO $$
DECLARE grantee_name text;
BEGIN
    FOR grantee_name IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_schema = current_schema()
          AND table_name IN ('audit_auditevent', 'audit_auditchainhead')
          AND grantee NOT IN (current_user, 'PUBLIC')
          AND grantee IN (SELECT rolname FROM pg_roles)
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent FROM %I', grantee_name);
        EXECUTE format('REVOKE DELETE, TRUNCATE ON audit_auditchainhead FROM %I', grantee_name);
    END LOOP;
END $$;
"""

DROP = r"""
DROP TRIGGER IF EXISTS audit_chain_head_no_truncate ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_chain_head_append_only_row ON audit_auditchainhead;
DROP FUNCTION IF EXISTS audit_chain_head_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(HEAD_TRIGGER, params=None)
    schema_editor.execute(REVOKE_FROM_OTHER_ROLES, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(forwards, backwards)]
