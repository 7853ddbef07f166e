from celery import shared_task

from apps.emails import services
from config.celery import RELIABLE


@shared_task(**RELIABLE)
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification; safe to run any number of times (sends once)."""
    return services.notification_email(notification_id=notification_id)
