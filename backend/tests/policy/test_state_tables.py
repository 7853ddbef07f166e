"""The state tables walked pair by pair: every (state, action) the table allows moves to its
next state; every other pair answers 409 invalid_transition through the service and changes
nothing (status, audit count)."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from apps.audit.models import AuditEvent
from apps.core.errors import ApplicationError
from apps.crates import services as crate_services
from apps.crates.models import Crate
from apps.policy import access
from apps.policy.states import CRATE_TABLE, REQUEST_TABLES, SENDBACK_TABLE, StateTable
from apps.requests import services
from apps.requests.models import Request, SendBack
from tests.conftest import DEMO_PASSWORD, World
from tests.requests.conftest import make_crate

REQUEST_STATES = list(Request.Status.values)
REQUEST_ACTIONS = [*access.REQUEST_ACTIONS, "complete_return"]
CRATE_MOVES = ("store", "withdraw", "return", "destroy", "dispatch", "receive")


def _request_in(world: World, request_type: str, status: str) -> Request:
    return Request.objects.create(
        number=f"REQ-T-{request_type}-{status}",
        request_type=request_type,
        status=status,
        unit=world.goa,
        target_unit=world.kur if request_type == "transfer" else None,
        requester=world.user("docmanager"),
        purpose="table walk",
        expected_return_date=datetime.date.today() + datetime.timedelta(days=7)
        if request_type == "withdrawal"
        else None,
    )


def _call(world: World, request: Request, action: str) -> None:
    """The service of `action`, called by a System Administrator (every capability, so the
    state decides first)."""
    actor = world.user("sysadmin")
    if action == "edit":
        services.request_update(request=request, actor=actor, data={"purpose": "changed"})
    elif action == "delete":
        services.request_delete(request=request, actor=actor)
    elif action == "create_sendback":
        services.sendback_create(actor=actor, request=request, items=[{"crate": 1}])
    elif action == "request_extension":
        services.extension_request(request=request, actor=actor, requested_date=datetime.date(2099, 1, 1), reason="x")
    elif action in {"approve", "reject"}:
        getattr(services, f"request_{action}")(request=request, actor=actor, password=DEMO_PASSWORD, comment="walk")
    elif action == "receive":
        services.request_receive(request=request, actor=actor, allocations=[])
    else:
        getattr(services, f"request_{action}")(request=request, actor=actor)


def test_every_table_lists_only_its_own_states() -> None:
    tables: list[StateTable] = [*REQUEST_TABLES.values(), SENDBACK_TABLE, CRATE_TABLE]
    for table in tables:
        for (state, action), to_state in table.transitions.items():
            assert state in table.states and to_state in table.states, (table.entity, state, action)
            assert action in table.verbs, (table.entity, action)


@pytest.mark.parametrize("request_type", list(Request.Type.values))
def test_request_table_moves_each_allowed_pair_to_its_next_state(request_type: str) -> None:
    table = REQUEST_TABLES[request_type]
    expected_moves = {
        "storage": {("approved", "execute"): "completed"},
        "withdrawal": {
            ("approved", "execute"): "issued",
            ("issued", "create_sendback"): "issued",
            ("issued", "request_extension"): "issued",
            ("issued", "complete_return"): "completed",
        },
        "destruction": {("approved", "execute"): "completed"},
        "transfer": {("approved", "execute"): "in_transit", ("in_transit", "receive"): "completed"},
    }[request_type]
    common = {
        ("draft", "edit"): "draft",
        ("draft", "delete"): "draft",
        ("draft", "submit"): "submitted",
        ("draft", "cancel"): "cancelled",
        ("submitted", "cancel"): "cancelled",
        ("submitted", "approve"): "approved",
        ("submitted", "reject"): "rejected",
    }
    assert dict(table.transitions) == {**common, **expected_moves}
    for state in REQUEST_STATES:
        for action in REQUEST_ACTIONS:
            if (state, action) in table.transitions:
                assert table.next_state(state, action) == table.transitions[(state, action)]
            else:
                with pytest.raises(ApplicationError) as raised:
                    table.next_state(state, action)
                assert raised.value.code == "invalid_transition"


@pytest.mark.parametrize("request_type", list(Request.Type.values))
def test_every_request_action_outside_the_table_answers_409_and_changes_nothing(
    world: World, request_type: str, audit_count: Callable[[], int]
) -> None:
    table = REQUEST_TABLES[request_type]
    refused = 0
    for state in REQUEST_STATES:
        request = _request_in(world, request_type, state)
        for action in access.REQUEST_ACTIONS:
            if table.allows(state, action):
                continue
            before = audit_count()
            with pytest.raises(ApplicationError) as raised:
                _call(world, request, action)
            assert (raised.value.code, raised.value.status) == ("invalid_transition", 409), (state, action)
            assert Request.objects.get(pk=request.pk).status == state
            assert audit_count() == before, (state, action)
            refused += 1
    assert refused == len(REQUEST_STATES) * len(access.REQUEST_ACTIONS) - sum(
        1 for (_, action) in table.transitions if action in access.REQUEST_ACTIONS
    )


def test_allowed_request_pairs_pass_the_guard_for_an_entitled_user(world: World) -> None:
    """The guard returns the table's next state when the state allows the action and the
    user may act (the end-to-end workflow tests carry each move out)."""
    actors = {
        "edit": "docmanager",
        "delete": "docmanager",
        "submit": "docmanager",
        "cancel": "docmanager",
        "approve": "approver",
        "reject": "approver",
        "execute": "storehead",
        "receive": "storehead2",
        "create_sendback": "docmanager",
        "request_extension": "docmanager",
        "complete_return": "storehead",
    }
    for request_type, table in REQUEST_TABLES.items():
        for (state, action), to_state in table.transitions.items():
            request = Request(
                number="REQ-X",
                request_type=request_type,
                status=state,
                unit=world.goa,
                target_unit=world.kur,
                requester=world.user("docmanager"),
            )
            assert access.check_request(world.user(actors[action]), request, action) == to_state


def test_crate_table_walk_through_crate_set_status(world: World, audit_count: Callable[[], int]) -> None:
    crate = make_crate(world, documents=1)
    storehead = world.user("storehead")
    for state in CRATE_TABLE.states:
        for action in CRATE_MOVES:
            Crate.objects.filter(pk=crate.pk).update(status=state)
            before = audit_count()
            if CRATE_TABLE.allows(state, action):
                with transaction.atomic():
                    locked = crate_services.lock_crates([crate.pk])[crate.pk]
                    crate_services.crate_set_status(crate=locked, action=action, actor=storehead)
                assert Crate.objects.get(pk=crate.pk).status == CRATE_TABLE.transitions[(state, action)]
                assert audit_count() == before + 1
                event = AuditEvent.objects.order_by("-sequence").first()
                assert event is not None
                assert event.action == f"crate.{CRATE_TABLE.verb(action)}"
            else:
                with pytest.raises(ApplicationError) as raised, transaction.atomic():
                    locked = crate_services.lock_crates([crate.pk])[crate.pk]
                    crate_services.crate_set_status(crate=locked, action=action, actor=storehead)
                assert raised.value.code == "invalid_transition", (state, action)
                assert Crate.objects.get(pk=crate.pk).status == state
                assert audit_count() == before


def test_crate_actions_outside_the_table_answer_409_through_the_api(
    world: World, audit_count: Callable[[], int]
) -> None:
    crate = make_crate(world, documents=1)
    client = world.client("sysadmin")
    calls: dict[str, Callable[[], Any]] = {
        "edit": lambda: client.patch(f"/api/crates/{crate.pk}/", {"description": "x"}, format="json"),
        "delete": lambda: client.delete(f"/api/crates/{crate.pk}/"),
        "relocate": lambda: client.post(
            f"/api/crates/{crate.pk}/relocate/", {"location": world.shelf2.pk}, format="json"
        ),
        "set_legal_hold": lambda: client.post(
            f"/api/crates/{crate.pk}/legal-hold/", {"legal_hold": True, "reason": "audit"}, format="json"
        ),
    }
    refused = 0
    for state in CRATE_TABLE.states:
        Crate.objects.filter(pk=crate.pk).update(status=state)
        for action, call in calls.items():
            if CRATE_TABLE.allows(state, action):
                continue
            before = audit_count()
            response = call()
            assert response.status_code == 409, (state, action, response.content)
            assert response.data["code"] == "invalid_transition"
            assert Crate.objects.get(pk=crate.pk).status == state
            assert audit_count() == before
            refused += 1
    # draft: relocate; stored: edit, delete; withdrawn, in_transit: edit, delete, relocate;
    # destroyed: all four; missing: edit, delete.
    assert refused == 1 + 2 + 3 + 3 + 4 + 2


def test_sendback_table_allows_only_receiving_a_pending_send_back(world: World) -> None:
    assert dict(SENDBACK_TABLE.transitions) == {("pending", "receive"): "received"}
    request = _request_in(world, "withdrawal", "issued")
    sendback = SendBack.objects.create(
        number="SB-T-1", request=request, unit=world.goa, returned_by=world.user("docmanager"), status="received"
    )
    before = AuditEvent.objects.count()
    response = world.client("storehead").post(f"/api/sendbacks/{sendback.pk}/receive/", {}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "invalid_transition"
    assert SendBack.objects.get(pk=sendback.pk).status == "received"
    assert AuditEvent.objects.count() == before
