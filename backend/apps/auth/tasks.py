"""Removes expired refresh tokens from simplejwt's outstanding/blacklist tables and expired
session revocations (docs/background.md)."""

from celery import shared_task
from django.core.management import call_command

from apps.auth import sessions
from config.celery import RELIABLE


@shared_task(**RELIABLE)
def flush_expired_tokens() -> None:
    call_command("flushexpiredtokens")
    sessions.flush_expired_sessions()
