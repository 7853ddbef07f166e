"""The System Administrator's dashboard per unit (docs/workflows.md)."""

import datetime

from apps.requests.models import Request
from tests.conftest import World
from tests.requests.conftest import approved_request, in_future, stored_crate


def test_system_administrator_sees_figures_per_unit_and_others_see_none(world: World) -> None:
    due = stored_crate(world, retention_until=datetime.date.today() - datetime.timedelta(days=1))
    stored_crate(world)
    stored_crate(world, unit=world.kur, location=world.kur_shelf, retention_until=datetime.date(2020, 1, 1))
    body = {"request_type": "withdrawal", "purpose": "Audit", "expected_return_date": in_future(),
            "items": [{"crate": due.pk}]}  # fmt: skip
    request = approved_request(world, body)
    assert (
        world.client("storehead").post(f"/api/requests/{request['id']}/execute/", {}, format="json").status_code == 200
    )
    Request.objects.filter(pk=request["id"]).update(
        expected_return_date=datetime.date.today() - datetime.timedelta(days=1)
    )

    rows = world.client("sysadmin").get("/api/dashboard/").json()["by_unit"]
    figures = {
        row["unit_code"]: (
            row["crates_by_status"]["stored"], row["crates_by_status"]["withdrawn"], row["open_requests"],
            row["overdue_withdrawals"], row["due_for_destruction"], row["capacity"], row["occupied"],
        )
        for row in rows
    }  # fmt: skip
    # GOA: the withdrawn crate left its shelf (15 places on two shelves, one crate stored).
    assert figures == {"GOA": (1, 1, 1, 1, 0, 15, 1), "KUR": (1, 0, 0, 0, 1, 10, 1)}
    assert world.client("approver").get("/api/dashboard/").json()["by_unit"] == []
