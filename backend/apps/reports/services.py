"""Background exports (docs/background.md): request, generate in chunks with progress, download.

Generation is idempotent: the file is written to `<name>.part` and renamed into place only
when complete, and a run that finds its report already done does nothing. A worker that dies
mid-export (the task is `acks_late` + `reject_on_worker_lost`) hands the task back to the
queue; the next run starts the file again from the first row and completes the report once.
When the whole worker dies, its unacknowledged message only returns after the broker's
visibility timeout, so each run beats (`heartbeat_at`) at every chunk and a beat job
(`reports_reclaim_stale`) re-queues or fails a report whose beat stopped, within minutes.
"""

import logging
import os
import time
import uuid
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.audit import services as audit
from apps.auth import roles
from apps.core import broadcast, domain_signals
from apps.core.errors import ApplicationError, field_error
from apps.notifications import services as notifications
from apps.policy import access
from apps.reports.models import Report
from apps.reports.selectors import SOURCES
from apps.reports.writers import WRITERS

logger = logging.getLogger(__name__)


def reports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / settings.REPORTS_DIR


def report_path(report: Report) -> Path:
    return reports_root() / f"report-{report.pk}.{report.format}"


def download_name(report: Report) -> str:
    return f"{report.report}-{report.created_at:%Y%m%d-%H%M%S}-{report.pk}.{report.format}"


def _clean_filters(kind: str, filters: dict[str, Any]) -> dict[str, Any]:
    parsers = SOURCES[kind].filters
    unknown = sorted(set(filters) - set(parsers))
    if unknown:
        raise field_error("filters", f"Unknown filter(s) for this report: {', '.join(unknown)}.")
    cleaned = {}
    for name, value in filters.items():
        if value in (None, ""):
            continue
        try:
            cleaned[name] = parsers[name](value)
        except (TypeError, ValueError) as error:
            raise field_error("filters", f"Invalid value for {name}: {value!r}.") from error
    return cleaned


@transaction.atomic
def report_request(*, user: Any, report: str, format: str, filters: dict[str, Any] | None = None) -> Report:
    """Queue an export of the user's scope; the audit export needs audit-read rights."""
    if report == Report.Kind.AUDIT and not user.has_perm(roles.READ_AUDIT):
        raise ApplicationError("Your role does not allow reading the audit trail.", code="permission_denied")
    cleaned = _clean_filters(report, filters or {})
    unit_id = cleaned.pop("unit", None)
    if not user.is_system_admin:
        if unit_id is not None and not access.belongs_to_unit(user, unit_id):
            raise field_error("filters", "You can only export data of your own unit.")
        unit_id = user.unit_id
    instance = Report.objects.create(user=user, unit_id=unit_id, report=report, format=format, filters=cleaned)
    audit.record(
        action="report.requested",
        instance=instance,
        changes={"report": [None, report], "format": [None, format], "filters": [None, cleaned]},
        actor=user,
    )
    # apps.reports.signals queues the generation once this commits.
    domain_signals.report_changed.send_on_commit(sender=Report, report=instance, action="created")
    return instance


def _push(report: Report) -> None:
    broadcast.send_now(
        [broadcast.user_group(report.user_id)],
        {
            "type": "report.progress",
            "id": report.pk,
            "status": report.status,
            "done": report.done,
            "total": report.total,
            "user": report.user_id,
        },
    )


def _save(report: Report, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(report, name, value)
    Report.objects.filter(pk=report.pk).update(**fields)
    _push(report)


class RunSuperseded(Exception):
    """This run was given up on (its heartbeat looked dead) and the report handed to another."""


def _beat(report: Report, run_id: str, **fields: Any) -> None:
    """Save progress as this run, proving it alive; stop if the report now belongs to another run."""
    fields["heartbeat_at"] = timezone.now()
    if not Report.objects.filter(pk=report.pk, run_id=run_id).update(**fields):
        raise RunSuperseded(f"report {report.pk} was re-queued while run {run_id} was late")
    for name, value in fields.items():
        setattr(report, name, value)
    _push(report)


def report_generate(*, report_id: int) -> Report | None:
    """Write the report's file in chunks, updating done/total and pushing progress."""
    report = Report.objects.select_related("user").filter(pk=report_id).first()
    if report is None:
        logger.warning("report %s no longer exists", report_id)
        return None
    if report.status == Report.Status.DONE and report_path(report).exists():
        return report  # a redelivered or repeated task: already complete
    if report.status == Report.Status.FAILED and report.attempts >= settings.REPORT_MAX_ATTEMPTS:
        return report  # given up on (and the user told); a late redelivery must not revive it
    source = SOURCES[report.report]
    rows = source.rows(report)
    chunk_size = max(int(settings.REPORT_CHUNK_SIZE), 1)
    pause = float(settings.REPORT_CHUNK_PAUSE_SECONDS)
    # Claim the report for this run: the last run to start owns it (a redelivered task and a
    # re-queued one may overlap; the earlier one stops at its next beat).
    run_id = uuid.uuid4().hex
    Report.objects.filter(pk=report.pk).update(attempts=F("attempts") + 1, run_id=run_id)
    report.attempts += 1
    report.run_id = run_id
    _beat(report, run_id, status=Report.Status.RUNNING, done=0, total=rows.count(), error="", file="", finished_at=None)

    final = report_path(report)
    final.parent.mkdir(parents=True, exist_ok=True)
    for stale in final.parent.glob(final.name + ".*.part"):  # left by a worker that was killed
        stale.unlink(missing_ok=True)
    partial = final.with_name(final.name + f".{os.getpid()}.{run_id[:8]}.part")
    try:
        with WRITERS[report.format](partial, source.title) as writer:
            writer.writerow(source.headers)
            iterator = rows.iterator(chunk_size=chunk_size)
            while chunk := list(islice(iterator, chunk_size)):
                for row in chunk:
                    writer.writerow(row)
                _beat(report, run_id, done=report.done + len(chunk))
                if pause:
                    time.sleep(pause)
        os.replace(partial, final)  # atomic: the download never sees a half-written file
    finally:
        partial.unlink(missing_ok=True)
    _beat(
        report,
        run_id,
        status=Report.Status.DONE,
        total=max(report.total, report.done),
        file=str(final.relative_to(Path(settings.MEDIA_ROOT))),
        finished_at=timezone.now(),
    )
    logger.info("report %s done: %d row(s)", report.pk, report.done)
    return report


def report_fail(*, report_id: int, error: BaseException) -> None:
    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        return
    _save(
        report, status=Report.Status.FAILED, error=f"{type(error).__name__}: {error}"[:2000], finished_at=timezone.now()
    )


def reports_reclaim_stale(*, now: datetime | None = None) -> dict[str, int]:
    """Hand back the exports whose worker died (docs/background.md): a report still `pending` or
    `running` whose run has not beaten for REPORT_STALE_SECONDS is re-queued, or marked
    `failed` once it has used REPORT_MAX_ATTEMPTS runs; its user sees the change (progress
    event, and a notification when it fails). Run by Celery Beat every minute."""
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.REPORT_STALE_SECONDS)
    candidates = Report.objects.filter(
        Q(status=Report.Status.RUNNING, heartbeat_at__lt=stale_before)
        | Q(status=Report.Status.PENDING, heartbeat_at__lt=stale_before)
        | Q(status=Report.Status.PENDING, heartbeat_at__isnull=True, created_at__lt=stale_before)
    ).values_list("pk", flat=True)
    counts = {"requeued": 0, "failed": 0}
    for report_id in list(candidates[:500]):
        outcome = _reclaim(report_id, stale_before=stale_before, now=now)
        if outcome:
            counts[outcome] += 1
    return counts


@transaction.atomic
def _reclaim(report_id: int, *, stale_before: datetime, now: datetime) -> str | None:
    # skip_locked: two beat runs (or a run saving progress right now) never wait on each other.
    report = Report.objects.select_for_update(skip_locked=True).filter(pk=report_id).first()
    if report is None or report.status not in (Report.Status.PENDING, Report.Status.RUNNING):
        return None
    last_sign = report.heartbeat_at or report.created_at
    if last_sign >= stale_before:
        return None  # it beat again meanwhile
    if report.attempts >= settings.REPORT_MAX_ATTEMPTS:
        report.status = Report.Status.FAILED
        report.error = (
            f"The export stopped {report.attempts} time(s) without finishing (its worker was lost). "
            "Request it again, or ask an administrator to check the background workers."
        )
        report.finished_at = now
        report.run_id = ""
        report.save(update_fields=["status", "error", "finished_at", "run_id"])
        audit.record(action="report.failed", instance=report, comment=report.error, actor=None)
        notifications.notify(
            users=[report.user],
            title=f"Your {report.get_report_display().lower()} export failed",
            body=report.error,
            link="/reports",
            dedupe_key=f"report-failed:{report.pk}",
        )
        transaction.on_commit(lambda: _push(report))
        return "failed"
    report.status = Report.Status.PENDING
    report.run_id = ""  # a late run of the dead worker stops at its next beat
    report.heartbeat_at = now
    report.save(update_fields=["status", "run_id", "heartbeat_at"])
    audit.record(
        action="report.requeued",
        instance=report,
        comment=f"no progress since {last_sign.isoformat()}; attempt {report.attempts + 1}",
        actor=None,
    )

    transaction.on_commit(lambda: _push(report), robust=True)
    # apps.reports.signals queues the generation again once this commits.
    domain_signals.report_changed.send_on_commit(sender=Report, report=report, action="requeued")
    return "requeued"


def report_download(*, user: Any, report: Report) -> Path:
    """The finished file; audited (an export leaving the system is a GxP event)."""
    path = report_path(report)
    if report.status != Report.Status.DONE or not path.exists():
        raise ApplicationError(f"The report is {report.status}, not ready for download.", code="invalid_transition")
    audit.record(action="report.downloaded", instance=report, comment=download_name(report), actor=user)
    return path
