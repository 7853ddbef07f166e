"""The ws/updates/ consumer through WebsocketCommunicator (docs/events.md)."""

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from apps.auth import services as auth_services
from apps.core import broadcast
from apps.storage import services as storage_services
from tests.realtime.conftest import communicator, ticket_for

CLOSED_4001 = {"type": "websocket.close", "code": 4001}
ENVELOPE_KEYS = {"type", "entity", "action", "id", "unit", "status", "number", "timestamp"}


async def _await(awaitable: Any) -> None:
    await awaitable


def run(scenario: Any) -> None:
    """Run a coroutine (or a coroutine function) to completion from a sync test."""
    async_to_sync(_await)(scenario() if callable(scenario) else scenario)


async def assert_refused(comm: Any) -> None:
    """Accepted (so the browser sees the code), then closed with 4001 before any data."""
    connected, _ = await comm.connect()
    assert connected is True
    assert await comm.receive_output(timeout=2) == CLOSED_4001
    await comm.wait()


async def connected(user: Any, **kwargs: Any) -> Any:
    ticket = await database_sync_to_async(ticket_for)(user)
    comm = communicator(ticket, **kwargs)
    ok, _ = await comm.connect()
    assert ok is True
    return comm


create_location = database_sync_to_async(storage_services.location_create)


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_missing_ticket_is_closed_with_4001() -> None:
    run(assert_refused(communicator(None)))


@pytest.mark.django_db
def test_unknown_ticket_is_closed_with_4001() -> None:
    run(assert_refused(communicator("not-a-ticket")))


@pytest.mark.django_db
def test_reused_ticket_is_closed_with_4001(world: Any) -> None:
    ticket = ticket_for(world.user("viewer"))

    async def scenario() -> None:
        first = communicator(ticket)
        assert (await first.connect())[0] is True
        await assert_refused(communicator(ticket))
        await first.disconnect()

    run(scenario)


@pytest.mark.django_db
def test_expired_ticket_is_closed_with_4001(world: Any, settings: Any) -> None:
    # The ticket's lifetime is the cache's TTL, so the cache keeps the clock: a TTL of 0 issues a
    # ticket that has expired already (both Redis and the local-memory cache treat 0 so), which
    # shows the setting is applied without waiting on the real clock.
    settings.WS_TICKET_TTL_SECONDS = 0
    ticket = ticket_for(world.user("viewer"))
    run(assert_refused(communicator(ticket)))


@pytest.mark.django_db
def test_ticket_of_a_deactivated_user_is_closed_with_4001(world: Any) -> None:
    viewer = world.user("viewer")
    ticket = ticket_for(viewer)
    viewer.is_active = False
    viewer.save(update_fields=["is_active"])
    run(assert_refused(communicator(ticket)))


@pytest.mark.django_db
def test_foreign_origin_is_closed_with_4001_and_does_not_spend_the_ticket(world: Any) -> None:
    ticket = ticket_for(world.user("viewer"))

    async def scenario() -> None:
        await assert_refused(communicator(ticket, origin=b"https://evil.example.com"))
        await assert_refused(communicator(ticket, origin=b"null"))
        comm = communicator(ticket)  # the same ticket from the right origin still works
        assert (await comm.connect())[0] is True
        await comm.disconnect()

    run(scenario)


@pytest.mark.django_db
def test_csrf_trusted_origin_is_accepted(world: Any, settings: Any) -> None:
    settings.CSRF_TRUSTED_ORIGINS = ["https://dms.example.com"]
    ticket = ticket_for(world.user("viewer"))

    async def scenario() -> None:
        await assert_refused(communicator(ticket, origin=b"https://dms.example.com:8443"))
        comm = communicator(ticket, origin=b"https://dms.example.com")
        assert (await comm.connect())[0] is True
        await comm.disconnect()

    run(scenario)


# --- messages ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ping_answers_pong_and_other_input_is_ignored(world: Any) -> None:
    async def scenario() -> None:
        comm = await connected(world.user("viewer"))
        await comm.send_to(text_data="not json")
        await comm.send_json_to({"type": "hello"})
        await comm.send_json_to({"type": "ping"})
        assert await comm.receive_json_from(timeout=2) == {"type": "pong"}
        assert await comm.receive_nothing(timeout=0.1)
        await comm.disconnect()

    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_location_event_reaches_its_unit_and_not_the_other(world: Any) -> None:
    async def scenario() -> None:
        goa_viewer = await connected(world.user("viewer"))
        kur_manager = await connected(world.user("docmanager2"))
        location = await create_location(
            actor=world.user("unitadmin"), unit=world.goa, kind="shelf", code="GOA-S9", name="Shelf 9", capacity=4
        )
        event = await goa_viewer.receive_json_from(timeout=2)
        assert set(event) == ENVELOPE_KEYS
        assert {k: v for k, v in event.items() if k != "timestamp"} == {
            "type": "entity.changed",
            "entity": "location",
            "action": "created",
            "id": location.pk,
            "unit": world.goa.pk,
            "status": "active",
            "number": "GOA-S9",
        }
        assert await kur_manager.receive_nothing(timeout=0.3)
        await goa_viewer.disconnect()
        await kur_manager.disconnect()

    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_system_administrator_receives_events_of_every_unit_once(world: Any) -> None:
    async def scenario() -> None:
        sysadmin = await connected(world.user("sysadmin"))
        location = await create_location(
            actor=world.user("unitadmin2"), unit=world.kur, kind="shelf", code="KUR-S9", name="Shelf 9", capacity=4
        )
        event = await sysadmin.receive_json_from(timeout=2)
        assert (event["entity"], event["id"], event["unit"]) == ("location", location.pk, world.kur.pk)
        # An event for two units (a transfer) comes through both unit groups: forwarded once.
        await database_sync_to_async(_transfer_event)(world)
        event = await sysadmin.receive_json_from(timeout=2)
        assert (event["entity"], event["id"], event["unit"]) == ("request", 77, world.goa.pk)
        assert await sysadmin.receive_nothing(timeout=0.3)
        await sysadmin.disconnect()

    run(scenario)


def _transfer_event(world: Any) -> None:
    from django.db import transaction

    with transaction.atomic():
        broadcast.entity_changed(
            entity="request",
            action="updated",
            obj_id=77,
            unit_ids=[world.goa.pk, world.kur.pk],
            status="in_transit",
            number="REQ-2026-000077",
        )


@pytest.mark.django_db(transaction=True)
def test_transfer_event_reaches_both_units(world: Any) -> None:
    async def scenario() -> None:
        goa = await connected(world.user("storehead"))
        kur = await connected(world.user("storehead2"))
        await database_sync_to_async(_transfer_event)(world)
        assert (await goa.receive_json_from(timeout=2))["id"] == 77
        assert (await kur.receive_json_from(timeout=2))["id"] == 77
        await goa.disconnect()
        await kur.disconnect()

    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_notification_event_reaches_only_its_user(world: Any) -> None:
    def notify_docmanager() -> None:
        from django.db import transaction

        with transaction.atomic():
            broadcast.entity_changed(
                entity="notification",
                action="created",
                obj_id=5,
                unit_ids=[world.goa.pk],
                user_ids=[world.user("docmanager").pk],
            )

    async def scenario() -> None:
        owner = await connected(world.user("docmanager"))
        colleague = await connected(world.user("viewer"))
        sysadmin = await connected(world.user("sysadmin"))
        await database_sync_to_async(notify_docmanager)()
        event = await owner.receive_json_from(timeout=2)
        assert (event["entity"], event["id"]) == ("notification", 5)
        assert "visible_users" not in event and "visible_units" not in event
        assert await colleague.receive_nothing(timeout=0.3)
        assert await sysadmin.receive_nothing(timeout=0.1)
        for comm in (owner, colleague, sysadmin):
            await comm.disconnect()

    run(scenario)


@pytest.mark.django_db
def test_an_event_the_receiver_may_not_see_is_not_forwarded(world: Any) -> None:
    """A message that reaches a group by mistake is still checked against the receiver."""

    async def scenario() -> None:
        viewer = await connected(world.user("viewer"))
        message = broadcast.entity_envelope(entity="crate", action="updated", obj_id=3, unit_id=world.kur.pk)
        message.update(visible_units=[world.kur.pk], visible_users=[])
        await get_channel_layer().group_send(broadcast.unit_group(world.goa.pk), message)
        assert await viewer.receive_nothing(timeout=0.3)
        await viewer.disconnect()

    run(scenario)


@pytest.mark.django_db
def test_report_progress_reaches_the_owner(world: Any) -> None:
    async def scenario() -> None:
        owner = await connected(world.user("viewer"))
        other = await connected(world.user("approver"))
        await get_channel_layer().group_send(
            broadcast.user_group(world.user("viewer").pk),
            {
                "type": "report.progress",
                "id": 9,
                "status": "running",
                "done": 2000,
                "total": 5000,
                "user": world.user("viewer").pk,
            },
        )
        assert await owner.receive_json_from(timeout=2) == {
            "type": "report.progress",
            "id": 9,
            "status": "running",
            "done": 2000,
            "total": 5000,
        }
        assert await other.receive_nothing(timeout=0.2)
        await owner.disconnect()
        await other.disconnect()

    run(scenario)


@pytest.mark.django_db
def test_retention_recompute_progress_reaches_the_requester(world: Any) -> None:
    async def scenario() -> None:
        owner = await connected(world.user("sysadmin"))
        await get_channel_layer().group_send(
            broadcast.user_group(world.user("sysadmin").pk),
            {"type": "retention.progress", "id": 3, "document_type": 7, "status": "running", "done": 200,
             "total": 900, "user": world.user("sysadmin").pk},
        )  # fmt: skip
        assert await owner.receive_json_from(timeout=2) == {
            "type": "retention.progress",
            "id": 3,
            "document_type": 7,
            "status": "running",
            "done": 200,
            "total": 900,
        }
        await owner.disconnect()

    run(scenario)


# --- revocation -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_deactivating_a_user_closes_their_sockets(world: Any) -> None:
    async def scenario() -> None:
        first = await connected(world.user("viewer"))
        second = await connected(world.user("viewer"))
        colleague = await connected(world.user("approver"))
        await database_sync_to_async(auth_services.user_deactivate)(
            actor=world.user("unitadmin"), user=world.user("viewer")
        )
        assert await first.receive_output(timeout=2) == CLOSED_4001
        assert await second.receive_output(timeout=2) == CLOSED_4001
        assert await colleague.receive_nothing(timeout=0.2)
        await colleague.disconnect()

    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_changing_password_closes_the_users_sockets(world: Any) -> None:
    async def scenario() -> None:
        comm = await connected(world.user("approver"))
        await database_sync_to_async(auth_services.change_password)(
            user=world.user("approver"), old_password="Demo@12345678", new_password="N3w!Password-2026"
        )
        assert await comm.receive_output(timeout=2) == CLOSED_4001

    run(scenario)


@pytest.mark.django_db
def test_open_sockets_are_counted_for_metrics(world: Any) -> None:
    from apps.core import metrics

    before = metrics.WEBSOCKETS_OPEN._value.get()
    accepted = metrics.WEBSOCKETS_TOTAL._value.get()

    async def scenario() -> None:
        first = await connected(world.user("viewer"))
        second = await connected(world.user("approver"))
        assert metrics.WEBSOCKETS_OPEN._value.get() == before + 2
        await first.disconnect()
        assert metrics.WEBSOCKETS_OPEN._value.get() == before + 1
        await second.disconnect()

    run(scenario)
    assert metrics.WEBSOCKETS_OPEN._value.get() == before
    assert metrics.WEBSOCKETS_TOTAL._value.get() == accepted + 2
