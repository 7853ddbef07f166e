"""Removes expired refresh tokens from simplejwt's outstanding/blacklist tables (SPEC §8)."""

from celery import shared_task
from django.core.management import call_command

from config.celery import RELIABLE


@shared_task(**RELIABLE)
def flush_expired_tokens() -> None:
    call_command("flushexpiredtokens")
