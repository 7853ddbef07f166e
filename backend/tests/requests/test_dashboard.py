import datetime

from apps.requests.models import Request
from apps.storage.models import StorageLocation
from tests.requests.conftest import approved_request, create_request, in_future, make_crate, stored_crate


def _issued_withdrawal(world, crate, *, returns_on):
    """A withdrawal of `crate`, approved and executed (issued), then due back on `returns_on`
    (a past day too, which the API refuses to take)."""
    withdrawal = approved_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "w",
            "expected_return_date": in_future(2),
            "items": [{"crate": crate.pk}],
        },
    )
    response = world.client("storehead").post(f"/api/requests/{withdrawal['id']}/execute/", {}, format="json")
    assert response.status_code == 200, response.content
    Request.objects.filter(pk=withdrawal["id"]).update(expected_return_date=returns_on)
    return withdrawal


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
    withdrawal = _issued_withdrawal(world, stored, returns_on=datetime.date.today() - datetime.timedelta(days=1))

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


def _place(world, code, parent, capacity=0, occupied=0, is_active=True, unit=None):
    place = StorageLocation.objects.create(
        unit=unit or world.goa, parent=parent, kind="bin", code=code, name=code, capacity=capacity, path=code
    )
    StorageLocation.objects.filter(pk=place.pk).update(occupied=occupied, is_active=is_active)
    return place


def test_room_utilization_sums_every_level_under_each_room_of_the_unit(world):
    """Each room adds up everything under it, however deep: inactive places only while they
    hold crates; places whose parents never reach a room (a cycle) count for no room; another
    unit's rooms are not shown. The System Administrator sees every unit's rooms."""
    rack = _place(world, "GOA-R1", world.shelf, capacity=0)
    _place(world, "GOA-B1", rack, capacity=4, occupied=3)
    _place(world, "GOA-B2", rack, capacity=6, occupied=0, is_active=False)  # empty and inactive
    _place(world, "GOA-B3", rack, capacity=2, occupied=2, is_active=False)  # inactive, still holding two
    store = _place(world, "GOA-ST", None, capacity=1, occupied=1)  # a second room, itself a place
    _place(world, "GOA-ST-B", store, capacity=9)
    loop_a = _place(world, "GOA-LA", None, capacity=7)
    loop_b = _place(world, "GOA-LB", loop_a, capacity=7)
    StorageLocation.objects.filter(pk=loop_a.pk).update(parent=loop_b)  # a cycle: neither is a room
    _place(world, "KUR-B9", world.kur_shelf, capacity=50, occupied=5, unit=world.kur)

    shown = world.client("approver").get("/api/dashboard/").data["location_utilization"]
    rooms = {room["code"]: room for room in shown}
    assert set(rooms) == {"GOA-AR1", "GOA-ST"}
    # Archive Room 1: shelves 10 + 5, bin 4 (3 in it), the inactive bin holding 2 of its 2.
    assert {k: rooms["GOA-AR1"][k] for k in ("capacity", "occupied", "free", "utilization")} == {
        "capacity": 21,
        "occupied": 5,
        "free": 16,
        "utilization": 23.8,
    }
    assert (rooms["GOA-ST"]["capacity"], rooms["GOA-ST"]["occupied"], rooms["GOA-ST"]["free"]) == (10, 1, 9)

    every_unit = world.client("sysadmin").get("/api/dashboard/").data["location_utilization"]
    assert [(room["unit_code"], room["code"], room["capacity"], room["occupied"]) for room in every_unit] == [
        ("GOA", "GOA-AR1", 21, 5),
        ("GOA", "GOA-ST", 10, 1),
        ("KUR", "KUR-S1", 60, 5),
    ]


def test_the_units_figures_follow_the_day_they_are_computed_on(world, monkeypatch):
    """Overdue withdrawals and crates due for destruction are read for the day of each
    recompute: the unit's reads are compiled once per process (with a stand-in date) and each
    run reads with its own day, also going back to an earlier one."""
    from django.core.cache import cache
    from django.utils import timezone

    from apps.requests import dashboard

    today = datetime.date.today()
    soon = stored_crate(world, retention_until=today + datetime.timedelta(days=10))
    stored_crate(world, retention_until=today + datetime.timedelta(days=20))
    stored_crate(world, unit=world.kur, location=world.kur_shelf, retention_until=today + datetime.timedelta(days=10))
    _issued_withdrawal(world, soon, returns_on=today + datetime.timedelta(days=5))
    approver = world.user("approver")

    def figures_on(day):
        cache.clear()  # the unit's cached figures: recomputed for this day
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        found = dashboard.dashboard_for(approver)
        return found["due_for_destruction"], found["overdue_withdrawals"]["count"]

    # The withdrawn crate is not stored, so only the second GOA crate falls due; KUR's never counts.
    assert figures_on(today) == (0, 0)
    assert figures_on(today + datetime.timedelta(days=15)) == (0, 1)
    assert figures_on(today + datetime.timedelta(days=25)) == (1, 1)
    assert figures_on(today) == (0, 0)
