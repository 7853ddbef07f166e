"""One event to many sockets of one process: decoded once, encoded once, no thread hop per socket,
and still only to those who may see it (OPTIMIZATIONS.md §2, "Fan-out")."""

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from cryptography.fernet import InvalidToken

from apps.core import broadcast
from apps.realtime import consumers
from apps.realtime.layers import FanOutPubSubChannelLayer

KEY = "k" * 32


def _layer() -> FanOutPubSubChannelLayer:
    # No connection is opened: serializing and decoding need none.
    return FanOutPubSubChannelLayer(hosts=[{"address": "redis://127.0.0.1:6379/1"}], symmetric_encryption_keys=[KEY])


def _counting(layer: FanOutPubSubChannelLayer) -> list[bytes]:
    decoded: list[bytes] = []
    real = layer._serializer.deserialize

    def deserialize(message: bytes) -> Any:
        decoded.append(message)
        return real(message)

    layer._serializer.deserialize = deserialize  # type: ignore[method-assign]
    return decoded


def test_the_layer_decodes_a_message_once_for_all_the_consumers_it_was_put_on() -> None:
    layer = _layer()
    decoded = _counting(layer)
    raw = layer.serialize({"type": "entity.changed", "id": 1})
    # The pub/sub reader puts the same bytes object on every consumer's queue of the group.
    received = [layer.deserialize(raw) for _ in range(200)]
    assert received[0] == {"type": "entity.changed", "id": 1}
    assert all(message is received[0] for message in received)
    assert len(decoded) == 1


def test_the_layer_decodes_other_bytes_again_even_when_equal() -> None:
    layer = _layer()
    decoded = _counting(layer)
    first = layer.serialize({"type": "entity.changed", "id": 1})
    second = layer.serialize({"type": "entity.changed", "id": 2})
    assert layer.deserialize(first)["id"] == 1
    assert layer.deserialize(second)["id"] == 2
    assert layer.deserialize(bytes(bytearray(first)))["id"] == 1  # a copy: not the same object
    assert len(decoded) == 3


def test_the_layer_still_refuses_a_message_it_cannot_authenticate() -> None:
    layer = _layer()
    raw = layer.serialize({"type": "entity.changed", "id": 1})
    layer.deserialize(raw)
    forged = _layer().serialize({"type": "entity.changed", "id": 1})[:-4] + b"AAAA"
    with pytest.raises(InvalidToken):
        layer.deserialize(forged)
    other_key = FanOutPubSubChannelLayer(hosts=[], symmetric_encryption_keys=["o" * 32])
    with pytest.raises(InvalidToken):
        layer.deserialize(other_key.serialize({"type": "entity.changed", "id": 1}))


# --- the consumer's turn for one socket ----------------------------------------------------------


def _consumer(user: Any) -> tuple[consumers.UpdatesConsumer, list[str]]:
    consumer = consumers.UpdatesConsumer()
    user.role_names  # noqa: B018 - loaded before the event loop, as the ticket middleware does
    consumer.user = user
    consumer.recent = {}
    sent: list[str] = []

    async def send(text_data: str | None = None, **kwargs: Any) -> None:
        assert text_data is not None
        sent.append(text_data)

    consumer.send = send  # type: ignore[method-assign]
    return consumer, sent


def _event(unit_id: int, obj_id: int, **extra: Any) -> dict[str, Any]:
    message = broadcast.entity_envelope(entity="crate", action="created", obj_id=obj_id, unit_id=unit_id, **extra)
    message.update(visible_units=[unit_id], visible_users=[])
    return message


@pytest.mark.django_db
def test_every_socket_of_the_unit_gets_the_envelope_without_the_internal_keys(world: Any) -> None:
    event = _event(world.goa.pk, 7, status="open", number="CRT-7")
    viewer, to_viewer = _consumer(world.user("viewer"))
    manager, to_manager = _consumer(world.user("docmanager"))
    outsider, to_outsider = _consumer(world.user("storehead2"))  # another unit
    for consumer in (viewer, manager, outsider):
        async_to_sync(consumer.dispatch)(event)
    expected = {name: value for name, value in event.items() if name not in ("visible_units", "visible_users")}
    assert [json.loads(text) for text in to_viewer] == [expected]
    assert to_manager == to_viewer
    assert to_outsider == []


@pytest.mark.django_db
def test_each_event_is_sent_as_its_own_text_whatever_came_before(world: Any) -> None:
    first, second = _event(world.goa.pk, 1), _event(world.goa.pk, 2, status="stored")
    viewer, sent = _consumer(world.user("viewer"))
    manager, sent_too = _consumer(world.user("docmanager"))
    for event in (first, second):
        async_to_sync(viewer.dispatch)(event)
    for event in (second, first):  # the other order: the last encoding is of another event
        async_to_sync(manager.dispatch)(event)
    assert [json.loads(text)["id"] for text in sent] == [1, 2]
    assert [(json.loads(text)["id"], json.loads(text)["status"]) for text in sent_too] == [(2, "stored"), (1, "")]


@pytest.mark.django_db
def test_a_repeat_is_dropped_and_the_oldest_remembered_event_is_forgotten_first(world: Any) -> None:
    viewer, sent = _consumer(world.user("viewer"))
    event = _event(world.goa.pk, 1)
    async_to_sync(viewer.dispatch)(event)
    async_to_sync(viewer.dispatch)(dict(event))  # the same event through a second group
    assert len(sent) == 1
    for n in range(consumers.RECENT_EVENTS):
        async_to_sync(viewer.dispatch)(_event(world.goa.pk, 1000 + n))
    assert len(viewer.recent) == consumers.RECENT_EVENTS
    async_to_sync(viewer.dispatch)(dict(event))  # forgotten by now: forwarded again
    assert len(sent) == 2 + consumers.RECENT_EVENTS


@pytest.mark.django_db
def test_an_event_is_handled_without_a_hop_to_the_sync_thread(world: Any, monkeypatch: Any) -> None:
    """channels' own dispatch closes stale database connections in the sync thread before every
    message; the consumer's events need no database, and 200 hops in a row were most of an
    event's time in Daphne."""

    async def no_hop() -> None:
        raise AssertionError("a hop to the sync thread for an event")

    monkeypatch.setattr("channels.consumer.aclose_old_connections", no_hop)
    viewer, sent = _consumer(world.user("viewer"))
    async_to_sync(viewer.dispatch)(_event(world.goa.pk, 3))
    assert len(sent) == 1
    with pytest.raises(ValueError, match="No handler"):
        async_to_sync(viewer.dispatch)({"type": "no.such_thing"})
