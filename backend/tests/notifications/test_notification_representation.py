"""The notifications list and one notification are built as plain dicts
(apps/notifications/representations.py): exactly what NotificationSerializer answers, read and
unread, filtered and searched; nobody sees another user's."""

import json
from typing import Any

from django.utils import timezone

from apps.core.renderers import ORJSONRenderer
from apps.notifications.models import Notification
from apps.notifications.serializers import NotificationSerializer
from tests.conftest import World


def _json(data: Any) -> Any:
    return json.loads(ORJSONRenderer().render(data))


def test_notification_reads_are_what_the_serializer_answers(world: World) -> None:
    mine = world.user("docmanager")
    Notification.objects.create(user=mine, title="Approved", body="REQ-1 was approved", link="/requests/1")
    Notification.objects.create(user=mine, title="Read one", read_at=timezone.now())
    Notification.objects.create(user=world.user("approver"), title="Not yours")
    client = world.client("docmanager")
    for query in ("", "?unread=true", "?unread=false", "?search=approved"):
        rows = client.get(f"/api/notifications/{query}").json()["results"]
        ids = [row["id"] for row in rows]
        expected = sorted(Notification.objects.filter(pk__in=ids), key=lambda n: ids.index(n.pk))
        assert rows == _json(NotificationSerializer(expected, many=True).data), query
    listed = client.get("/api/notifications/").json()["results"]
    assert sorted(row["title"] for row in listed) == ["Approved", "Read one"]
    for notification in Notification.objects.filter(user=mine):
        detail = client.get(f"/api/notifications/{notification.pk}/")
        assert detail.json() == _json(NotificationSerializer(notification).data)
    other = Notification.objects.get(title="Not yours")
    assert client.get(f"/api/notifications/{other.pk}/").status_code == 404
