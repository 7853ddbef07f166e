"""What follows a report change: a requested export is queued for generation after the commit."""

import logging
from typing import Any

from django.dispatch import receiver

from apps.core import domain_signals
from apps.reports import tasks
from apps.reports.models import Report

logger = logging.getLogger(__name__)


@receiver(domain_signals.report_changed)
def queue_requested_report(sender: Any, *, report: Report, action: str, **kwargs: Any) -> None:
    # created: requested by a user; requeued: its worker died (services.reports_reclaim_stale).
    if action not in ("created", "requeued"):
        return
    try:
        tasks.generate_report.delay(report.pk)
    except Exception:  # a broker outage leaves the report pending (logged) instead of failing the request
        logger.exception("could not queue report %s", report.pk)
