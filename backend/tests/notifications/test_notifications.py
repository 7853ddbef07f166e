from django.db import transaction

from apps.notifications import services
from apps.notifications.models import Notification
from tests.requests.conftest import PASSWORD, create_request, make_crate


def _titles(world, username):
    return list(Notification.objects.filter(user=world.user(username)).order_by("id").values_list("title", flat=True))


def test_workflow_notifies_approvers_requesters_and_store_heads(world):
    crate = make_crate(world)
    request = create_request(world, {"request_type": "storage", "purpose": "p", "items": [{"crate": crate.pk}]})
    number = request["number"]
    world.client("docmanager").post(f"/api/requests/{request['id']}/submit/")
    assert _titles(world, "approver") == [f"{number} awaits your approval"]
    assert _titles(world, "approver2") == []  # another unit's approver hears nothing
    assert _titles(world, "sysadmin") == []

    world.client("approver").post(f"/api/requests/{request['id']}/approve/", {"password": PASSWORD}, format="json")
    assert _titles(world, "docmanager") == [f"{number} was approved"]
    assert _titles(world, "storehead") == [f"{number} is approved and waits for execution"]

    world.client("storehead").post(
        f"/api/requests/{request['id']}/execute/",
        {"allocations": [{"crate": crate.pk, "location": world.shelf.pk}]},
        format="json",
    )
    assert _titles(world, "docmanager") == [f"{number} was approved", f"{number}: your crates are stored"]
    assert Notification.objects.get(user=world.user("storehead")).link == f"/requests/{request['id']}"


def test_notify_is_idempotent_by_dedupe_key(world):
    users = [world.user("docmanager"), world.user("approver")]
    with transaction.atomic():
        first = services.notify(users=users, title="t", body="b", link="/x", dedupe_key="k1")
        again = services.notify(users=users, title="t", body="b", link="/x", dedupe_key="k1")
    assert len(first) == 2
    assert again == []
    assert Notification.objects.count() == 2
    services.notify(users=users[:1], title="t", link="/x")
    services.notify(users=users[:1], title="t", link="/x")
    assert Notification.objects.count() == 4  # without a key every call notifies


def test_notification_api_lists_own_only_and_marks_read(world):
    services.notify(users=[world.user("docmanager")], title="mine", link="/a")
    services.notify(users=[world.user("docmanager")], title="mine too", link="/b")
    other = services.notify(users=[world.user("approver")], title="theirs", link="/c")[0]
    client = world.client("docmanager")

    response = client.get("/api/notifications/")
    assert [n["title"] for n in response.data["results"]] == ["mine too", "mine"]
    assert client.get(f"/api/notifications/{other.pk}/").status_code == 404
    assert client.post(f"/api/notifications/{other.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=other.pk).read_at is None

    first_id = response.data["results"][1]["id"]
    response = client.post(f"/api/notifications/{first_id}/read/")
    assert response.status_code == 200
    assert response.data["is_read"] is True
    assert [n["title"] for n in client.get("/api/notifications/?unread=true").data["results"]] == ["mine too"]
    assert client.get("/api/dashboard/").data["unread_notifications"] == 1

    response = client.post("/api/notifications/read-all/")
    assert response.status_code == 200
    assert response.data == {"marked_read": 1}
    assert client.get("/api/notifications/?unread=true").data["count"] == 0
    assert Notification.objects.get(pk=other.pk).read_at is None
