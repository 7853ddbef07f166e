"""A real Celery worker on the real Redis and PostgreSQL (docs/background.md): periodic work, exports,
e-mail sent once, and an export that survives its worker process being killed."""

import datetime
import os
import signal
from typing import Any

import pytest

from apps.crates.tasks import retention_scan
from apps.emails.models import EmailDelivery
from apps.emails.tasks import send_notification_email
from apps.notifications import services as notifications
from apps.notifications.models import Notification
from apps.reports.models import Report
from apps.reports.tasks import generate_report
from tests.tasks.conftest import make_crate
from tests.tasks.worker import Worker, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_retention_scan(world: Any, worker: Worker, through_broker: None) -> None:
    crate = make_crate(world, retention_until=datetime.date.today())
    retention_scan.apply_async(queue=worker.queue)
    wait_for(lambda: Notification.objects.filter(user=world.user("docmanager")).exists(), 30)
    note = Notification.objects.get(user=world.user("docmanager"))
    assert note.title == f"Crate {crate.number} has reached its retention date"
    assert Notification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_worker_writes_an_export(world: Any, worker: Worker, through_broker: None) -> None:
    crates = [make_crate(world) for _ in range(4)]
    report = Report.objects.create(user=world.user("viewer"), unit=world.goa, report="inventory", format="csv")
    generate_report.apply_async((report.pk,), queue=worker.queue)
    wait_for(lambda: Report.objects.get(pk=report.pk).status == "done", 30)
    report.refresh_from_db()
    assert (report.done, report.total, report.file) == (4, 4, f"reports/report-{report.pk}.csv")
    lines = (worker.media / report.file).read_text(encoding="utf-8-sig").splitlines()
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(crate.number for crate in crates)


@pytest.mark.django_db(transaction=True)
def test_an_email_task_executed_twice_sends_one_email(world: Any, worker: Worker, through_broker: None) -> None:
    (first,) = notifications.notify(users=[world.user("approver")], title="REQ-9 awaits approval", email=False)
    (second,) = notifications.notify(users=[world.user("storehead")], title="REQ-9 to execute", email=False)
    send_notification_email.apply_async((first.pk,), queue=worker.queue)
    send_notification_email.apply_async((first.pk,), queue=worker.queue)
    send_notification_email.apply_async((second.pk,), queue=worker.queue)  # one at a time, in order: the marker
    wait_for(lambda: EmailDelivery.objects.filter(notification=second, sent_at__isnull=False).exists(), 30)
    assert EmailDelivery.objects.filter(sent_at__isnull=False).count() == 2
    messages = [path.read_text() for path in worker.mail.iterdir()]
    assert sum("REQ-9 awaits approval" in text for text in messages) == 1
    assert sum("REQ-9 to execute" in text for text in messages) == 1


@pytest.mark.django_db(transaction=True)
def test_an_export_whose_worker_process_is_killed_completes_once_after_restart(
    world: Any, worker: Worker, through_broker: None
) -> None:
    crates = [make_crate(world) for _ in range(60)]
    report = Report.objects.create(user=world.user("viewer"), unit=world.goa, report="inventory", format="csv")
    generate_report.apply_async((report.pk,), queue=worker.queue)
    wait_for(lambda: Report.objects.get(pk=report.pk).done >= 20, 30, interval=0.05)
    (child,) = worker.child_pids()
    os.kill(child, signal.SIGKILL)  # mid-export: the task was not acknowledged (acks_late)

    wait_for(lambda: worker.child_pids() and worker.child_pids() != [child], 30)  # the pool restarts the process
    wait_for(lambda: Report.objects.get(pk=report.pk).status == "done", 60)
    report.refresh_from_db()
    assert (report.status, report.done, report.total) == ("done", 60, 60)
    lines = (worker.media / report.file).read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 61  # header + each crate once: the rerun started the file afresh
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(crate.number for crate in crates)
    assert sorted(path.name for path in (worker.media / "reports").iterdir() if str(report.pk) in path.name) == [
        f"report-{report.pk}.csv"
    ]
    assert "WorkerLostError" in worker.process.output()
