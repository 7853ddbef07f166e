"""A real Celery worker on the real Redis and PostgreSQL (docs/background.md): periodic work, exports,
e-mail sent once, and an export that survives its worker process being killed."""

import datetime
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from apps.crates.tasks import retention_scan
from apps.emails.models import EmailDelivery
from apps.emails.tasks import send_notification_email
from apps.notifications import services as notifications
from apps.notifications.models import Notification
from apps.reports.models import Report
from apps.reports.tasks import generate_report
from config.celery import app as celery_app
from tests.realtime.processes import Process, process_env, require_live_services
from tests.tasks.conftest import make_crate

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]


@dataclass
class Worker:
    process: Process
    queue: str
    media: Path
    mail: Path

    def child_pids(self) -> list[int]:
        pid = self.process.handle.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]


@pytest.fixture(scope="module")
def worker(django_db_setup: Any, tmp_path_factory: Any) -> Iterator[Worker]:
    require_live_services()
    root = tmp_path_factory.mktemp("worker")
    media, mail = root / "media", root / "mail"
    env = process_env(
        root,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail),
        DMS_MEDIA_ROOT=str(media),
        REPORT_CHUNK_SIZE="10",
        REPORT_CHUNK_PAUSE_SECONDS="0.3",  # slow enough to be killed half-way
    )
    queue = env["CELERY_TASK_DEFAULT_QUEUE"]
    process = Process(
        "celery-worker",
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1", "-Q", queue,
         "-n", f"{queue}@%h", "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env,
        root,
    )  # fmt: skip
    try:
        wait_for(lambda: " ready." in process.output() or process.handle.poll() is not None, 60)
        assert process.handle.poll() is None, process.output()
        yield Worker(process, queue, media, mail)
    finally:
        process.stop()


@pytest.fixture
def through_broker() -> Iterator[None]:
    """Tasks go to Redis for the worker (the package's conftest makes them eager)."""
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = False
    yield
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = True


def wait_for(condition: Callable[[], Any], timeout: float, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


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
