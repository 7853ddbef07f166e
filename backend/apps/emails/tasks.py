from celery import shared_task
from django.db import transaction

from apps.emails import services
from config.celery import RELIABLE


@shared_task(**RELIABLE)
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification; safe to run any number of times (sends once)."""
    return services.notification_email(notification_id=notification_id)


def queue_notification_email(notification_id: int) -> None:
    """Queue the e-mail once the caller's transaction commits. `robust`: if the broker (or, when
    eager, the mail server) fails, the error is logged and the committed write still answers."""

    def queue_email() -> None:  # a named function: Django logs a robust callback's __qualname__
        send_notification_email.delay(notification_id)

    transaction.on_commit(queue_email, robust=True)
