"""Logout ends the session: its access token stops working and its sockets close, while the
same user's other sessions keep theirs (docs/roles.md, docs/events.md)."""

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from tests.conftest import World
from tests.realtime.conftest import communicator

CLOSED_4001 = {"type": "websocket.close", "code": 4001}


def _ticket(client: Any) -> str:
    response = client.post("/api/auth/ws-ticket/")
    assert response.status_code == 200, response.content
    return str(response.data["ticket"])


@pytest.mark.django_db(transaction=True)
def test_logout_closes_the_sockets_of_that_session_only(world: World) -> None:
    laptop, tablet = world.login("viewer"), world.login("viewer")

    async def scenario() -> None:
        laptop_socket = communicator(await database_sync_to_async(_ticket)(laptop))
        tablet_socket = communicator(await database_sync_to_async(_ticket)(tablet))
        assert (await laptop_socket.connect())[0] is True
        assert (await tablet_socket.connect())[0] is True

        response = await database_sync_to_async(laptop.post)(
            "/api/auth/logout/", {"refresh": laptop.tokens["refresh"]}, format="json"
        )
        assert response.status_code == 205

        assert await laptop_socket.receive_output(timeout=2) == CLOSED_4001
        assert await tablet_socket.receive_nothing(timeout=0.3)
        await tablet_socket.disconnect()

    async_to_sync(scenario)()

    refused = laptop.get("/api/auth/me/")
    assert (refused.status_code, refused.json()["code"]) == (401, "session_ended")
    assert tablet.get("/api/auth/me/").status_code == 200
