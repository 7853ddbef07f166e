"""In-app notifications (docs/domain.md, docs/api.md): created in the caller's transaction, pushed on commit.

`notify` is the one entry point. It announces each new notification with the domain signal
`notification_changed`; the receivers push it to the user's browsers (apps.notifications.signals)
and e-mail it (docs/background.md, apps.emails.signals), so neither the workflow nor this module knows
about e-mail.
"""

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.auth.models import User
from apps.core import domain_signals
from apps.notifications.models import Notification


@transaction.atomic
def notify(
    *, users: Iterable[User], title: str, body: str = "", link: str = "", dedupe_key: str = "", email: bool = True
) -> list[Notification]:
    """Notify each user once; with a `dedupe_key`, a user already holding that key is skipped
    (an idempotent task or a retried transition notifies once).

    With `email` (the default) each new notification is also e-mailed to its user after the
    transaction commits (docs/background.md; apps.emails sends each one at most once)."""
    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    if dedupe_key:
        existing = set(
            Notification.objects.filter(user_id__in=recipients, dedupe_key=dedupe_key).values_list("user_id", flat=True)
        )
        recipients = {pk: user for pk, user in recipients.items() if pk not in existing}
    created = []
    for user in recipients.values():
        notification = Notification(user=user, title=title[:200], body=body, link=link[:300], dedupe_key=dedupe_key)
        try:
            # A savepoint: a concurrent twin with the same key loses quietly, not the whole write.
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            continue
        created.append(notification)
        domain_signals.notification_changed.send_on_commit(
            sender=Notification, notification=notification, action="created", email=email
        )
    return created


@transaction.atomic
def notification_mark_read(*, notification: Notification, user: Any) -> Notification:
    notification = Notification.objects.select_for_update().get(pk=notification.pk, user=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        domain_signals.notification_changed.send_on_commit(
            sender=Notification, notification=notification, action="updated", email=False
        )
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: Any) -> int:
    now = timezone.now()
    updated = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=now)
    if updated:
        domain_signals.notifications_read.send_on_commit(sender=Notification, user_id=user.pk, action="updated")
    return updated


def notifications_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)
