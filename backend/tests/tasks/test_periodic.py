"""Periodic duties (docs/background.md): retention scan, overdue reminders, audit-chain check, JWT flush."""

import datetime
import os
from typing import Any

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from apps.audit import services as audit
from apps.audit.tasks import verify_audit_chain
from apps.auth.tasks import flush_expired_tokens
from apps.crates.tasks import retention_scan
from apps.notifications.models import Notification
from apps.requests.tasks import overdue_reminders
from config.celery import app as celery_app
from config.settings import beat_schedule
from tests.requests.conftest import place_hold
from tests.tasks.conftest import make_crate, make_withdrawal

TODAY = datetime.date(2026, 3, 10)


def titles(username: str) -> list[str]:
    return list(Notification.objects.filter(user__username=username).order_by("id").values_list("title", flat=True))


@pytest.mark.django_db
def test_retention_scan_notifies_the_units_document_managers_once(world: Any) -> None:
    due = make_crate(world, retention_until=TODAY)
    kur_due = make_crate(world, unit=world.kur, retention_until=TODAY - datetime.timedelta(days=30))
    make_crate(world, retention_until=TODAY + datetime.timedelta(days=1))  # not yet
    place_hold(world, make_crate(world, retention_until=TODAY))  # on hold
    make_crate(world, retention_until=TODAY, status="draft")
    make_crate(world, retention_until=TODAY, status="destroyed")

    assert retention_scan.delay(TODAY.isoformat()).get() == 2
    assert titles("docmanager") == [f"Crate {due.number} has reached its retention date"]
    assert titles("docmanager2") == [f"Crate {kur_due.number} has reached its retention date"]
    assert Notification.objects.count() == 2
    note = Notification.objects.get(user__username="docmanager")
    assert (note.link, note.dedupe_key) == (f"/crates/{due.pk}", f"retention:{due.pk}:{TODAY}")

    assert retention_scan.delay(TODAY.isoformat()).get() == 0  # run again: nobody notified twice
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_retention_scan_sends_no_email(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    make_crate(world, retention_until=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        retention_scan.delay(TODAY.isoformat()).get()
    assert mail.outbox == []


@pytest.mark.django_db
def test_overdue_reminders_reach_requester_and_store_heads_once_a_day(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    late = make_withdrawal(world, expected_return_date=TODAY - datetime.timedelta(days=3))
    make_withdrawal(world, expected_return_date=TODAY)  # due today: not overdue yet
    make_withdrawal(world, expected_return_date=TODAY - datetime.timedelta(days=9), status="completed")

    with django_capture_on_commit_callbacks(execute=True):
        assert overdue_reminders.delay(TODAY.isoformat()).get() == 2
        assert overdue_reminders.delay(TODAY.isoformat()).get() == 0
    expected = f"Withdrawal {late.number} is overdue"
    assert titles("docmanager") == [expected]
    assert titles("storehead") == [expected]
    assert titles("storehead2") == []
    assert sorted(message.to[0] for message in mail.outbox) == ["docmanager@test.local", "storehead@test.local"]
    message = mail.outbox[0]
    assert message.subject == f"[Cipla DMS] {expected}"
    assert f"{django_settings.SPA_BASE_URL}/requests/{late.pk}" in message.body
    assert "Expected back on 2026-03-07 (3 days ago)" in message.body

    # The next day: reminded again, and the withdrawal due today is now overdue too.
    with django_capture_on_commit_callbacks(execute=True):
        assert overdue_reminders.delay((TODAY + datetime.timedelta(days=1)).isoformat()).get() == 4
    assert len(mail.outbox) == 6


def _tamper_first_event() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE audit_auditevent SET comment = 'forged' WHERE sequence = 2")
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.mark.django_db
def test_audit_chain_check_alerts_system_administrators_when_broken(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for number in range(3):
        audit.record(action="test.event", entity_type="test", entity_id=number, actor=None)
    assert verify_audit_chain.delay().get()["valid"] is True
    assert Notification.objects.count() == 0

    _tamper_first_event()
    with django_capture_on_commit_callbacks(execute=True):
        result = verify_audit_chain.delay().get()
        verify_audit_chain.delay().get()  # the nightly check repeated: one alert
    assert (result["valid"], result["first_broken_sequence"]) == (False, 2)
    assert titles("sysadmin") == ["Audit trail integrity check failed at event #2"]
    assert Notification.objects.count() == 1
    assert [message.to for message in mail.outbox] == [["sysadmin@test.local"]]


@pytest.mark.django_db
def test_flush_expired_tokens_removes_only_expired_refresh_tokens(world: Any) -> None:
    user = world.user("viewer")
    now = timezone.now()
    OutstandingToken.objects.create(user=user, jti="old", token="x", expires_at=now - datetime.timedelta(hours=1))
    OutstandingToken.objects.create(user=user, jti="live", token="y", expires_at=now + datetime.timedelta(hours=1))
    flush_expired_tokens.delay().get()
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == ["live"]


def test_beat_schedule_names_registered_tasks_and_reads_overrides(monkeypatch: Any) -> None:
    celery_app.loader.import_default_modules()
    for entry in django_settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks
        assert isinstance(entry["schedule"], crontab | float)  # a cron line or every N seconds
    monkeypatch.setitem(os.environ, "BEAT_TEST", "*/5 2 * * 1")
    assert beat_schedule("BEAT_TEST", "0 0 * * *") == crontab(minute="*/5", hour="2", day_of_week="1")
    monkeypatch.setitem(os.environ, "BEAT_TEST", "90")
    assert beat_schedule("BEAT_TEST", "0 0 * * *") == 90.0
    assert beat_schedule("BEAT_UNSET_FOR_TEST", "15 1 * * *") == crontab(minute="15", hour="1")
