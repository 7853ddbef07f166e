"""The user's notifications as plain dicts for the list the SPA polls on every page (the bell)
and for one notification: the same JSON as NotificationSerializer (a test compares them),
without building the serializer's fields per request."""

from typing import Any

from apps.core.representations import iso_datetime as _datetime


def notification_row(notification: Any) -> dict[str, Any]:
    """NotificationSerializer's answer."""
    return {
        "id": notification.pk,
        "title": notification.title,
        "body": notification.body,
        "link": notification.link,
        "created_at": _datetime(notification.created_at),
        "read_at": _datetime(notification.read_at),
        "is_read": notification.read_at is not None,
    }
