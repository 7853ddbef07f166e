"""Events of one transition appended together at its end (apps/audit/services.py,
`appended_together`): the same chain as one by one, nothing if the transition fails, and the
chain's head is not held while the transition works."""

import threading

import pytest
from django.db import connection, transaction

from apps.audit import services
from apps.audit.models import AuditEvent
from tests.races import require_postgres


def _probe(n: int) -> AuditEvent:
    return services.record(action="probe", entity_type="test", entity_id=n, changes={"n": [None, n]})


@pytest.mark.django_db
def test_events_recorded_in_the_block_are_chained_in_order_when_it_ends() -> None:
    before = _probe(0)
    with transaction.atomic(), services.appended_together():
        events = [_probe(n) for n in (1, 2, 3)]
        assert [event.sequence for event in events] == [None, None, None]  # not yet appended
        assert AuditEvent.objects.count() == 1
    assert [event.sequence for event in events] == [2, 3, 4]
    assert [event.prev_hash for event in events] == [before.hash, events[0].hash, events[1].hash]
    stored = list(AuditEvent.objects.order_by("sequence").values_list("entity_id", "hash"))
    assert stored == [("0", before.hash), *[(str(n), events[n - 1].hash) for n in (1, 2, 3)]]
    assert services.verify_chain().valid


@pytest.mark.django_db
def test_a_failing_block_appends_nothing() -> None:
    _probe(0)
    with pytest.raises(RuntimeError), transaction.atomic(), services.appended_together():
        _probe(1)
        raise RuntimeError("the transition is refused after its first event")
    assert list(AuditEvent.objects.values_list("entity_id", flat=True)) == ["0"]
    _probe(2)
    assert services.verify_chain().as_dict()["checked"] == 2


@pytest.mark.django_db(transaction=True)  # no test-wide transaction around it
def test_the_block_belongs_inside_a_transaction() -> None:
    with pytest.raises(RuntimeError), services.appended_together():
        pass


@pytest.mark.django_db(transaction=True)
def test_the_head_is_not_held_while_the_block_works() -> None:
    """Another writer appends while a transition has recorded its event and goes on working;
    one by one, it would wait for the transition's commit (the head stays locked until then)."""
    require_postgres()
    other_done = threading.Event()

    def other_writer() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '10s'")
                _probe(99)
            other_done.set()
        finally:
            connection.close()

    with transaction.atomic(), services.appended_together():
        first = _probe(1)
        thread = threading.Thread(target=other_writer)
        thread.start()
        assert other_done.wait(timeout=15)
        thread.join(timeout=15)
    assert list(AuditEvent.objects.order_by("sequence").values_list("entity_id", flat=True)) == ["99", "1"]
    assert first.sequence == 2
    assert services.verify_chain().valid
