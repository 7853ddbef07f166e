import datetime

from apps.requests.models import Request
from tests.requests.conftest import approved_request, create_request, in_future, make_crate, stored_crate


def test_dashboard_counts_and_queues_for_each_role(world, past):
    stored = stored_crate(world)
    stored_crate(world, retention_until=past)
    stored_crate(world, retention_until=past, legal_hold=True)
    stored_crate(world, unit=world.kur, location=world.kur_shelf, retention_until=past)
    make_crate(world)

    storage = create_request(
        world, {"request_type": "storage", "purpose": "p", "items": [{"crate": make_crate(world).pk}]}
    )
    world.client("docmanager").post(f"/api/requests/{storage['id']}/submit/")
    withdrawal = approved_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "w",
            "expected_return_date": in_future(2),
            "items": [{"crate": stored.pk}],
        },
    )
    world.client("storehead").post(f"/api/requests/{withdrawal['id']}/execute/", {}, format="json")
    Request.objects.filter(pk=withdrawal["id"]).update(
        expected_return_date=datetime.date.today() - datetime.timedelta(days=1)
    )

    data = world.client("approver").get("/api/dashboard/").data
    assert data["crates_by_status"] == {
        "draft": 2,
        "stored": 2,
        "withdrawn": 1,
        "in_transit": 0,
        "destroyed": 0,
        "missing": 0,
    }
    assert data["requests_by_type"]["storage"]["submitted"] == 1
    assert data["requests_by_type"]["withdrawal"]["issued"] == 1
    assert data["pending_approvals"]["count"] == 1
    assert [r["number"] for r in data["pending_approvals"]["top"]] == [storage["number"]]
    assert data["to_execute"]["count"] == 0  # not a Store Head
    assert data["overdue_withdrawals"]["count"] == 1
    assert data["overdue_withdrawals"]["top"][0]["number"] == withdrawal["number"]
    assert data["due_for_destruction"] == 1  # the held crate and KUR's do not count
    assert data["location_utilization"] == [
        {
            "id": world.room.pk,
            "unit_code": "GOA",
            "code": "GOA-AR1",
            "name": "Archive Room 1",
            "path": "Archive Room 1",
            "capacity": 15,
            "occupied": 2,
            "free": 13,
            "utilization": 13.3,
        }
    ]

    docmanager = world.client("docmanager").get("/api/dashboard/").data
    assert docmanager["pending_approvals"] == {"count": 0, "top": []}

    approve_storage = world.client("approver").post(
        f"/api/requests/{storage['id']}/approve/", {"password": "Demo@12345678"}, format="json"
    )
    assert approve_storage.status_code == 200
    storehead = world.client("storehead").get("/api/dashboard/").data
    assert [r["number"] for r in storehead["to_execute"]["top"]] == [storage["number"]]

    kur = world.client("storehead2").get("/api/dashboard/").data
    assert kur["crates_by_status"]["stored"] == 1
    assert kur["due_for_destruction"] == 1
    assert [room["code"] for room in kur["location_utilization"]] == ["KUR-S1"]
