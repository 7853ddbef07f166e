"""Each named rule as a check on an object and as a Q, on the same rows: the two forms agree."""

import datetime
import itertools

from apps.crates.models import Crate
from apps.policy import access, rules
from apps.requests.models import Request, SendBack
from tests.conftest import World
from tests.requests.conftest import make_crate

TODAY = datetime.date(2026, 6, 15)
_numbers = itertools.count(1)


def test_due_for_destruction_check_and_q_agree(world: World) -> None:
    for status, retention, legal_hold in itertools.product(
        Crate.Status.values,
        [None, TODAY - datetime.timedelta(days=1), TODAY, TODAY + datetime.timedelta(days=1)],
        [False, True],
    ):
        crate = make_crate(world, documents=0, legal_hold=legal_hold)
        Crate.objects.filter(pk=crate.pk).update(status=status, retention_until=retention)
    crates = list(Crate.objects.all())
    assert len(crates) == 6 * 4 * 2
    checked = {crate.pk for crate in crates if rules.is_due_for_destruction(crate, today=TODAY)}
    queried = set(Crate.objects.filter(rules.due_for_destruction_q(today=TODAY)).values_list("pk", flat=True))
    assert checked == queried
    # stored, retention on or before today, no legal hold: 2 of the 48
    assert len(checked) == 2


def test_due_for_destruction_says_why_not(world: World) -> None:
    crate = make_crate(world, documents=0, legal_hold=True)
    Crate.objects.filter(pk=crate.pk).update(status="stored", retention_until=TODAY + datetime.timedelta(days=3))
    crate.refresh_from_db()
    assert rules.destruction_refusals(crate, today=TODAY) == [
        f"Crate {crate.number} is under legal hold.",
        f"Crate {crate.number} is retained until {TODAY + datetime.timedelta(days=3)}; it cannot be destroyed yet.",
    ]
    crate.retention_until = None
    assert rules.destruction_refusals(crate, today=TODAY) == [
        f"Crate {crate.number} is under legal hold.",
        f"Crate {crate.number} waits for a retention event of its documents; it cannot be destroyed.",
    ]
    crate.status = "withdrawn"
    assert rules.destruction_refusals(crate, today=TODAY) == [f"Crate {crate.number} is withdrawn, not stored."]


def test_overdue_check_and_q_agree(world: World) -> None:
    for request_type, status, expected in itertools.product(
        Request.Type.values,
        Request.Status.values,
        [None, TODAY - datetime.timedelta(days=1), TODAY, TODAY + datetime.timedelta(days=1)],
    ):
        Request.objects.create(
            number=f"REQ-O-{next(_numbers)}",
            request_type=request_type,
            status=status,
            unit=world.goa,
            requester=world.user("docmanager"),
            purpose="overdue",
            expected_return_date=expected,
        )
    requests = list(Request.objects.all())
    checked = {request.pk for request in requests if rules.is_overdue(request, today=TODAY)}
    queried = set(Request.objects.filter(rules.overdue_q(today=TODAY)).values_list("pk", flat=True))
    assert checked == queried
    # an issued withdrawal expected back yesterday: 1 of the 128
    assert len(checked) == 1


def _awaiting_fixtures(world: World) -> None:
    """Requests of every type and status in both units, raised and decided by various people
    (System Administrator included), so segregation of duties and units both matter."""
    people = [None, "sysadmin", "docmanager", "approver", "storehead", "storehead2"]
    for request_type, status, unit, requester, decider in itertools.product(
        Request.Type.values,
        Request.Status.values,
        [world.goa, world.kur],
        ["docmanager", "sysadmin"],
        people,
    ):
        Request.objects.create(
            number=f"REQ-A-{next(_numbers)}",
            request_type=request_type,
            status=status,
            unit=unit,
            target_unit=(world.kur if unit == world.goa else world.goa) if request_type == "transfer" else None,
            requester=world.user(requester if unit == world.goa else "docmanager2"),
            decided_by=world.user(decider) if decider else None,
            purpose="awaiting",
        )


def test_awaiting_action_check_and_q_agree_for_every_user_and_action(world: World) -> None:
    _awaiting_fixtures(world)
    requests = list(Request.objects.all())
    matched = 0
    for username, user in world.users.items():
        for action in access.AWAITED_REQUEST_ACTIONS:
            checked = {request.pk for request in requests if access.awaiting_action(user, request, action)}
            queried = set(Request.objects.filter(access.awaiting_action_q(user, action)).values_list("pk", flat=True))
            assert checked == queried, (username, action)
            matched += len(checked)
    assert matched > 0


def test_awaiting_action_keeps_segregation_of_duties_for_a_system_administrator(world: World) -> None:
    sysadmin = world.user("sysadmin")
    own = Request.objects.create(
        number="REQ-OWN", request_type="storage", status="submitted", unit=world.goa, requester=sysadmin, purpose="x"
    )
    decided = Request.objects.create(
        number="REQ-DEC",
        request_type="storage",
        status="approved",
        unit=world.goa,
        requester=world.user("docmanager"),
        decided_by=sysadmin,
        purpose="x",
    )
    assert not access.awaiting_action(sysadmin, own, "approve")
    assert not access.awaiting_action(sysadmin, decided, "execute")
    assert not Request.objects.filter(access.awaiting_action_q(sysadmin, "approve")).exists()
    assert not Request.objects.filter(access.awaiting_action_q(sysadmin, "execute")).exists()


def test_send_backs_awaiting_receipt_check_and_q_agree(world: World) -> None:
    for unit, status in itertools.product([world.goa, world.kur], SendBack.Status.values):
        request = Request.objects.create(
            number=f"REQ-S-{next(_numbers)}",
            request_type="withdrawal",
            status="issued",
            unit=unit,
            requester=world.user("docmanager" if unit == world.goa else "docmanager2"),
            purpose="sb",
        )
        SendBack.objects.create(
            number=f"SB-{next(_numbers)}",
            request=request,
            unit=unit,
            status=status,
            returned_by=request.requester,
        )
    sendbacks = list(SendBack.objects.all())
    expected = {"sysadmin": 2, "storehead": 1, "storehead2": 1}
    for username, user in world.users.items():
        checked = {sb.pk for sb in sendbacks if access.awaiting_action(user, sb, "receive_sendback")}
        queried = set(
            SendBack.objects.filter(access.awaiting_action_q(user, "receive_sendback")).values_list("pk", flat=True)
        )
        assert checked == queried, username
        assert len(checked) == expected.get(username, 0), username
