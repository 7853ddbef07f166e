"""Background recompute of a changed retention schedule (docs/background.md)."""

import logging

from celery import shared_task

from apps.retention import services
from config.celery import RELIABLE

logger = logging.getLogger(__name__)


@shared_task(**RELIABLE)
def recompute_retention(recompute_id: int) -> str:
    """Idempotent: a retried or repeated run recomputes the same values again."""
    try:
        return services.retention_recompute_run(recompute_id=recompute_id).status
    except Exception as error:
        logger.exception("retention recompute %s failed", recompute_id)
        services.retention_recompute_fail(recompute_id=recompute_id, error=error)
        raise
