"""The bench's write paths (record keeping, then the request's submission, approval and
execution) run a fixed number of queries, however many people each step notifies: one
statement inserts all of a transition's notifications (OPTIMIZATIONS.md §2.J)."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audit import services as audit
from apps.auth import roles
from apps.notifications.models import Notification
from apps.requests.models import Request
from tests.conftest import World, make_user
from tests.requests.conftest import PASSWORD

# Each figure includes the write's own read of what it wrote (the answer's body) and, in a
# test, the savepoint pair of the service's transaction. Before the changes of OPTIMIZATIONS.md
# §2.J they were 15, 22, 20, 29, 40 and 39, and submit and approve grew by three per
# Approver or Store Head notified.
EXPECTED = {
    "crate_create": 10,
    "document_create": 13,
    "request_create": 14,
    "request_submit": 17,
    "request_approve": 17,
    "request_execute": 20,
}


def _count(client: Any, path: str, body: dict[str, Any], expected_status: int) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as context:
        response = client.post(path, body, format="json")
    assert response.status_code == expected_status, response.content
    return len(context.captured_queries), response.json()


def _record_keeping_and_approval(world: World) -> dict[str, int]:
    docmanager, approver, storehead = (world.client(name) for name in ("docmanager", "approver", "storehead"))
    for client in (docmanager, approver, storehead):  # who they are, read once before counting
        assert client.get("/api/auth/me/").status_code == 200
    ContentType.objects.get_for_model(Request)  # cached by each process after its first use
    audit.record(action="test.started", entity_type="test")  # the chain's first event makes its head
    counts = {}
    counts["crate_create"], crate = _count(
        docmanager, "/api/crates/", {"department": world.qa.pk, "description": "Bench crate"}, 201
    )
    counts["document_create"], _ = _count(
        docmanager,
        "/api/documents/",
        {
            "crate": crate["id"],
            "number": f"BENCH-{crate['id']}",
            "title": "Bench record",
            "document_type": world.log.pk,
            "record_date": timezone.localdate().isoformat(),
        },
        201,
    )
    counts["request_create"], request = _count(
        docmanager,
        "/api/requests/",
        {"request_type": "storage", "purpose": "Bench storage", "items": [{"crate": crate["id"]}]},
        201,
    )
    counts["request_submit"], _ = _count(docmanager, f"/api/requests/{request['id']}/submit/", {}, 200)
    counts["request_approve"], _ = _count(
        approver, f"/api/requests/{request['id']}/approve/", {"password": PASSWORD, "comment": "ok"}, 200
    )
    counts["request_execute"], _ = _count(
        storehead,
        f"/api/requests/{request['id']}/execute/",
        {"allocations": [{"crate": crate["id"], "location": world.shelf.pk}]},
        200,
    )
    return counts


def test_the_bench_write_paths_run_a_fixed_number_of_queries(world: World) -> None:
    assert _record_keeping_and_approval(world) == EXPECTED


def test_more_people_to_notify_cost_no_more_queries(world: World) -> None:
    """Twenty more Approvers and Store Heads in the unit: every one of them is notified, in the
    same number of queries."""
    for index in range(10):
        make_user(f"approver-extra-{index}", roles.APPROVER, world.goa)
        make_user(f"storehead-extra-{index}", roles.STORE_HEAD, world.goa)
    assert _record_keeping_and_approval(world) == EXPECTED
    assert Notification.objects.filter(user__username__startswith="approver-extra-").count() == 10
    assert Notification.objects.filter(user__username__startswith="storehead-extra-").count() == 10
