"""Celery application: broker Redis db 0; eager when REDIS_URL is unset (embedded default).

Every task is idempotent and declared with `**RELIABLE`: acknowledged only after it ran
(`acks_late`), handed back to the queue if its worker dies (`reject_on_worker_lost`), and
retried with exponential backoff on transient failures (database, Redis, SMTP unreachable).
"""

import os
import smtplib
from typing import Any

from celery import Celery
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("cipla_dms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError, smtplib.SMTPException)

RELIABLE: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}
