"""GET /metrics: Prometheus text with the figures operators alert on, only for loopback or a
bearer token; correct when several processes count (multiprocess mode)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from config.celery import app as celery_app
from tests.conftest import World, is_postgres

BACKEND_DIR = Path(__file__).resolve().parents[2]


def scrape(client: Any = None, **extra: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = (client or APIClient()).get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_and_timed_per_view_and_status(world: World) -> None:
    labels = {"view": "health", "method": "GET", "status": "200"}
    before = scrape()

    assert APIClient().get("/api/health/").status_code == 200
    assert APIClient().get("/api/health/").status_code == 200
    assert world.client(None).get("/api/auth/me/").status_code == 401
    after = scrape()

    assert value(after, "dms_http_requests_total", **labels) - value(before, "dms_http_requests_total", **labels) == 2
    assert (
        value(after, "dms_http_request_duration_seconds_count", **labels)
        - value(before, "dms_http_request_duration_seconds_count", **labels)
        == 2
    )
    assert value(after, "dms_http_request_duration_seconds_bucket", le="+Inf", **labels) == value(
        after, "dms_http_request_duration_seconds_count", **labels
    )
    me = {"view": "me", "method": "GET", "status": "401"}
    assert value(after, "dms_http_requests_total", **me) - value(before, "dms_http_requests_total", **me) == 1


@pytest.mark.skipif(not is_postgres(), reason="the connection pool exists on PostgreSQL only")
def test_database_pool_use_is_reported(world: World) -> None:
    APIClient().get("/api/health/")

    samples = scrape()

    assert (
        value(samples, "dms_db_pool_max_connections")
        == django_settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]
    )
    assert value(samples, "dms_db_pool_connections", state="size") >= 1
    assert ("dms_db_pool_connections", (("state", "waiting"),)) in samples


def test_audit_events_are_counted_by_action(world: World, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        world.login("approver")
        APIClient().post("/api/auth/login/", {"username": "approver", "password": "wrong"}, format="json")

    samples = scrape()

    assert value(samples, "dms_audit_events_total", action="login.succeeded") == 1
    assert value(samples, "dms_audit_events_total", action="login.failed") == 1
    assert value(samples, "dms_audit_chain_length") == 2


def test_the_last_chain_verification_is_reported(world: World) -> None:
    assert value(scrape(), "dms_audit_chain_valid") == -1  # never run

    response = world.client("sysadmin").get("/api/audit/verify/")
    assert response.status_code == 200

    samples = scrape()
    assert value(samples, "dms_audit_chain_valid") == 1
    assert value(samples, "dms_audit_chain_verified_events") == response.data["checked"]
    assert value(samples, "dms_audit_chain_verified_timestamp_seconds") > 0


def test_celery_task_outcomes_are_counted(world: World) -> None:
    @celery_app.task(name="tests.metrics_ok")
    def ok() -> int:
        return 1

    @celery_app.task(name="tests.metrics_fails")
    def fails() -> None:
        raise ValueError("boom")

    ok.apply()
    ok.apply()
    fails.apply(throw=False)

    samples = scrape()
    assert value(samples, "dms_celery_tasks_total", task="tests.metrics_ok", outcome="success") == 2
    assert value(samples, "dms_celery_tasks_total", task="tests.metrics_fails", outcome="failure") == 1


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="queue lengths are read from the Redis broker")
def test_celery_queue_length_is_read_from_the_broker(world: World, settings: Any) -> None:
    settings.CELERY_TASK_DEFAULT_QUEUE = f"metrics-test-{uuid.uuid4().hex[:8]}"
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    prefix = (
        settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
        if hasattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS")
        else ""
    )
    key = prefix + settings.CELERY_TASK_DEFAULT_QUEUE
    broker.lpush(key, b"{}", b"{}", b"{}")
    try:
        samples = scrape()
    finally:
        broker.delete(key)
        broker.close()

    assert value(samples, "dms_celery_queue_length", queue=settings.CELERY_TASK_DEFAULT_QUEUE) == 3
    assert value(samples, "dms_celery_broker_up") == 1


def test_metrics_are_refused_to_a_remote_address_without_the_token(world: World, settings: Any) -> None:
    settings.METRICS_TOKEN = "a-long-random-metrics-token-for-tests"

    remote = APIClient().get("/metrics", REMOTE_ADDR="10.20.30.40")
    proxied = APIClient().get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9")
    wrong = APIClient().get("/metrics", REMOTE_ADDR="10.20.30.40", HTTP_AUTHORIZATION="Bearer nope")

    assert (remote.status_code, proxied.status_code, wrong.status_code) == (403, 403, 403)
    assert remote.json()["code"] == "permission_denied"
    assert b"dms_http" not in remote.content


def test_metrics_answer_a_remote_scraper_with_the_bearer_token(world: World, settings: Any) -> None:
    settings.METRICS_TOKEN = "a-long-random-metrics-token-for-tests"

    samples = scrape(REMOTE_ADDR="10.20.30.40", HTTP_AUTHORIZATION="Bearer a-long-random-metrics-token-for-tests")

    assert value(samples, "dms_audit_chain_valid") == -1


def test_without_a_token_only_loopback_scrapes(world: World, settings: Any) -> None:
    settings.METRICS_TOKEN = ""

    assert APIClient().get("/metrics", REMOTE_ADDR="10.20.30.40", HTTP_AUTHORIZATION="Bearer ").status_code == 403
    assert APIClient().get("/metrics", REMOTE_ADDR="::1").status_code == 200


_COUNT_IN_A_PROCESS = """
from apps.core import metrics
metrics.HTTP_REQUESTS.labels("crate-list", "GET", "200").inc({n})
metrics.WEBSOCKETS_OPEN.inc({n})
"""

_WAIT_FOR_STDIN = """
import sys
print("counted", flush=True)
sys.stdin.read()
"""

_EXPOSE = """
import django
django.setup()
import os, sys
from apps.core import metrics
print(metrics.exposition().decode())
print(os.getpid(), file=sys.stderr)
"""


def test_figures_of_several_worker_processes_add_up(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SQLITE_PATH": str(tmp_path / "unused.sqlite3"),
        "DMS_LOG_DIR": str(tmp_path / "logs"),
    }
    env.pop("DATABASE_URL", None)  # the child processes count; they need no database
    env.pop("REDIS_URL", None)
    # Two workers count and exit (a worker the server replaced); a third counts and runs on.
    for n in (2, 3):
        subprocess.run([sys.executable, "-c", _COUNT_IN_A_PROCESS.format(n=n)], cwd=BACKEND_DIR, env=env, check=True)
    running = subprocess.Popen(
        [sys.executable, "-c", _COUNT_IN_A_PROCESS.format(n=4) + _WAIT_FOR_STDIN],
        cwd=BACKEND_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert running.stdout is not None and running.stdout.readline().strip() == "counted"
        exposing = subprocess.run(
            [sys.executable, "-c", _EXPOSE], cwd=BACKEND_DIR, env=env, check=True, capture_output=True, text=True
        )
        out = exposing.stdout
    finally:
        running.communicate("", timeout=30)

    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(out)
        for s in family.samples
    }
    labels = (("method", "GET"), ("status", "200"), ("view", "crate-list"))
    # Requests stay counted after their worker exits; its open sockets do not.
    assert samples[("dms_http_requests_total", labels)] == 9
    assert samples[("dms_websockets_open", ())] == 4
    # The exited workers' live files are gone; the process that answered has its own.
    assert sorted(name for name in os.listdir(tmp_path) if name.startswith("gauge_live")) == sorted(
        [f"gauge_livesum_{running.pid}.db", f"gauge_livesum_{exposing.stderr.splitlines()[-1]}.db"]
    )


def test_counting_never_fails_the_work_and_pauses_while_redis_is_down(monkeypatch: Any) -> None:
    from apps.core import metrics

    class UnreachableRedis:
        calls = 0

        def hincrby(self, *args: Any) -> None:
            UnreachableRedis.calls += 1
            raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(metrics, "_redis", UnreachableRedis)
    monkeypatch.setattr(metrics, "_redis_down_until", 0.0)

    metrics.count("dms_audit_events_total", "login.succeeded")
    metrics.count("dms_audit_events_total", "login.succeeded")

    # The second event did not wait on Redis again: counting pauses after a failure.
    assert UnreachableRedis.calls == 1
