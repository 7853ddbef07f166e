from celery import shared_task

from apps.emails import services
from config.celery import RELIABLE


@shared_task(**RELIABLE)
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification; safe to run any number of times (sends once). Kept for the
    messages queued before `send_notification_emails` (one task per change) replaced it."""
    return services.notification_email(notification_id=notification_id)


@shared_task(**RELIABLE)
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail the notifications of one change, each to its user; safe to run any number of
    times (each is sent once: a retry after a failure sends only those not yet sent).
    Returns how many were sent now."""
    sent, failure = 0, None
    for pk in notification_ids:
        try:
            sent += services.notification_email(notification_id=pk)
        except Exception as error:  # one recipient's failure must not hold back the others' mail
            failure = failure or error
    if failure is not None:
        raise failure  # retried (RELIABLE) for the ones not sent: the sent ones are skipped
    return sent
