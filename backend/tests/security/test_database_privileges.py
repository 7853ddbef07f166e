"""Least privilege in production: the application's PostgreSQL role (made by the same
scripts/db-init files as the postgres container runs) may append to the audit trail and add
signatures, but never update or delete them, and moves the chain head only by appending."""

import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection

from apps.audit import services as audit
from apps.audit.models import AuditChainHead
from tests.conftest import World, is_postgres
from tests.production.support import create_app_role, pg_admin, pg_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def app_role_url(world: World) -> Iterator[str]:
    if not is_postgres():
        pytest.skip("database roles and grants are PostgreSQL's")
    role = f"dms_app_{uuid.uuid4().hex[:10]}"
    database = connection.settings_dict["NAME"]
    audit.record(action="test.seed", entity_type="test", entity_repr="a first event", actor=None)
    yield create_app_role(role, database)
    with psycopg.connect(pg_url(database), autocommit=True) as admin:
        admin.execute(f'DROP OWNED BY "{role}"')
    pg_admin(f'DROP ROLE IF EXISTS "{role}"')


def _refused(url: str, statement: str, *params: Any) -> str:
    with psycopg.connect(url) as conn:
        with pytest.raises(psycopg.Error) as error:
            conn.execute(statement, params or None)
        conn.rollback()
    return str(error.value).lower()


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("UPDATE audit_auditevent SET comment = 'edited'", "permission denied"),
        ("DELETE FROM audit_auditevent", "permission denied"),
        ("TRUNCATE audit_auditevent", "permission denied"),
        ("UPDATE signatures_signature SET comment = 'edited'", "permission denied"),
        ("DELETE FROM signatures_signature", "permission denied"),
        ("TRUNCATE signatures_signature", "permission denied"),
        ("UPDATE audit_auditreview SET comment = 'edited'", "permission denied"),
        ("DELETE FROM audit_auditreview", "permission denied"),
        ("TRUNCATE audit_auditreview", "permission denied"),
        ("DELETE FROM audit_auditchainhead", "permission denied"),
        ("UPDATE audit_auditchainhead SET last_sequence = 0, last_hash = repeat('0', 64)", "append-only"),
        ("UPDATE audit_auditchainhead SET last_sequence = last_sequence + 1", "append-only"),
        ("INSERT INTO audit_auditchainhead (id, last_sequence, last_hash) VALUES (2, 0, '')", "append-only"),
    ],
)
def test_the_application_role_cannot_change_gxp_records(app_role_url: str, statement: str, refusal: str) -> None:
    head = AuditChainHead.objects.values_list("last_sequence", "last_hash").get()
    assert refusal in _refused(app_role_url, statement)
    assert AuditChainHead.objects.values_list("last_sequence", "last_hash").get() == head


def test_the_application_role_appends_events_and_signatures_and_moves_the_head_by_appending(
    app_role_url: str,
) -> None:
    head = AuditChainHead.objects.get()
    new_hash = secrets.token_hex(32)
    with psycopg.connect(app_role_url) as conn:
        conn.execute(
            "INSERT INTO audit_auditevent (sequence, timestamp, actor_username, action, entity_type, entity_id,"
            " entity_repr, changes, comment, user_agent, request_id, prev_hash, hash)"
            " VALUES (%s, now(), '', 'test.append', 'test', '', '', '{}', '', '', '', %s, %s)",
            (head.last_sequence + 1, head.last_hash, new_hash),
        )
        conn.execute(
            "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s WHERE id = 1",
            (head.last_sequence + 1, new_hash),
        )
        privileges = conn.execute(
            "SELECT has_table_privilege(current_user, 'signatures_signature', 'INSERT'),"
            " has_table_privilege(current_user, 'signatures_signature', 'SELECT')"
        ).fetchone()
        conn.rollback()  # the test database keeps its own chain
    assert privileges == (True, True)


def test_the_application_role_still_writes_ordinary_records(app_role_url: str, world: World) -> None:
    with psycopg.connect(app_role_url) as conn:
        conn.execute("UPDATE crates_crate SET description = description")
        conn.execute("DELETE FROM notifications_notification WHERE id < 0")
        conn.rollback()
