import pytest

from apps.core import broadcast
from tests.requests.conftest import approved_request, stored_crate


@pytest.fixture
def sent(monkeypatch):
    messages: broadcast.Batch = []  # each event with its groups, in the order sent
    monkeypatch.setattr(broadcast, "send_many_now", messages.extend)
    return messages


def test_transfer_events_reach_both_units_after_commit(world, sent, django_capture_on_commit_callbacks):
    crate = stored_crate(world)
    with django_capture_on_commit_callbacks(execute=True):
        request = approved_request(
            world,
            {"request_type": "transfer", "purpose": "x", "target_unit": world.kur.pk, "items": [{"crate": crate.pk}]},
        )
    request_events = [(groups, m) for groups, m in sent if m.get("entity") == "request"]
    assert [(m["action"], m["status"]) for _, m in request_events] == [
        ("created", "draft"),
        ("updated", "submitted"),
        ("updated", "approved"),
    ]
    # The draft is its author's alone (docs/roles.md); from submission on, both units hear.
    draft_groups, draft = request_events[0]
    assert draft_groups == [f"user_{world.user('docmanager').pk}"]
    assert draft["visible_units"] == [] and draft["visible_users"] == [world.user("docmanager").pk]
    for groups, message in request_events[1:]:
        assert groups == [f"unit_{world.goa.pk}", f"unit_{world.kur.pk}"]
        assert message["number"] == request["number"]
        assert message["visible_units"] == [world.goa.pk, world.kur.pk]
    notification_events = [(groups, m) for groups, m in sent if m.get("entity") == "notification"]
    assert {tuple(groups) for groups, _ in notification_events} == {
        (f"user_{world.user('approver').pk}",),
        (f"user_{world.user('docmanager').pk}",),
        (f"user_{world.user('storehead').pk}",),
    }


def test_refused_transition_broadcasts_nothing(world, sent, django_capture_on_commit_callbacks):
    crate = stored_crate(world)
    request = approved_request(
        world, {"request_type": "transfer", "purpose": "x", "target_unit": world.kur.pk, "items": [{"crate": crate.pk}]}
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = world.client("docmanager").post(f"/api/requests/{request['id']}/submit/")
    assert response.status_code == 409
    assert callbacks == []
    assert sent == []
