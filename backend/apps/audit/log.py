"""One request id in every log line and audit event, across processes.

nginx sets X-Request-ID; AuditContextMiddleware (HTTP) and the WebSocket stack
(apps.realtime.middleware) adopt it; a Celery task queued during the request carries it in a
message header and runs under it in the worker. `RequestIdFilter` puts it on every log
record, so the JSON log lines of nginx, the web process, the worker and the socket server
can be joined on `request_id`.
"""

import logging
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun

from apps.audit import context

HEADER = "dms_request_id"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            request = getattr(record, "request", None)  # django.request's records carry it
            record.request_id = context.current().request_id or getattr(request, "request_id", None)
        return True


@before_task_publish.connect
def _send_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = context.current().request_id
    if headers is not None and request_id:
        headers[HEADER] = request_id


_task_tokens: dict[str, Any] = {}


@task_prerun.connect
def _adopt_request_id(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    request_id = getattr(getattr(task, "request", None), HEADER, None)
    if task_id and request_id and not context.current().request_id:
        # Eager tasks run inside the request and keep its context; a worker adopts the id.
        _task_tokens[task_id] = context._current.set(context.AuditContext(request_id=str(request_id)[:64]))


@task_postrun.connect
def _drop_request_id(task_id: str | None = None, **kwargs: Any) -> None:
    token = _task_tokens.pop(task_id or "", None)
    if token is not None:
        context._current.reset(token)
