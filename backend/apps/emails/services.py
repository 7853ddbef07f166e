"""Sending e-mail once (docs/background.md) and the messages that mirror notifications."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from apps.emails.models import EmailDelivery
from apps.notifications.models import Notification

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[Cipla DMS] "


def spa_url(link: str) -> str:
    """An absolute link into the SPA for a notification's relative link."""
    base = settings.SPA_BASE_URL.rstrip("/")
    if not link:
        return base + "/"
    if link.startswith(("http://", "https://")):
        return link
    return base + (link if link.startswith("/") else "/" + link)


def send_once(*, dedupe_key: str, to: str, subject: str, body: str, notification_id: int | None = None) -> bool:
    """Send the message unless one with `dedupe_key` was already sent; True if sent now.

    The delivery row is locked while the message goes out, so two runs of the same task (a
    retry, a redelivery after a worker was lost) send one message. If sending fails the
    transaction rolls back and a retry tries again.
    """
    with transaction.atomic():
        EmailDelivery.objects.bulk_create(
            [
                EmailDelivery(
                    dedupe_key=dedupe_key, recipient=to, subject=subject[:300], notification_id=notification_id
                )
            ],
            ignore_conflicts=True,
        )
        delivery = EmailDelivery.objects.select_for_update().get(dedupe_key=dedupe_key)
        if delivery.sent_at is not None:
            logger.info("e-mail %s already sent at %s", dedupe_key, delivery.sent_at.isoformat())
            return False
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["sent_at"])
    return True


def notification_email(*, notification_id: int) -> bool:
    """E-mail a notification to its user (with a link into the SPA); True if sent now."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or not notification.user.is_active or not notification.user.email:
        return False
    name = notification.user.full_name or notification.user.username
    body = "\n\n".join(
        part
        for part in (
            f"Dear {name},",
            notification.title,
            notification.body,
            f"Open in Cipla DMS: {spa_url(notification.link)}",
            "This message was sent by Cipla DMS. Please do not reply.",
        )
        if part
    )
    return send_once(
        dedupe_key=f"notification:{notification.pk}",
        to=notification.user.email,
        subject=SUBJECT_PREFIX + notification.title,
        body=body,
        notification_id=notification.pk,
    )
