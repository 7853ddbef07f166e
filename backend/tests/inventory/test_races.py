"""Counts under concurrency on PostgreSQL, with real threads and connections."""

from collections import Counter
from typing import Any

import pytest

from apps.audit.models import AuditEvent
from apps.auth.models import User
from apps.inventory.models import CountScan, InventoryCount
from apps.signatures.models import Signature
from tests.conftest import DEMO_PASSWORD, World, make_user
from tests.crates.conftest import CrateMaker
from tests.races import require_postgres, run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_store_heads_scanning_at_once_both_land(world: World):
    require_postgres()
    make = CrateMaker(world)
    crates = [make.stored(location=world.shelf) for _ in range(6)]
    second = make_user("storehead_b", "Store Head", world.goa)
    response = world.client("storehead").post("/api/counts/", {"location": world.room.pk}, format="json")
    count_id = response.data["id"]
    users = [User.objects.get(username="storehead"), second]

    def scan(index: int, client: Any) -> Any:
        client.force_authenticate(users[index % 2])
        # Both scan the same first crate (the later scan is kept), and one crate each of their own.
        codes = [crates[0].number, crates[1 + index].number]
        last = None
        for code in codes:
            last = client.post(
                f"/api/counts/{count_id}/scans/", {"location": world.shelf.pk, "code": code}, format="json"
            )
            assert last.status_code == 201, last.content
        return last

    results = run_concurrently(4, scan)
    assert Counter(status for status, _ in results) == {201: 4}
    keys = sorted(CountScan.objects.filter(count_id=count_id).values_list("key", flat=True))
    assert keys == sorted(crate.number for crate in crates[:5])
    assert set(CountScan.objects.filter(count_id=count_id).values_list("scanned_by__username", flat=True)) <= {
        "storehead",
        "storehead_b",
    }


def test_overlapping_counts_opened_at_once_one_wins(world: World):
    require_postgres()
    storehead = User.objects.get(username="storehead")
    locations = [world.room, world.shelf, world.shelf, world.room]

    def open_count(index: int, client: Any) -> Any:
        client.force_authenticate(storehead)
        return client.post("/api/counts/", {"location": locations[index].pk}, format="json")

    results = run_concurrently(4, open_count)
    assert Counter(results) == {(201, None): 1, (409, "conflict"): 3}
    assert InventoryCount.objects.filter(status="open").count() == 1


def test_a_scan_racing_the_submit_is_refused_or_counted_never_lost(world: World):
    require_postgres()
    make = CrateMaker(world)
    crate = make.stored(location=world.shelf)
    storehead = User.objects.get(username="storehead")
    count_id = world.client("storehead").post("/api/counts/", {"location": world.room.pk}, format="json").data["id"]

    def act(index: int, client: Any) -> Any:
        client.force_authenticate(storehead)
        if index == 0:
            return client.post(f"/api/counts/{count_id}/submit/")
        return client.post(
            f"/api/counts/{count_id}/scans/", {"location": world.shelf.pk, "code": crate.number}, format="json"
        )

    results = run_concurrently(2, act)
    assert results[0] == (200, None)
    scans = CountScan.objects.filter(count_id=count_id).count()
    # The scan either landed before the submit (201) or saw the count submitted (409).
    assert (results[1], scans) in {((201, None), 1), ((409, "invalid_transition"), 0)}


def test_two_reviewers_at_once_one_wins_the_other_409(world: World):
    require_postgres()
    make = CrateMaker(world)
    crate = make.stored(location=world.shelf)
    reviewers = [User.objects.get(username="approver"), make_user("approver_b", "Approver", world.goa)]
    count_id = world.client("storehead").post("/api/counts/", {"location": world.room.pk}, format="json").data["id"]
    world.client("storehead").post(f"/api/counts/{count_id}/submit/")

    def review(index: int, client: Any) -> Any:
        client.force_authenticate(reviewers[index])
        body = {"password": DEMO_PASSWORD, "resolutions": [{"crate": crate.pk, "action": "mark_missing"}]}
        return client.post(f"/api/counts/{count_id}/review/", body, format="json")

    results = run_concurrently(2, review)
    assert Counter(results) == {(200, None): 1, (409, "invalid_transition"): 1}
    assert InventoryCount.objects.get(pk=count_id).status == "reviewed"
    assert Signature.objects.filter(meaning="count_reviewed").count() == 1
    assert AuditEvent.objects.filter(action="crate.marked_missing").count() == 1


def test_two_commits_of_one_import_at_once_import_it_once(world: World):
    require_postgres()
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.crates.models import Crate
    from apps.inventory.models import InventoryImport

    content = (
        b"legacy_number,department,location,description,document_number,document_title,document_type,record_date\n"
        b"OLD-1,QA,GOA-S1,,D-1,t,BMR,2020-01-01\nOLD-2,QA,GOA-S2,,D-2,t,BMR,2020-01-01\n"
    )
    upload = world.client("docmanager").post(
        "/api/imports/", {"file": SimpleUploadedFile("legacy.csv", io.BytesIO(content).read())}, format="multipart"
    )
    import_id = upload.data["id"]
    assert InventoryImport.objects.get(pk=import_id).status == "validated"
    docmanager = User.objects.get(username="docmanager")

    def commit(index: int, client: Any) -> Any:
        client.force_authenticate(docmanager)
        return client.post(f"/api/imports/{import_id}/commit/")

    results = run_concurrently(2, commit)
    assert Counter(results) == {(202, None): 1, (409, "invalid_transition"): 1}
    assert InventoryImport.objects.get(pk=import_id).status == "done"
    assert Crate.objects.filter(legacy_number__in=["OLD-1", "OLD-2"]).count() == 2
    assert AuditEvent.objects.filter(action="crate.imported").count() == 2
