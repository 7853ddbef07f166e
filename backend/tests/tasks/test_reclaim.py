"""Worker death (docs/background.md): an export whose run stopped beating is re-queued, or failed after
REPORT_MAX_ATTEMPTS runs with its user told; a live run is left alone; a run that was given
up on stops instead of overwriting the report."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.notifications.models import Notification
from apps.reports import services, tasks
from apps.reports.models import Report
from tests.tasks.conftest import make_crate

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.timedelta(minutes=10)


def stale_report(world: Any, *, status: str = Report.Status.RUNNING, attempts: int = 1) -> Report:
    report = Report.objects.create(
        user=world.user("viewer"), unit=world.goa, report="inventory", format="csv", status=status, attempts=attempts
    )
    Report.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now() - LONG_AGO, run_id="dead-worker", done=7)
    return report


def test_a_report_whose_worker_died_is_requeued_and_completes(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    crates = [make_crate(world) for _ in range(3)]
    report = stale_report(world)

    with django_capture_on_commit_callbacks(execute=True):  # the re-queued task runs eagerly
        counts = tasks.reclaim_stale_reports.delay().get()

    assert counts == {"requeued": 1, "failed": 0}
    report.refresh_from_db()
    assert (report.status, report.done, report.total, report.attempts) == ("done", len(crates), len(crates), 2)
    event = AuditEvent.objects.get(action="report.requeued")
    assert (event.entity_id, event.actor_id) == (str(report.pk), None)


def test_a_report_pending_since_its_queueing_failed_is_requeued(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    report = Report.objects.create(user=world.user("viewer"), unit=world.goa, report="inventory", format="csv")
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - LONG_AGO)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_reclaim_stale() == {"requeued": 1, "failed": 0}

    assert Report.objects.get(pk=report.pk).status == "done"


def test_after_its_last_attempt_a_report_is_failed_and_its_user_told(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    report = stale_report(world, attempts=3)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_reclaim_stale() == {"requeued": 0, "failed": 1}

    report.refresh_from_db()
    assert report.status == "failed"
    assert report.error.startswith("The export stopped 3 time(s) without finishing")
    assert report.finished_at is not None
    note = Notification.objects.get()
    assert (note.user, note.title, note.link) == (world.user("viewer"), "Your inventory export failed", "/reports")
    assert AuditEvent.objects.filter(action="report.failed", entity_id=str(report.pk)).count() == 1
    # A late redelivery of the dead worker's task does not revive it.
    tasks.generate_report.delay(report.pk)
    assert Report.objects.get(pk=report.pk).status == "failed"


def test_a_running_report_that_beats_and_a_fresh_pending_one_are_left_alone(world: Any) -> None:
    running = Report.objects.create(
        user=world.user("viewer"), report="inventory", format="csv", status="running", heartbeat_at=timezone.now()
    )
    pending = Report.objects.create(user=world.user("viewer"), report="inventory", format="csv")

    assert services.reports_reclaim_stale() == {"requeued": 0, "failed": 0}

    assert Report.objects.get(pk=running.pk).status == "running"
    assert Report.objects.get(pk=pending.pk).status == "pending"
    assert not AuditEvent.objects.filter(action__in=["report.requeued", "report.failed"]).exists()


def test_a_run_that_was_given_up_on_stops_without_touching_the_report(
    world: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.REPORT_CHUNK_SIZE = 1
    for _ in range(3):
        make_crate(world)
    report = Report.objects.create(user=world.user("viewer"), report="inventory", format="csv")
    pushed = []

    def push(current: Report) -> None:
        pushed.append(current.done)
        if current.done == 1:  # meanwhile the beat job handed the report to another run
            Report.objects.filter(pk=current.pk).update(run_id="the-new-run", status="pending", done=0)

    monkeypatch.setattr(services, "_push", push)

    assert tasks.generate_report.delay(report.pk).get() == "superseded"

    report.refresh_from_db()
    assert (report.status, report.run_id, report.done, report.error) == ("pending", "the-new-run", 0, "")
    assert pushed == [0, 1]
