"""A real workflow transition, seen live by the right people only (docs/events.md)."""

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.core import mail

from tests.realtime.test_consumer import connected, run
from tests.requests.conftest import create_request, in_future, stored_crate


@pytest.mark.django_db(transaction=True)
def test_an_approval_is_pushed_to_its_unit_and_the_system_administrator_only(world: Any) -> None:
    crate = stored_crate(world)
    request = create_request(
        world, {"request_type": "withdrawal", "purpose": "Audit", "expected_return_date": in_future(),
                "items": [{"crate": crate.pk}]},
    )  # fmt: skip
    assert world.client("docmanager").post(f"/api/requests/{request['id']}/submit/").status_code == 200

    def approve() -> int:
        response = world.client("approver").post(
            f"/api/requests/{request['id']}/approve/", {"password": "Demo@12345678", "comment": "ok"}, format="json"
        )
        return response.status_code

    async def scenario() -> None:
        goa = await connected(world.user("viewer"))
        requester = await connected(world.user("docmanager"))
        sysadmin = await connected(world.user("sysadmin"))
        kur = await connected(world.user("approver2"))
        assert await database_sync_to_async(approve)() == 200
        for comm in (goa, sysadmin):
            event = await comm.receive_json_from(timeout=2)
            assert (event["entity"], event["id"], event["status"], event["number"]) == (
                "request", request["id"], "approved", request["number"],
            )  # fmt: skip
            assert await comm.receive_nothing(timeout=0.2)
        events = [await requester.receive_json_from(timeout=2) for _ in range(2)]
        assert sorted(event["entity"] for event in events) == ["notification", "request"]
        assert await kur.receive_nothing(timeout=0.3)
        for comm in (goa, requester, sysadmin, kur):
            await comm.disconnect()

    run(scenario)
    # The requester's "approved" notification was also e-mailed (eager without a worker).
    subject = f"[Cipla DMS] {request['number']} was approved"
    assert [message.to for message in mail.outbox if message.subject == subject] == [["docmanager@test.local"]]
