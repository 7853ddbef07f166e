"""What follows a notification change, and the alerts other apps raise through notifications.

Receivers run after the commit (apps.core.domain_signals); a notification is pushed to its
user's group only (docs/events.md).
"""

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from apps.audit import signals as audit_signals
from apps.audit.services import ChainVerification
from apps.auth.models import User
from apps.auth.selectors import system_administrators
from apps.core import broadcast, domain_signals
from apps.notifications import services
from apps.notifications.models import Notification


def _event(notification: Notification, action: str) -> tuple[list[str], dict[str, Any]]:
    return broadcast.entity_message(
        entity="notification",
        action=action,
        obj_id=notification.pk,
        unit_ids=[],
        user_ids=[notification.user_id],
        status="read" if notification.read_at else "unread",
        number="",
    )


@receiver(domain_signals.notification_changed)
def broadcast_notification_change(sender: Any, *, notification: Notification, action: str, **kwargs: Any) -> None:
    broadcast.send_on_commit(*_event(notification, action))


@receiver(domain_signals.notifications_created)
def broadcast_new_notifications(sender: Any, *, notifications: list[Notification], action: str, **kwargs: Any) -> None:
    # One event per notification, each to its own user's group, handed to the channel layer
    # in one batch (this receiver already runs after the commit).
    broadcast.send_many_now([_event(notification, action) for notification in notifications])


@receiver(domain_signals.notifications_read)
def broadcast_notifications_read(sender: Any, *, user_id: int, action: str, **kwargs: Any) -> None:
    # One event for all of them (id 0): the SPA reloads the user's notifications.
    broadcast.entity_changed(
        entity="notification", action=action, obj_id=0, unit_ids=[], user_ids=[user_id], status="read", number=""
    )


@receiver(audit_signals.chain_broken)
def alert_administrators_of_broken_chain(sender: Any, *, result: ChainVerification, **kwargs: Any) -> None:
    services.notify(
        users=list(system_administrators()),
        title=f"Audit trail integrity check failed at event #{result.first_broken_sequence}",
        body=f"{result.reason}. {result.checked} event(s) before it verified. Investigate before further use "
        "(21 CFR Part 11 §11.10(e)).",
        link="/audit",
        # One alert per broken event per day, however often the check runs.
        dedupe_key=f"audit-chain:{result.first_broken_sequence}:{timezone.localdate():%Y-%m-%d}",
    )


@receiver(domain_signals.account_locked)
def notify_account_locked(sender: Any, *, user: User, reason: str, cause: str = "sign-in", **kwargs: Any) -> None:
    """Part 11 §11.300(d): a lockout (after failed sign-ins, or wrong signature passwords:
    `cause` "signature") is reported to the account's owner (who may not have caused it) and
    to every System Administrator, in the app and by e-mail."""
    until = f"{user.locked_until:%Y-%m-%d %H:%M} UTC" if user.locked_until else "an administrator unlocks it"
    attempts = "wrong signature passwords" if cause == "signature" else "failed sign-ins"
    services.notify(
        users=[user],
        title=f"Your account was locked after repeated {attempts}",
        body=f"{reason}. It stays locked until {until}. If this was not you, tell your administrator.",
    )
    services.notify(
        users=list(system_administrators().exclude(pk=user.pk)),
        title=f"Account {user.username} was locked" + (f" after repeated {attempts}" if cause == "signature" else ""),
        body=f"{reason}. Locked until {until}. Unlock it under Administration > Users if it was its owner.",
        link="/administration/users",
    )
