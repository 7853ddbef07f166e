"""Concurrent transitions on PostgreSQL with real threads and connections: one wins, the
others get 409, and capacity is never exceeded."""

from collections import Counter

import pytest
from django.utils import timezone

from apps.auth.models import User
from apps.requests.models import Request, RequestItem
from apps.signatures.models import Signature
from apps.storage.models import StorageLocation
from tests.conftest import World
from tests.races import require_postgres, run_concurrently
from tests.requests.conftest import PASSWORD, create_request, make_crate

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_simultaneous_approvals_exactly_one_succeeds(world: World):
    require_postgres()
    crate = make_crate(world)
    request = create_request(world, {"request_type": "storage", "purpose": "p", "items": [{"crate": crate.pk}]})
    assert world.client("docmanager").post(f"/api/requests/{request['id']}/submit/").status_code == 200
    approver = User.objects.get(username="approver")

    def approve(index, client):
        client.force_authenticate(approver)
        return client.post(
            f"/api/requests/{request['id']}/approve/", {"password": PASSWORD, "comment": str(index)}, format="json"
        )

    results = run_concurrently(10, approve)

    assert Counter(status for status, _ in results) == {200: 1, 409: 9}
    assert {code for status, code in results if status == 409} == {"invalid_transition"}
    assert Request.objects.get(pk=request["id"]).status == "approved"
    assert Signature.objects.filter(subject_id=request["id"]).count() == 1


def test_twenty_executions_compete_for_five_free_places(world: World):
    require_postgres()
    location = StorageLocation.objects.create(
        unit=world.goa,
        parent=world.room,
        kind="shelf",
        code="GOA-RACE",
        name="Race shelf",
        capacity=5,
        path="Archive Room 1 / Race shelf",
    )
    approver, requester = User.objects.get(username="approver"), User.objects.get(username="docmanager")
    requests = []
    for index in range(20):
        crate = make_crate(world)
        request = Request.objects.create(
            number=f"REQ-RACE-{index:03d}",
            request_type="storage",
            status="approved",
            unit=world.goa,
            requester=requester,
            purpose="race",
            decided_by=approver,
            decided_at=timezone.now(),
        )
        RequestItem.objects.create(request=request, crate=crate)
        requests.append((request.pk, crate.pk))
    storehead = User.objects.get(username="storehead")

    def execute(index, client):
        client.force_authenticate(storehead)
        request_id, crate_id = requests[index]
        return client.post(
            f"/api/requests/{request_id}/execute/",
            {"allocations": [{"crate": crate_id, "location": location.pk}]},
            format="json",
        )

    results = run_concurrently(20, execute)

    assert Counter(status for status, _ in results) == {200: 5, 409: 15}
    assert {code for status, code in results if status == 409} == {"capacity_exceeded"}
    location.refresh_from_db()
    assert location.occupied == 5
    assert location.crates.count() == 5
    assert Request.objects.filter(status="completed").count() == 5
    assert Request.objects.filter(status="approved").count() == 15
