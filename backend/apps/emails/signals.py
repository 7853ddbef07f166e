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


@receiver(domain_signals.notification_changed)
def email_new_notification(
    sender: Any, *, notification: Notification, action: str, email: bool = False, **kwargs: Any
) -> None:
    if action != "created" or not email or not notification.user.email:
        return
    try:
        tasks.send_notification_email.delay(notification.pk)
    except Exception:  # a broker outage: the notification is committed and shown; the e-mail is lost, logged
        logger.exception("could not queue the e-mail of notification %s", notification.pk)
