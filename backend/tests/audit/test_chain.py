"""The tamper-evident audit trail (docs/audit.md)."""

import json
import logging
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from apps.audit import services
from apps.audit.models import AuditChainHead, AuditEvent
from tests.conftest import World


def append(n: int) -> list[AuditEvent]:
    return [
        services.record(action="probe", entity_type="test", entity_id=i, changes={"n": [None, i]}) for i in range(n)
    ]


@pytest.mark.django_db
def test_chain_links_each_event_to_the_previous_one() -> None:
    first, second, third = append(3)
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert [e.sequence for e in (first, second, third)] == [1, 2, 3]
    assert services.verify_chain().as_dict() == {
        "valid": True,
        "checked": 3,
        "first_broken_sequence": None,
        "first_broken_id": None,
        "reason": "",
    }


@pytest.mark.django_db
def test_orm_refuses_to_change_or_delete_events() -> None:
    (event,) = append(1)
    event.comment = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(comment="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).comment == ""


def _tamper(sql: str, params: list) -> None:
    """Alter a row behind the application's back: as a superuser with triggers switched off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.mark.django_db
def test_verify_names_the_first_altered_event() -> None:
    events = append(5)
    _tamper("UPDATE audit_auditevent SET comment = %s WHERE id = %s", ["edited", events[2].pk])
    result = services.verify_chain()
    assert result.valid is False
    assert result.first_broken_sequence == 3
    assert result.first_broken_id == events[2].pk
    assert result.checked == 2
    assert "hash" in result.reason


@pytest.mark.django_db
def test_verify_detects_a_deleted_event() -> None:
    events = append(4)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    result = services.verify_chain()
    assert (result.valid, result.first_broken_sequence) == (False, 3)
    assert "gap" in result.reason


@pytest.mark.django_db
def test_verify_detects_a_removed_tail() -> None:
    events = append(3)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    result = services.verify_chain()
    assert result.valid is False
    assert result.first_broken_sequence == 3


@pytest.mark.django_db
def test_verify_command_exits_non_zero_naming_the_broken_event() -> None:
    events = append(3)
    call_command("verify_audit_chain")  # valid: no exception
    _tamper("UPDATE audit_auditevent SET actor_username = %s WHERE id = %s", ["mallory", events[1].pk])
    with pytest.raises(CommandError, match=rf"sequence #2 \(id {events[1].pk}\)"):
        call_command("verify_audit_chain")


def test_verify_endpoint_reports_the_break(world: World) -> None:
    events = append(2)
    client = world.client("sysadmin")
    assert client.get("/api/audit/verify/").json()["valid"] is True
    _tamper("UPDATE audit_auditevent SET entity_repr = %s WHERE id = %s", ["forged", events[0].pk])
    body = client.get("/api/audit/verify/").json()
    assert body["valid"] is False
    assert body["first_broken_id"] == events[0].pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_auditevent SET comment = 'x'", "DELETE FROM audit_auditevent", "TRUNCATE audit_auditevent"],
)
def test_postgres_triggers_reject_update_delete_truncate(statement: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("triggers exist on PostgreSQL only; CI runs this on PostgreSQL")
    append(2)
    from django.db.utils import DatabaseError

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_appends_keep_one_valid_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent connections need PostgreSQL; CI runs this on PostgreSQL")
    errors: list[BaseException] = []
    barrier = threading.Barrier(20)

    def worker(thread: int) -> None:
        try:
            barrier.wait()
            for i in range(10):
                with transaction.atomic():
                    services.record(action="concurrent", entity_type="test", entity_id=f"{thread}-{i}")
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEvent.objects.count() == 200
    assert sorted(AuditEvent.objects.values_list("sequence", flat=True)) == list(range(1, 201))
    assert services.verify_chain().valid is True
    assert AuditChainHead.objects.get().last_sequence == 200


@pytest.mark.django_db(transaction=True)
def test_events_go_to_audit_log_as_json_lines_after_commit(caplog: pytest.LogCaptureFixture) -> None:
    # The audit logger does not propagate to the root logger (it has its own file).
    logging.getLogger("audit").addHandler(caplog.handler)
    with caplog.at_level(logging.INFO, logger="audit"):
        with transaction.atomic():
            services.record(action="logged", entity_type="test", entity_id=7)
            assert not [r for r in caplog.records if r.name == "audit"]
        with pytest.raises(RuntimeError), transaction.atomic():
            services.record(action="rolled_back", entity_type="test")
            raise RuntimeError("abort")
    logging.getLogger("audit").removeHandler(caplog.handler)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "audit"]
    assert [line["action"] for line in lines] == ["logged"]
    assert lines[0]["entity_id"] == "7"
    assert len(lines[0]["hash"]) == 64
