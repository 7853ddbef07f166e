import logging
from typing import Any

from celery import shared_task

from apps.reports import services
from config.celery import RELIABLE, TRANSIENT_ERRORS

logger = logging.getLogger(__name__)

OPTIONS: dict[str, Any] = {key: value for key, value in RELIABLE.items() if key != "autoretry_for"}


@shared_task(bind=True, **OPTIONS)
def generate_report(self: Any, report_id: int) -> str:
    """Write one export. Transient failures retry with backoff (the file starts again); any
    other failure, or the last retry, marks the report failed."""
    try:
        report = services.report_generate(report_id=report_id)
    except services.RunSuperseded:
        logger.warning("report %s: this run was superseded by a re-queued one; stopping", report_id)
        return "superseded"
    except TRANSIENT_ERRORS as error:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise self.retry(exc=error, countdown=min(5 * 2**self.request.retries, 600)) from error
        logger.exception("report %s failed", report_id)
        services.report_fail(report_id=report_id, error=error)
        return "failed"
    except Exception as error:  # a bug or bad data: the user sees "failed", the log has the trace
        logger.exception("report %s failed", report_id)
        services.report_fail(report_id=report_id, error=error)
        return "failed"
    return report.status if report is not None else "missing"


@shared_task(**RELIABLE)
def reclaim_stale_reports() -> dict[str, int]:
    """Beat, every minute: re-queue or fail the exports whose worker died."""
    return services.reports_reclaim_stale()
