"""The legacy import's background work on a real Celery worker (docs/background.md,
docs/workflows.md "Legacy inventory import"): the upload's validation and the commit run in the
worker process on the real Redis and PostgreSQL, and the worker's progress reaches the import's
unit over the socket (and no other unit)."""

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers

from apps.audit.models import AuditEvent
from apps.audit.services import verify_chain
from apps.crates.models import Crate, Document
from apps.inventory.models import InventoryImport
from apps.storage.models import StorageLocation
from tests.conftest import World
from tests.inventory.conftest import legacy_csv, legacy_rows, upload
from tests.realtime.test_consumer import connected, run
from tests.tasks.worker import Worker, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers_channel_layer(settings: Any, to_the_worker: Worker) -> Worker:
    """This process's sockets on the worker's channel-layer prefix, to hear what the worker sends."""
    layers = {key: {**value} for key, value in settings.CHANNEL_LAYERS.items()}
    layers["default"]["CONFIG"] = {**layers["default"]["CONFIG"], "prefix": to_the_worker.channel_prefix}
    settings.CHANNEL_LAYERS = layers
    channel_layers.backends = {}
    return to_the_worker


def _status(import_id: int) -> str:
    return InventoryImport.objects.get(pk=import_id).status


def test_the_worker_validates_an_upload_and_commits_it(world: World, to_the_worker: Worker) -> None:
    content = legacy_csv(legacy_rows())
    response = upload(world, content)
    assert (response.status_code, response.data["status"]) == (202, "validating")
    iid = response.data["id"]

    wait_for(lambda: _status(iid) != "validating", 60)
    detail = world.client("docmanager").get(f"/api/imports/{iid}/").data
    assert (detail["status"], detail["rows"], detail["crates"], detail["documents"]) == ("validated", 3, 2, 3)
    assert detail["errors"] == []
    assert [(line["legacy_number"], line["rows"]) for line in detail["preview"]] == [("OLD-1", [2, 3]), ("OLD-2", [4])]
    validated = AuditEvent.objects.get(action="import.validated", entity_id=str(iid))
    assert validated.actor == world.user("docmanager")  # the worker acts for whoever uploaded
    assert Crate.objects.count() == 0

    response = world.client("docmanager").post(f"/api/imports/{iid}/commit/")
    assert (response.status_code, response.data["status"]) == (202, "importing")
    wait_for(lambda: _status(iid) != "importing", 60)
    assert _status(iid) == "done"
    crates = {crate.legacy_number: crate for crate in Crate.objects.all()}
    assert {key: (crate.status, crate.location_id) for key, crate in crates.items()} == {
        "OLD-1": ("stored", world.shelf.pk),
        "OLD-2": ("stored", world.shelf2.pk),
    }
    assert Document.objects.count() == 3
    assert StorageLocation.objects.get(pk=world.shelf.pk).occupied == 1
    assert AuditEvent.objects.filter(action="crate.imported").count() == 2
    committed = AuditEvent.objects.get(action="import.committed")
    assert committed.changes["sha256"][1] == detail["sha256"]
    # Events from this process and the worker's form one unbroken chain.
    assert verify_chain().valid


def test_the_worker_finds_a_bad_file_invalid_and_nothing_is_imported(world: World, to_the_worker: Worker) -> None:
    rows = [*legacy_rows(), ["OLD-3", "QA", "NOWHERE", "", "X-1", "x", "BMR", "2019-13-01"]]
    iid = upload(world, legacy_csv(rows)).data["id"]
    wait_for(lambda: _status(iid) != "validating", 60)
    detail = world.client("docmanager").get(f"/api/imports/{iid}/").data
    assert detail["status"] == "invalid"
    assert [(error["row"], error["field"]) for error in detail["errors"]] == [(5, "location"), (5, "record_date")]
    response = world.client("docmanager").post(f"/api/imports/{iid}/commit/")
    assert (response.status_code, response.data["code"]) == (409, "invalid_transition")
    assert (Crate.objects.count(), Document.objects.count()) == (0, 0)
    assert _status(iid) == "invalid"


def test_the_workers_progress_reaches_the_imports_unit_only(world: World, workers_channel_layer: Worker) -> None:
    content = legacy_csv(legacy_rows())
    client = world.client("docmanager")
    users = {name: world.user(name) for name in ("docmanager", "storehead", "docmanager2")}

    def events_until(comm: Any, last_phase: str) -> Any:
        async def collect() -> list[tuple[Any, ...]]:
            seen: list[tuple[Any, ...]] = []
            while True:
                event = await comm.receive_json_from(timeout=60)
                assert (event["type"], event["unit"]) == ("entity.changed", world.goa.pk)
                seen.append((event["entity"], event["action"], event["status"], event.get("phase"), event.get("done")))
                if event.get("phase") == last_phase:
                    return seen

        return collect()

    async def scenario() -> None:
        goa = await connected(users["docmanager"])
        storehead = await connected(users["storehead"])
        kur = await connected(users["docmanager2"])
        response = await sync_to_async(upload)(world, content)
        iid = response.data["id"]
        # From this process: the upload; from the worker: the validation and its last progress.
        assert await events_until(goa, "validated") == [
            ("import", "created", "validating", None, None),
            ("import", "updated", "validated", None, None),
            ("import", "progress", "validated", "validated", 3),
        ]
        commit = await sync_to_async(client.post)(f"/api/imports/{iid}/commit/")
        assert commit.status_code == 202
        # Three rows: the crates (one batch), the documents (one batch), the two shelves' new
        # occupancy and the import's end, both at the worker's commit, then done.
        assert await events_until(goa, "done") == [
            ("import", "updated", "importing", None, None),
            ("import", "progress", "importing", "importing", 0),
            ("import", "progress", "importing", "importing", 1),
            ("import", "progress", "importing", "importing", 2),
            ("location", "updated", "active", None, None),
            ("location", "updated", "active", None, None),
            ("import", "updated", "done", None, None),
            ("import", "progress", "done", "done", 3),
        ]
        assert len(await events_until(storehead, "done")) == 11  # anyone of the unit hears it all
        assert await kur.receive_nothing(timeout=0.5)
        for comm in (goa, storehead, kur):
            await comm.disconnect()

    run(scenario)
