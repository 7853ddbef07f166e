"""Cycle counts and legacy imports seen live (docs/events.md): every change of a count reaches its
unit's sockets (a second tablet follows the first), an import's validation and progress reach
the import's unit, and another unit's sockets receive nothing. Channels' communicator on the
channel layer of the settings (Redis wherever REDIS_URL is set, as in CI)."""

from collections import Counter
from typing import Any

import pytest
from channels.db import database_sync_to_async

from apps.crates.models import Crate
from apps.inventory.models import InventoryCount
from tests.conftest import DEMO_PASSWORD, World, make_user
from tests.crates.conftest import CrateMaker
from tests.inventory.conftest import legacy_csv, legacy_rows, upload
from tests.realtime.test_consumer import ENVELOPE_KEYS, connected, run

pytestmark = pytest.mark.django_db(transaction=True)  # events are sent after the commit


async def received(comm: Any) -> list[dict[str, Any]]:
    """Everything the socket has been sent so far, in order."""
    events = []
    while not await comm.receive_nothing(timeout=0.3):
        events.append(await comm.receive_json_from(timeout=1))
    return events


def counts_of(events: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(e["action"], e["status"], e["number"]) for e in events if e["entity"] == "count"]


def test_a_count_is_followed_live_by_its_unit_and_no_other(world: World) -> None:
    make = CrateMaker(world)
    a, c = make.stored(location=world.shelf), make.stored(location=world.shelf2)
    second = make_user("storehead_b", "Store Head", world.goa)
    tablets = {"storehead": world.client("storehead"), "storehead_b": world.client("storehead_b")}
    users = [world.user("storehead"), second, world.user("approver"), world.user("sysadmin"), world.user("storehead2")]

    def post(username: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = tablets[username].post(path, body or {}, format="json")
        assert response.status_code in (200, 201), response.content
        return response.data

    async def scenario() -> None:
        tablet_a, tablet_b, approver, sysadmin, kur = [await connected(user) for user in users]
        count = await database_sync_to_async(post)("storehead", "/api/counts/", {"location": world.room.pk})
        number = count["number"]
        for comm in (tablet_a, tablet_b, approver, sysadmin):
            assert counts_of(await received(comm)) == [("created", "open", number)]

        # Two store heads scan the same count: each tablet hears the other's scan.
        path = f"/api/counts/{count['id']}/scans/"
        await database_sync_to_async(post)("storehead", path, {"location": world.shelf.pk, "code": a.number})
        await database_sync_to_async(post)("storehead_b", path, {"location": world.shelf.pk, "code": c.number})
        for comm in (tablet_a, tablet_b, approver, sysadmin):
            events = await received(comm)
            assert counts_of(events) == [("scanned", "open", number), ("scanned", "open", number)]
            # The envelope only: a blind count tells no one which crate was scanned where.
            assert all(set(event) == ENVELOPE_KEYS for event in events)
            assert {event["id"] for event in events} == {count["id"]}

        await database_sync_to_async(post)("storehead", f"/api/counts/{count['id']}/submit/")
        for comm in (tablet_a, tablet_b, sysadmin):
            assert counts_of(await received(comm)) == [("submitted", "submitted", number)]
        # The unit's Approver also hears of the count waiting for review (a notification).
        events = await received(approver)
        assert counts_of(events) == [("submitted", "submitted", number)]
        assert [e["entity"] for e in events].count("notification") == 1

        assert await kur.receive_nothing(timeout=0.3)
        for comm in (tablet_a, tablet_b, approver, sysadmin, kur):
            await comm.disconnect()

    run(scenario)


def test_a_review_is_pushed_with_the_crates_it_resolved(world: World) -> None:
    make = CrateMaker(world)
    found, missing, misplaced = (make.stored(location=shelf) for shelf in (world.shelf, world.shelf, world.shelf2))
    store, approver = world.client("storehead"), world.client("approver")
    cid = store.post("/api/counts/", {"location": world.room.pk}, format="json").data["id"]
    for crate in (found, misplaced):
        store.post(f"/api/counts/{cid}/scans/", {"location": world.shelf.pk, "code": crate.number}, format="json")
    store.post(f"/api/counts/{cid}/submit/")
    number = InventoryCount.objects.get(pk=cid).number
    users = [world.user("docmanager"), world.user("viewer"), world.user("approver2"), world.user("docmanager2")]

    def review() -> int:
        resolutions = [{"crate": misplaced.pk, "action": "relocate"}, {"crate": missing.pk, "action": "mark_missing"}]
        body = {"password": DEMO_PASSWORD, "comment": "ok", "resolutions": resolutions}
        return int(approver.post(f"/api/counts/{cid}/review/", body, format="json").status_code)

    async def scenario() -> None:
        docmanager, viewer, *kur = [await connected(user) for user in users]
        assert await database_sync_to_async(review)() == 200
        heard = {"docmanager": await received(docmanager), "viewer": await received(viewer)}
        for events in heard.values():
            assert counts_of(events) == [("reviewed", "reviewed", number)]
            crates = {(e["id"], e["status"]) for e in events if e["entity"] == "crate"}
            assert crates == {(misplaced.pk, "stored"), (missing.pk, "missing")}
            assert {e["id"] for e in events if e["entity"] == "location"} == {world.shelf.pk, world.shelf2.pk}
        # The missing crate is told to the unit's Document Managers (the viewer is not one).
        assert Counter(e["entity"] for e in heard["docmanager"])["notification"] == 1
        assert Counter(e["entity"] for e in heard["viewer"])["notification"] == 0
        for comm in kur:
            assert await comm.receive_nothing(timeout=0.3)
        for comm in (docmanager, viewer, *kur):
            await comm.disconnect()

    run(scenario)
    assert Crate.objects.get(pk=missing.pk).status == "missing"


def test_an_imports_validation_reaches_its_unit_only(world: World) -> None:
    good = legacy_csv(legacy_rows())
    bad = legacy_csv([["OLD-9", "QA", "NOWHERE", "", "X-1", "x", "BMR", "2019-01-01"]])
    users = [world.user("storehead"), world.user("sysadmin"), world.user("docmanager2")]

    async def scenario() -> None:
        goa, sysadmin, kur = [await connected(user) for user in users]
        first = (await database_sync_to_async(upload)(world, good)).data["id"]
        second = (await database_sync_to_async(upload)(world, bad)).data["id"]
        # Tasks run eagerly here: the validation follows the upload's commit in this process.
        expected = [
            (first, "created", "validating", None), (first, "updated", "validated", None),
            (first, "progress", "validated", (3, 3)),
            (second, "created", "validating", None), (second, "updated", "invalid", None),
            (second, "progress", "invalid", (1, 1)),
        ]  # fmt: skip
        for comm in (goa, sysadmin):
            events = await received(comm)
            assert {(e["entity"], e["unit"]) for e in events} == {("import", world.goa.pk)}
            assert [
                (e["id"], e["action"], e["status"], (e["done"], e["total"]) if e["action"] == "progress" else None)
                for e in events
            ] == expected
        assert await kur.receive_nothing(timeout=0.3)
        for comm in (goa, sysadmin, kur):
            await comm.disconnect()

    run(scenario)
