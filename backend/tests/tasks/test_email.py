"""E-mail (docs/background.md): each notification e-mailed once, with a link into the SPA."""

import smtplib
from typing import Any
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core import mail

from apps.emails import services as email_services
from apps.emails.models import EmailDelivery
from apps.emails.tasks import send_notification_email
from apps.notifications import services as notifications
from apps.notifications.models import Notification


@pytest.mark.django_db
def test_email_task_run_twice_sends_once(world: Any) -> None:
    (note,) = notifications.notify(
        users=[world.user("approver")], title="REQ-1 awaits your approval", link="/requests/1"
    )
    assert send_notification_email.delay(note.pk).get() is True
    assert send_notification_email.delay(note.pk).get() is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.to, message.subject) == (["approver@test.local"], "[Cipla DMS] REQ-1 awaits your approval")
    assert f"Open in Cipla DMS: {django_settings.SPA_BASE_URL}/requests/1" in message.body
    delivery = EmailDelivery.objects.get()
    assert (delivery.dedupe_key, delivery.notification_id) == (f"notification:{note.pk}", note.pk)
    assert delivery.sent_at is not None


@pytest.mark.django_db
def test_notify_queues_the_email_after_commit(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(users=[world.user("docmanager"), world.user("viewer")], title="REQ-2 was approved")
        notifications.notify(users=[world.user("storehead")], title="No mail for this", email=False)
        assert (mail.outbox, EmailDelivery.objects.count()) == ([], 0)  # nothing before the commit
    # After the commit: exactly one message and one delivery record per e-mailed notification.
    assert sorted(m.to[0] for m in mail.outbox) == ["docmanager@test.local", "viewer@test.local"]
    assert sorted(EmailDelivery.objects.values_list("recipient", flat=True)) == [
        "docmanager@test.local",
        "viewer@test.local",
    ]


@pytest.mark.django_db
def test_user_without_email_gets_no_message(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    viewer = world.user("viewer")
    viewer.email = ""
    viewer.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(users=[viewer], title="Hello")
    assert mail.outbox == []
    assert EmailDelivery.objects.count() == 0


@pytest.mark.django_db
def test_failed_send_leaves_nothing_recorded_and_the_retry_sends(world: Any) -> None:
    (note,) = notifications.notify(users=[world.user("approver")], title="REQ-3 was rejected")
    with mock.patch("apps.emails.services.send_mail", side_effect=smtplib.SMTPServerDisconnected("down")):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            email_services.notification_email(notification_id=note.pk)
    assert EmailDelivery.objects.count() == 0
    assert email_services.notification_email(notification_id=note.pk) is True
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_email_task_is_declared_reliable() -> None:
    task = send_notification_email
    assert (task.acks_late, task.reject_on_worker_lost, task.max_retries) == (True, True, 8)
    assert smtplib.SMTPException in task.autoretry_for
    assert task.retry_backoff == 5


@pytest.mark.django_db
def test_missing_notification_is_skipped() -> None:
    assert send_notification_email.delay(987654).get() is False
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_broker_outage_does_not_fail_the_notifying_write(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    from kombu.exceptions import OperationalError

    with mock.patch.object(send_notification_email, "delay", side_effect=OperationalError("redis down")):
        with django_capture_on_commit_callbacks(execute=True):
            (note,) = notifications.notify(users=[world.user("approver")], title="REQ-4 awaits your approval")
    assert Notification.objects.filter(pk=note.pk).exists()
    assert mail.outbox == []
