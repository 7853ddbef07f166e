"""What follows a schedule change, after the commit: its recompute is queued (docs/background.md)."""

import logging
from typing import Any

from django.dispatch import receiver

from apps.core import domain_signals
from apps.retention import tasks
from apps.retention.models import RetentionRecompute

logger = logging.getLogger(__name__)


@receiver(domain_signals.retention_recompute_requested)
def queue_retention_recompute(sender: Any, *, recompute: RetentionRecompute, **kwargs: Any) -> None:
    try:
        tasks.recompute_retention.delay(recompute.pk)
    except Exception:  # a broker outage leaves it pending (logged); the next schedule save re-queues
        logger.exception("could not queue retention recompute %s", recompute.pk)
