"""A real Celery worker for tests (docs/background.md): a subprocess on the real Redis with a
queue and channel-layer prefix of its own, sharing the pytest test database (tests that use it
are `transaction=True`, so what they write is committed and visible to the worker).

Use it from a test module with `from tests.tasks.worker import worker, to_the_worker`
(fixtures), then queue work as the code does; `wait_for` polls the database for the outcome.
"""

import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from config.celery import app as celery_app
from tests.realtime.processes import Process, process_env, require_live_services


@dataclass
class Worker:
    process: Process
    queue: str
    channel_prefix: str
    media: Path
    mail: Path

    def child_pids(self) -> list[int]:
        pid = self.process.handle.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]


def wait_for(condition: Callable[[], Any], timeout: float, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


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
        yield Worker(process, queue, env["CHANNEL_LAYER_PREFIX"], media, mail)
    finally:
        process.stop()


@pytest.fixture
def through_broker() -> Iterator[None]:
    """Tasks go to Redis for the worker (tests/conftest.py makes them eager)."""
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = False
    yield
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def to_the_worker(worker: Worker, through_broker: None) -> Iterator[Worker]:
    """What the code under test queues itself (`task.delay()`, after its commit) goes to the
    worker's queue: the default queue of this process, switched for the test."""
    previous = celery_app.conf.task_default_queue
    # The app reads Django settings under the CELERY_ namespace: set the namespaced key.
    celery_app.conf.CELERY_TASK_DEFAULT_QUEUE = worker.queue
    assert celery_app.conf.task_default_queue == worker.queue
    yield worker
    celery_app.conf.CELERY_TASK_DEFAULT_QUEUE = previous
