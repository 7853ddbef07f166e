"""A draft request is its author's until it is submitted (docs/roles.md): nobody else sees it in
the list, the detail, the dashboard's counts or a live update - a System Administrator included."""

from apps.policy import access
from apps.requests.models import Request
from tests.conftest import World
from tests.requests.conftest import create_request, in_future, stored_crate


def _draft(world: World) -> dict:
    crate = stored_crate(world)
    return create_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "audit",
            "expected_return_date": in_future(),
            "items": [{"crate": crate.pk}],
        },
    )


def _listed(world: World, username: str) -> list[int]:
    response = world.client(username).get("/api/requests/")
    assert response.status_code == 200
    return [row["id"] for row in response.data["results"]]


def test_a_draft_is_listed_and_shown_only_to_its_author(world: World) -> None:
    draft = _draft(world)
    assert _listed(world, "docmanager") == [draft["id"]]
    for other in ("viewer", "approver", "storehead", "unitadmin", "sysadmin"):
        assert _listed(world, other) == [], other
        response = world.client(other).get(f"/api/requests/{draft['id']}/")
        assert (response.status_code, response.data["code"]) == (404, "not_found"), other
    assert world.client("docmanager").get(f"/api/requests/{draft['id']}/").status_code == 200


def test_another_user_cannot_act_on_a_draft_they_cannot_see(world: World) -> None:
    draft = _draft(world)
    response = world.client("sysadmin").post(f"/api/requests/{draft['id']}/submit/")
    assert (response.status_code, response.data["code"]) == (404, "not_found")
    assert Request.objects.get(pk=draft["id"]).status == Request.Status.DRAFT


def test_once_submitted_the_request_is_the_units(world: World) -> None:
    draft = _draft(world)
    assert world.client("docmanager").post(f"/api/requests/{draft['id']}/submit/").status_code == 200
    assert _listed(world, "viewer") == [draft["id"]]
    assert world.client("approver").get(f"/api/requests/{draft['id']}/").status_code == 200


def test_the_dashboard_counts_only_ones_own_drafts(world: World) -> None:
    _draft(world)
    counts = {
        username: world.client(username).get("/api/dashboard/").data["requests_by_type"]["withdrawal"]["draft"]
        for username in ("docmanager", "viewer", "sysadmin")
    }
    assert counts == {"docmanager": 1, "viewer": 0, "sysadmin": 0}


def test_the_rule_as_a_check_and_as_a_filter_agree(world: World) -> None:
    draft = Request.objects.get(pk=_draft(world)["id"])
    author, other = world.user("docmanager"), world.user("viewer")
    assert access.may_see_request(author, draft) is True
    assert access.may_see_request(other, draft) is False
    assert list(Request.objects.filter(access.request_visible_q(author))) == [draft]
    assert list(Request.objects.filter(access.request_visible_q(other))) == []
