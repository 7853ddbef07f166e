"""Celery application: broker Redis db 0; eager when REDIS_URL is unset (embedded default)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("cipla_dms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
