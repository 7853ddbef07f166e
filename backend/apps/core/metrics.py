"""Operator metrics in Prometheus text format, served at GET /metrics (PRODUCTION_DEPLOYMENT.md).

Three kinds of figures, each kept where it is correct with several processes and nodes:
- per process, merged per container: HTTP requests and latency by view and status, database
  pool use, open WebSockets. prometheus_client's multiprocess mode: every process of a
  container writes its values to files in PROMETHEUS_MULTIPROC_DIR (container-local, emptied
  when the container starts) and /metrics, answered by any of them, adds them up; the live
  gauges of a process that has exited (a replaced HTTP worker) are dropped then. Prometheus
  scrapes every backend container (each HTTP and Daphne container is a target);
  Broadcast failures too (counting them must not wait on the Redis that failed);
- shared in Redis (the same answer from every target): Celery task outcomes and audit events
  by action - they happen in workers and web processes alike;
- read when scraped: Celery queue lengths (Redis), the audit chain's length (PostgreSQL) and
  the last chain verification (cache).
"""

import hmac
import ipaddress
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from celery.signals import task_failure, task_retry, task_success
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

from apps.audit import signals as audit_signals

logger = logging.getLogger(__name__)

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Every process that loads Django creates its value files there (migrate, shell too).
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

HTTP_REQUESTS = Counter(
    "dms_http_requests_total", "HTTP requests answered, by view, method and status.", ["view", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "dms_http_request_duration_seconds",
    "Time to answer an HTTP request, by view, method and status.",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
DB_POOL = Gauge(
    "dms_db_pool_connections",
    "PostgreSQL pool connections per state (size, available, waiting) summed over live processes.",
    ["state"],
    multiprocess_mode="livesum",
)
DB_POOL_MAX = Gauge(
    "dms_db_pool_max_connections", "Configured pool maximum summed over live processes.", multiprocess_mode="livesum"
)
WEBSOCKETS_OPEN = Gauge("dms_websockets_open", "Open WebSocket connections.", multiprocess_mode="livesum")
WEBSOCKETS_TOTAL = Counter("dms_websocket_connections_total", "WebSocket connections accepted.")
# In-process: counting must not wait on the Redis whose failure it counts.
BROADCAST_FAILURES = Counter(
    "dms_broadcast_failures_total", "Real-time events that could not be sent to the channel layer.", ["reason"]
)

# Shared counters: name -> (help, label names). Values live in Redis hashes (one field per
# label set), so a task finished by a Celery worker is counted once, wherever /metrics is read.
SHARED_COUNTERS = {
    "dms_celery_tasks_total": ("Celery tasks finished, by task and outcome.", ("task", "outcome")),
    "dms_audit_events_total": ("Audit events committed, by action.", ("action",)),
}
_local_counters: dict[str, dict[str, float]] = {}

_CHAIN_KEY = "metrics:audit-chain-verification"


def view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"  # a fixed label: unmatched URLs must not create one series each
    return match.view_name or match.route or "unnamed"


def observe_request(request: HttpRequest, status: int, seconds: float) -> None:
    labels = (view_label(request), request.method or "", str(status))
    HTTP_REQUESTS.labels(*labels).inc()
    HTTP_LATENCY.labels(*labels).observe(seconds)
    _observe_pool()


def _observe_pool() -> None:
    pool = getattr(connections["default"], "pool", None) if "default" in connections else None
    if pool is None:
        return
    stats = pool.get_stats()
    DB_POOL.labels("size").set(stats.get("pool_size", 0))
    DB_POOL.labels("available").set(stats.get("pool_available", 0))
    DB_POOL.labels("waiting").set(stats.get("requests_waiting", 0))
    DB_POOL_MAX.set(stats.get("pool_max", 0))


class MetricsMiddleware:
    """Outermost middleware: counts and times every HTTP request by view and status, and
    answers GET /metrics itself, before the host check and the HTTPS redirect: a scraper
    reaches a container by its internal address (backend:8000) over plain HTTP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/metrics":
            return metrics_view(request)
        started = time.perf_counter()
        response = self.get_response(request)
        observe_request(request, response.status_code, time.perf_counter() - started)
        return response


# After a failed write to Redis, counting pauses this long: with Redis down, a request that
# writes several audit events must not wait for a connect timeout at each of them.
_REDIS_RETRY_SECONDS = 30.0
_redis_down_until = 0.0


def count(name: str, *labels: str, amount: int = 1) -> None:
    """Add to a shared counter. Never raises: a metric must not fail the work it counts."""
    global _redis_down_until
    field = json.dumps(labels)
    try:
        client = _redis()
        if client is None:
            bucket = _local_counters.setdefault(name, {})
            bucket[field] = bucket.get(field, 0) + amount
        elif time.monotonic() >= _redis_down_until:
            client.hincrby(cache.make_key(f"metrics:{name}"), field, amount)
    except Exception as error:
        _redis_down_until = time.monotonic() + _REDIS_RETRY_SECONDS
        logger.warning("metrics: could not count %s (paused %ss): %s", name, _REDIS_RETRY_SECONDS, error)


def _redis() -> Any:
    if "django_redis" not in str(settings.CACHES["default"]["BACKEND"]):
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


class SharedCountersCollector(Collector):
    def collect(self) -> Iterator[CounterMetricFamily]:
        try:
            client = _redis()
            families = list(self._families(client))
        except Exception as error:  # Redis down: the other figures still answer
            logger.warning("metrics: shared counters unavailable: %s", error)
            return
        yield from families

    def _families(self, client: Any) -> Iterator[CounterMetricFamily]:
        for name, (description, label_names) in SHARED_COUNTERS.items():
            family = CounterMetricFamily(name.removesuffix("_total"), description, labels=list(label_names))
            if client is None:
                values = dict(_local_counters.get(name, {}))
            else:
                values = {k.decode(): float(v) for k, v in client.hgetall(cache.make_key(f"metrics:{name}")).items()}
            for field, value in sorted(values.items()):
                family.add_metric(json.loads(field), value)
            yield family


# --- Read at scrape time ----------------------------------------------------------------------


def record_chain_verification(*, valid: bool, checked: int) -> None:
    """Kept in the shared cache: every process (and node) reports the same last result."""
    cache.set(_CHAIN_KEY, {"valid": valid, "checked": checked, "at": time.time()}, timeout=None)


def _celery_queue_lengths() -> dict[str, int]:
    broker = getattr(settings, "CELERY_BROKER_URL", "")
    if not broker.startswith(("redis://", "rediss://")):
        return {}
    import redis

    prefix = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("global_keyprefix", "")
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    client = redis.Redis.from_url(broker, socket_connect_timeout=2, socket_timeout=2)
    try:
        # kombu's Redis transport keeps a queue as a list, priorities as "<queue>\x06\x16<n>".
        names = [queue] + [f"{queue}\x06\x16{priority}" for priority in (3, 6, 9)]
        pipe = client.pipeline()
        for name in names:
            pipe.llen(prefix + name)
        return {queue: int(sum(pipe.execute()))}
    finally:
        client.close()


class ScrapeTimeCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        queues = GaugeMetricFamily("dms_celery_queue_length", "Tasks waiting in a Celery queue.", labels=["queue"])
        up = GaugeMetricFamily("dms_celery_broker_up", "1 if the Celery broker answered the queue-length query.")
        try:
            for queue, waiting in _celery_queue_lengths().items():
                queues.add_metric([queue], waiting)
            up.add_metric([], 1)
        except Exception as error:  # the broker being down is itself a figure
            logger.warning("metrics: queue length unavailable: %s", error)
            up.add_metric([], 0)
        yield queues
        yield up


def last_chain_verification() -> dict[str, Any] | None:
    try:
        result: dict[str, Any] | None = cache.get(_CHAIN_KEY)
    except Exception as error:  # cache down: "never run" is the honest answer
        logger.warning("metrics: last chain verification unavailable: %s", error)
        return None
    return result


class AuditChainCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        from apps.audit.models import AuditChainHead

        try:
            head = AuditChainHead.objects.filter(id=1).values_list("last_sequence", flat=True).first()
        except DatabaseError as error:  # the database being down shows in the health check
            logger.warning("metrics: audit chain length unavailable: %s", error)
        else:
            length = GaugeMetricFamily("dms_audit_chain_length", "Events in the audit chain (all processes).")
            length.add_metric([], head or 0)
            yield length

        result = last_chain_verification()
        valid = GaugeMetricFamily(
            "dms_audit_chain_valid", "Last audit chain verification: 1 intact, 0 broken, -1 never run."
        )
        valid.add_metric([], -1 if result is None else int(bool(result["valid"])))
        yield valid
        if result is not None:
            at = GaugeMetricFamily("dms_audit_chain_verified_timestamp_seconds", "When the chain was last verified.")
            at.add_metric([], result["at"])
            yield at
            checked = GaugeMetricFamily("dms_audit_chain_verified_events", "Events checked by the last verification.")
            checked.add_metric([], result["checked"])
            yield checked


# A live gauge's file per process (multiprocess_mode "livesum" and the like): gauge_livesum_<pid>.db.
_LIVE_GAUGE_FILE = re.compile(r"gauge_live[a-z]+_(\d+)\.db")


def forget_exited_processes(folder: str) -> None:
    """Drop the live gauges of processes that have exited (their sockets and pool are gone).

    The HTTP server replaces a worker that dies or outgrows its memory and says nothing to the
    application; the folder is the container's own, so its process ids are the container's.
    """
    for name in os.listdir(folder):
        match = _LIVE_GAUGE_FILE.fullmatch(name)
        if match and not _running(int(match[1])):
            mark_process_dead(int(match[1]), folder)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def exposition() -> bytes:
    registry = CollectorRegistry()
    if folder := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        forget_exited_processes(folder)
        MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry.register(_Delegate(REGISTRY))
    registry.register(SharedCountersCollector())
    registry.register(ScrapeTimeCollector())
    registry.register(AuditChainCollector())
    return generate_latest(registry)


class _Delegate(Collector):
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Any]:
        return self.registry.collect()


# The classic text format every Prometheus version reads (our names are plain ASCII).
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4


# --- Audit trail (its signals; the ledger imports nothing above it) ------------------------------


@receiver(audit_signals.event_committed)
def _audit_event_committed(action: str, **kwargs: Any) -> None:
    count("dms_audit_events_total", action, amount=int(kwargs.get("count", 1)))


@receiver(audit_signals.chain_verified)
def _chain_verified(result: Any, **kwargs: Any) -> None:
    record_chain_verification(valid=result.valid, checked=result.checked)


# --- Celery task outcomes (counted in the worker that ran the task) ------------------------------


def _task_name(sender: Any) -> str:
    return str(getattr(sender, "name", None) or sender or "unknown")


@task_success.connect
def _task_succeeded(sender: Any = None, **kwargs: Any) -> None:
    count("dms_celery_tasks_total", _task_name(sender), "success")


@task_failure.connect
def _task_failed(sender: Any = None, **kwargs: Any) -> None:
    count("dms_celery_tasks_total", _task_name(sender), "failure")


@task_retry.connect
def _task_retried(sender: Any = None, **kwargs: Any) -> None:
    count("dms_celery_tasks_total", _task_name(sender), "retry")


# --- The endpoint --------------------------------------------------------------------------------


def metrics_allowed(request: HttpRequest) -> bool:
    """A bearer token (METRICS_TOKEN), or a scrape from this host that no proxy forwarded."""
    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), token.encode())
    if "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_X_REAL_IP" in request.META:
        return False  # came through nginx: the peer address is the proxy's, not the client's
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def metrics_view(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return JsonResponse({"detail": "Method not allowed.", "code": "method_not_allowed"}, status=405)
    if not metrics_allowed(request):
        return JsonResponse(
            {"detail": "Metrics need a bearer token or a loopback address.", "code": "permission_denied"}, status=403
        )
    return HttpResponse(exposition(), content_type=CONTENT_TYPE)
