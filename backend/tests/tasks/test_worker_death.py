"""A whole Celery worker killed mid-export (SIGKILL to the main process and its pool, as
`kill -9` or an OOM kill does): its unacknowledged task would only come back after the
broker's visibility timeout, so the beat job reclaims the report from its stopped heartbeat
and a new worker completes it within minutes."""

import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from apps.audit.models import AuditEvent
from apps.reports import services
from apps.reports.models import Report
from apps.reports.tasks import generate_report
from config.celery import app as celery_app
from tests.realtime.processes import Process, process_env, require_live_services
from tests.tasks.conftest import make_crate

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def wait_for(condition: Callable[[], Any], timeout: float, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def start_worker(name: str, env: dict[str, str], root: Path, queues: str) -> Process:
    worker = Process(
        name,
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1", "-Q", queues,
         "-n", f"{name}-{os.getpid()}@%h", "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env,
        root,
    )  # fmt: skip
    wait_for(lambda: " ready." in worker.output() or worker.handle.poll() is not None, 60)
    assert worker.handle.poll() is None, worker.output()
    return worker


def test_an_export_whose_whole_worker_was_killed_is_reclaimed_and_completed(
    world: Any, tmp_path: Path, settings: Any
) -> None:
    require_live_services()
    media = tmp_path / "media"
    env = process_env(tmp_path, DMS_MEDIA_ROOT=str(media), REPORT_CHUNK_SIZE="5", REPORT_CHUNK_PAUSE_SECONDS="0.3")
    # The second worker also takes this process's default queue, where the reclaim re-queues.
    queues = f"{env['CELERY_TASK_DEFAULT_QUEUE']},{django_settings.CELERY_TASK_DEFAULT_QUEUE}"
    settings.REPORT_STALE_SECONDS = 2
    settings.MEDIA_ROOT = str(media)
    crates = [make_crate(world) for _ in range(60)]
    report = Report.objects.create(user=world.user("viewer"), unit=world.goa, report="inventory", format="csv")
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = False
    first = start_worker("worker-doomed", env, tmp_path, env["CELERY_TASK_DEFAULT_QUEUE"])
    second = None
    try:
        generate_report.apply_async((report.pk,), queue=env["CELERY_TASK_DEFAULT_QUEUE"])
        wait_for(lambda: Report.objects.get(pk=report.pk).done >= 10, 30, interval=0.05)
        os.killpg(first.handle.pid, signal.SIGKILL)  # the main process and its pool child at once
        first.handle.wait(10)

        second = start_worker("worker-next", env, tmp_path, queues)
        time.sleep(2)
        # The message of the dead worker is not redelivered (visibility timeout): still running.
        assert Report.objects.get(pk=report.pk).status == "running"

        time.sleep(django_settings.REPORT_STALE_SECONDS)
        assert services.reports_reclaim_stale() == {"requeued": 1, "failed": 0}

        wait_for(lambda: Report.objects.get(pk=report.pk).status == "done", 60)
        report.refresh_from_db()
        assert (report.done, report.total, report.attempts) == (60, 60, 2)
        lines = (media / report.file).read_text(encoding="utf-8-sig").splitlines()
        assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(crate.number for crate in crates)
        assert AuditEvent.objects.filter(action="report.requeued", entity_id=str(report.pk)).count() == 1
    finally:
        celery_app.conf.CELERY_TASK_ALWAYS_EAGER = True
        if second is not None:
            second.stop()
        first.stop()
