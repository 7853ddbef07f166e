"""What the API tells the web app a user may do: `capabilities` on the signed-in user and
`allowed_actions` on crates and send-backs (requests: tests/requests)."""

import datetime

import pytest

from apps.requests.models import Request, RequestItem, SendBack
from tests.conftest import World
from tests.requests.conftest import make_crate, stored_crate

CAPABILITIES = {
    "sysadmin": [
        "see_all_units",
        "manage_units",
        "manage_users",
        "grant_system_administrator",
        "manage_departments",
        "manage_locations",
        "manage_document_types",
        "edit_crates",
        "raise_requests",
        "create_sendbacks",
        "approve_requests",
        "execute_requests",
        "receive_sendbacks",
        "relocate_crates",
        "set_legal_hold",
        "record_retention_events",
        "extend_retention",
        "read_audit",
        "export_audit",
        "review_audit",
        "count_crates",
        "review_counts",
        "import_inventory",
    ],
    "unitadmin": [
        "manage_units",
        "manage_users",
        "manage_departments",
        "manage_locations",
        "read_audit",
        "export_audit",
    ],
    "docmanager": ["edit_crates", "raise_requests", "create_sendbacks", "record_retention_events", "import_inventory"],
    "approver": [
        "approve_requests",
        "set_legal_hold",
        "extend_retention",
        "read_audit",
        "export_audit",
        "review_audit",
        "review_counts",
    ],
    "storehead": ["execute_requests", "receive_sendbacks", "relocate_crates", "count_crates"],
    "viewer": [],
}


@pytest.mark.parametrize("username", list(CAPABILITIES))
def test_me_lists_the_capabilities_of_the_users_roles(world: World, username: str) -> None:
    response = world.client(username).get("/api/auth/me/")
    assert response.status_code == 200
    assert response.data["capabilities"] == CAPABILITIES[username]


def test_the_login_response_carries_the_capabilities(world: World) -> None:
    client = world.login("approver")
    assert client.tokens["user"]["capabilities"] == CAPABILITIES["approver"]  # type: ignore[attr-defined]
    assert client.tokens["user"]["username"] == "approver"  # type: ignore[attr-defined]


def test_user_list_rows_carry_no_capabilities(world: World) -> None:
    response = world.client("sysadmin").get("/api/users/")
    assert response.status_code == 200
    assert "capabilities" not in response.data["results"][0]


def _crate_actions(world: World, username: str, crate_id: int) -> list[str]:
    response = world.client(username).get(f"/api/crates/{crate_id}/")
    assert response.status_code == 200
    listed = world.client(username).get("/api/crates/", {"search": response.data["number"]})
    assert [row["allowed_actions"] for row in listed.data["results"]] == [response.data["allowed_actions"]]
    return response.data["allowed_actions"]  # type: ignore[no-any-return]


def test_draft_crate_actions_by_role(world: World) -> None:
    crate = make_crate(world)
    assert _crate_actions(world, "docmanager", crate.pk) == ["edit", "delete"]
    assert _crate_actions(world, "sysadmin", crate.pk) == ["edit", "delete", "set_legal_hold"]
    assert _crate_actions(world, "approver", crate.pk) == ["set_legal_hold"]
    assert _crate_actions(world, "storehead", crate.pk) == []
    assert _crate_actions(world, "viewer", crate.pk) == []


def test_a_draft_crate_in_a_request_can_be_edited_until_submitted_and_never_deleted(world: World) -> None:
    crate = make_crate(world)
    request = Request.objects.create(
        number="REQ-D", request_type="storage", unit=world.goa, requester=world.user("docmanager"), purpose="x"
    )
    RequestItem.objects.create(request=request, crate=crate)
    assert _crate_actions(world, "docmanager", crate.pk) == ["edit"]
    Request.objects.filter(pk=request.pk).update(status="submitted")
    assert _crate_actions(world, "docmanager", crate.pk) == []
    response = world.client("docmanager").patch(f"/api/crates/{crate.pk}/", {"description": "x"}, format="json")
    assert response.status_code == 409
    assert response.data["detail"] == (
        f"{crate.number} is in request REQ-D, submitted or approved: it cannot change until the request is "
        "decided or executed."
    )


def test_stored_crate_actions_by_role(world: World) -> None:
    crate = stored_crate(world, retention_until=datetime.date.today() + datetime.timedelta(days=30))
    assert _crate_actions(world, "docmanager", crate.pk) == ["request_withdrawal", "request_transfer"]
    assert _crate_actions(world, "storehead", crate.pk) == ["relocate"]
    assert _crate_actions(world, "approver", crate.pk) == ["set_legal_hold"]
    assert world.client("docmanager2").get(f"/api/crates/{crate.pk}/").status_code == 404


def test_a_crate_due_for_destruction_offers_a_destruction_request(world: World) -> None:
    crate = stored_crate(world, retention_until=datetime.date.today() - datetime.timedelta(days=1))
    assert _crate_actions(world, "docmanager", crate.pk) == [
        "request_withdrawal",
        "request_destruction",
        "request_transfer",
    ]
    held = stored_crate(world, retention_until=datetime.date.today() - datetime.timedelta(days=1), legal_hold=True)
    assert _crate_actions(world, "docmanager", held.pk) == ["request_withdrawal", "request_transfer"]


def test_a_crate_with_a_document_out_offers_only_a_withdrawal_of_its_other_documents(world: World) -> None:
    crate = stored_crate(world, documents=2, retention_until=datetime.date.today() - datetime.timedelta(days=1))
    request = Request.objects.create(
        number="REQ-W",
        request_type="withdrawal",
        status="issued",
        unit=world.goa,
        requester=world.user("docmanager"),
        purpose="x",
    )
    RequestItem.objects.create(request=request, crate=crate, document=crate.documents.first())
    assert _crate_actions(world, "docmanager", crate.pk) == ["request_withdrawal"]
    RequestItem.objects.filter(request=request).update(document=None)
    assert _crate_actions(world, "docmanager", crate.pk) == []


def test_send_back_actions(world: World) -> None:
    request = Request.objects.create(
        number="REQ-SB",
        request_type="withdrawal",
        status="issued",
        unit=world.goa,
        requester=world.user("docmanager"),
        purpose="x",
    )
    sendback = SendBack.objects.create(number="SB-1", request=request, unit=world.goa, returned_by=request.requester)
    for username, expected in [("storehead", ["receive"]), ("sysadmin", ["receive"]), ("docmanager", [])]:
        response = world.client(username).get(f"/api/sendbacks/{sendback.pk}/")
        assert response.data["allowed_actions"] == expected, username
    SendBack.objects.filter(pk=sendback.pk).update(status="received")
    assert world.client("storehead").get(f"/api/sendbacks/{sendback.pk}/").data["allowed_actions"] == []


@pytest.mark.parametrize("username", ["sysadmin", "docmanager", "storehead", "approver2", "viewer"])
def test_a_lists_allowed_actions_equal_each_crates_own(world: World, username: str) -> None:
    """A list asks who may act once per unit (access.crate_allowed_actions_for): the same
    answer as asking every rule of every crate, across units and states."""
    from apps.crates.selectors import crates_for
    from apps.policy import access

    past = datetime.date.today() - datetime.timedelta(days=1)
    for unit, shelf in ((world.goa, None), (world.kur, world.kur_shelf)):
        make_crate(world, unit=unit, location=shelf)
        stored_crate(world, unit=unit, location=shelf, retention_until=past)
        stored_crate(world, unit=unit, location=shelf, retention_until=past, legal_hold=True)
    user = world.user(username)
    allowed = access.crate_allowed_actions_for(user)
    crates = list(crates_for(user))
    assert crates
    for crate in crates:
        each = [
            action
            for action in access.CRATE_ACTIONS
            if access.actor_refusal(access.CRATE_ACTORS[action], user, crate) is None
            and access.crate_state_refusal(crate, action) is None
        ]
        assert allowed(crate) == each, (username, crate.number)
