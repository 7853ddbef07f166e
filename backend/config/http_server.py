"""The HTTP worker processes (docker-compose.production.yml `backend`): granian serving config.wsgi.

    python -m config.http_server

granian parses HTTP in Rust and hands each request to the WSGI application on one of a few Python
threads per worker process: about 1 ms of CPU less per request than gunicorn, whose parser, keep-
alive loop and thread pool are Python (OPTIMIZATIONS.md §2.R).

Every value comes from the environment so one image serves any server size:
- HTTP_BIND (default 0.0.0.0:8000);
- WEB_CONCURRENCY worker processes (default: 2 per core this process may run on). Each is a
  separate Python interpreter, so N processes use N cores despite the GIL;
- HTTP_THREADS Python threads per process (default 4): a thread waiting on PostgreSQL or Redis
  lets another run. Keep DB_POOL_MAX of these processes >= HTTP_THREADS;
- HTTP_WORKER_MAX_RSS_MB: a worker whose memory grows past this is replaced, gracefully
  (default 512: the compose file gives 8 workers 4 GiB);
- HTTP_LOG_LEVEL (default info).
Workers are forked before the application loads: each opens its own PostgreSQL pool and Redis
connections (sockets must never be shared across a fork). config/wsgi.py freezes what the
application loaded out of the garbage collector's reach.
"""

import os
import shutil

from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server import MPServer  # worker processes: this Python has a GIL

# nginx keeps idle upstream connections for 20 s (`keepalive_timeout` in nginx/conf.d): granian
# closes a connection on which no request header arrives within this time, so it must wait longer,
# or nginx could send a request on a connection at the moment it is closed (a 502 for a POST,
# which nginx does not retry).
KEEPALIVE_MS = 30_000
# On a stop, a worker finishes the requests it holds for up to this long.
GRACEFUL_STOP_SECONDS = 30


def empty_metrics_folder() -> None:
    """Prometheus multiprocess mode (apps/core/metrics.py): a new server counts from zero.

    Every worker writes its figures to files in PROMETHEUS_MULTIPROC_DIR and /metrics adds them
    up; the files of a previous run of the container would be added too.
    """
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def build() -> MPServer:
    host, _, port = os.environ.get("HTTP_BIND", "0.0.0.0:8000").rpartition(":")
    threads = int(os.environ.get("HTTP_THREADS", "4"))
    server = MPServer(
        "config.wsgi:application",
        address=host,
        port=int(port),
        interface=Interfaces.WSGI,
        http=HTTPModes.http1,  # nginx speaks HTTP/1.1 to its upstreams
        websockets=False,  # /ws/ is Daphne's
        workers=int(os.environ.get("WEB_CONCURRENCY") or 2 * len(os.sched_getaffinity(0))),
        blocking_threads=threads,
        # Up to 600 s (granian's default is 30): a thread that ends takes its Redis connection
        # with it (apps/core/unawaited.py), and the next one opens a new one.
        blocking_threads_idle_timeout=600,
        http1_settings=HTTP1Settings(header_read_timeout=KEEPALIVE_MS),
        # A worker that dies is replaced (gunicorn did this always); one that outgrows its memory
        # is replaced after its requests finish, as gunicorn's max_requests did.
        respawn_failed_workers=True,
        workers_max_rss=int(os.environ.get("HTTP_WORKER_MAX_RSS_MB", "512")),
        workers_kill_timeout=GRACEFUL_STOP_SECONDS,
        # Access lines come from nginx (with request id and upstream time); Django logs errors.
        log_access=False,
        log_level=LogLevels(os.environ.get("HTTP_LOG_LEVEL", "info")),
    )
    server.on_startup(empty_metrics_folder)
    return server


if __name__ == "__main__":
    build().serve()
