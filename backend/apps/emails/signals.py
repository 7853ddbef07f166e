"""E-mail follows notifications (docs/background.md): each new notification is mailed to its user.

The direction is emails -> notifications: notifications announce what they created and know
nothing about delivery; this app subscribes. Receivers run after the commit.
"""

import logging
from typing import Any

from django.dispatch import receiver

from apps.core import domain_signals
from apps.emails import tasks
from apps.notifications.models import Notification

logger = logging.getLogger(__name__)


@receiver(domain_signals.notifications_created)
def email_new_notifications(
    sender: Any, *, notifications: list[Notification], action: str, email: bool = False, **kwargs: Any
) -> None:
    if action != "created" or not email:
        return
    ids = [notification.pk for notification in notifications if notification.user.email]
    if not ids:
        return
    try:
        # One task for the notifications of one change (an approval: the requester and every
        # Store Head of the unit), not one per notification: each publish costs the web process
        # a broker round trip (OPTIMIZATIONS.md §2.J). The task still sends each once.
        tasks.send_notification_emails.delay(ids)
    except Exception:  # a broker outage: the notifications are committed and shown; the e-mails are lost, logged
        logger.exception("could not queue the e-mails of notifications %s", ids)
