"""Domain signals: a receiver hears each committed change once, after the commit, as the change left it."""

from typing import Any

import pytest
from django.db import transaction

from apps.auth.models import Unit
from apps.core import broadcast, domain_signals
from apps.storage import services
from apps.storage.models import StorageLocation


@pytest.fixture
def heard() -> Any:
    """A new consumer of `location_changed`, connected without touching the services."""
    calls: list[tuple[Any, str, str, str, bool]] = []

    def receiver(sender: Any, *, location: StorageLocation, action: str, **kwargs: Any) -> None:
        in_transaction = transaction.get_connection().in_atomic_block
        calls.append((sender, location.code, location.name, action, in_transaction))

    domain_signals.location_changed.connect(receiver)
    yield calls
    domain_signals.location_changed.disconnect(receiver)


def create_room(unit: Unit, code: str) -> StorageLocation:
    return services.location_create(actor=None, unit=unit, kind="room", code=code, name=f"Room {code}", capacity=0)


@pytest.mark.django_db(transaction=True)
def test_a_new_receiver_runs_once_per_committed_change_after_the_commit(heard: Any) -> None:
    unit = Unit.objects.create(code="SIG", name="Signals plant")
    with transaction.atomic():
        room = create_room(unit, "R1")
        services.location_update(actor=None, location=room, data={"name": "Archive"})
        assert heard == []  # nothing while the transaction is open

    # Each call sees the location as its own change left it, not as the transaction ended.
    assert heard == [
        (StorageLocation, "R1", "Room R1", "created", False),
        (StorageLocation, "R1", "Archive", "updated", False),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_new_receiver_never_runs_for_a_rolled_back_change(heard: Any) -> None:
    unit = Unit.objects.create(code="SIG", name="Signals plant")
    with pytest.raises(RuntimeError), transaction.atomic():
        create_room(unit, "R1")
        raise RuntimeError("the caller fails after the service")

    assert heard == []
    assert StorageLocation.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_neither_fails_the_write_nor_silences_the_broadcast(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(broadcast, "send_now", lambda groups, message: sent.append(message))

    def broken(sender: Any, **kwargs: Any) -> None:
        raise ValueError("a consumer bug")

    domain_signals.location_changed.connect(broken)
    try:
        unit = Unit.objects.create(code="SIG", name="Signals plant")
        room = create_room(unit, "R1")
    finally:
        domain_signals.location_changed.disconnect(broken)

    assert StorageLocation.objects.filter(pk=room.pk).exists()
    assert [(m["entity"], m["action"], m["id"], m["unit"]) for m in sent] == [("location", "created", room.pk, unit.pk)]
