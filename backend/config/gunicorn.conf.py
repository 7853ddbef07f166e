"""gunicorn settings for the HTTP worker processes (docker-compose.production.yml `backend`).

    gunicorn -c config/gunicorn.conf.py config.wsgi:application

Every value comes from the environment so one image serves any server size:
- WEB_CONCURRENCY worker processes (default: 2 per core this process may run on). Each is a
  separate Python interpreter, so N processes use N cores despite the GIL.
- GUNICORN_THREADS threads per process (default 4): a thread waiting on PostgreSQL or Redis
  lets another run. Keep DB_POOL_MAX of these processes >= GUNICORN_THREADS.
Workers are forked without preloading the application: each opens its own PostgreSQL pool and
Redis connections after the fork (sockets must never be shared across a fork).
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * len(os.sched_getaffinity(0)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# nginx keeps idle upstream connections open (`keepalive` in the upstream block); ours must
# outlive its 60 s so nginx, not gunicorn, closes them and no request races a close.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# A request running longer than this is killed with its worker (exports run in Celery).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# Recycle each worker after a number of requests (with jitter, so they do not all restart at
# once): bounds the memory of a long-running process.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Access lines come from nginx (with request id and upstream time); Django logs errors.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# A container's /tmp may sit on a slow overlay disk and stall the workers' heartbeat file;
# gunicorn creates it with mkstemp, so the shared memory folder is safe.
_SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None
proc_name = "cipla-dms-http"


# Prometheus multiprocess mode (apps/core/metrics.py): every worker writes its figures to
# PROMETHEUS_MULTIPROC_DIR and /metrics, answered by any worker, adds them up. The folder is
# emptied when the server starts, and a dead worker's live gauges (open sockets, pool use)
# stop counting when it exits.
def on_starting(server: object) -> None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


def post_worker_init(worker: object) -> None:
    # The worker has loaded the application: its modules, models, URL patterns and the
    # querysets built once per process live as long as the worker. Frozen, they leave the
    # garbage collector's generations, so a full collection walks only what requests made
    # (it walked the whole application, ~100 ms, every few hundred requests: OPTIMIZATIONS.md §2.N).
    gc.freeze()


def child_exit(server: object, worker: object) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
