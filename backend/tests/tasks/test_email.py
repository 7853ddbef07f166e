"""E-mail (docs/background.md): each notification e-mailed once, with a link into the SPA."""

import smtplib
from typing import Any
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core import mail

from apps.emails import services as email_services
from apps.emails.models import EmailDelivery
from apps.emails.tasks import send_notification_email, send_notification_emails
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

    with mock.patch.object(send_notification_emails, "delay", side_effect=OperationalError("redis down")):
        with django_capture_on_commit_callbacks(execute=True):
            (note,) = notifications.notify(users=[world.user("approver")], title="REQ-4 awaits your approval")
    assert Notification.objects.filter(pk=note.pk).exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_notifications_of_one_change_are_mailed_by_one_task(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """An approval tells its requester one thing and the Store Heads another: one task carries
    every notification to mail (not one task each), and each is mailed once to its user."""
    queued: list[list[int]] = []
    with mock.patch.object(send_notification_emails, "delay", side_effect=queued.append):
        with django_capture_on_commit_callbacks(execute=True):
            created = notifications.notify_many(
                [
                    notifications.Message(users=[world.user("docmanager")], title="REQ-5 was approved"),
                    notifications.Message(
                        users=[world.user("storehead"), world.user("viewer")], title="REQ-5 waits for execution"
                    ),
                ]
            )
    assert queued == [[note.pk for note in created]]
    assert len(created) == 3
    assert send_notification_emails.delay(queued[0]).get() == 3
    assert send_notification_emails.delay(queued[0]).get() == 0  # run again: nothing sent twice
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("docmanager@test.local", "[Cipla DMS] REQ-5 was approved"),
        ("storehead@test.local", "[Cipla DMS] REQ-5 waits for execution"),
        ("viewer@test.local", "[Cipla DMS] REQ-5 waits for execution"),
    ]


@pytest.mark.django_db
def test_one_failing_recipient_does_not_hold_back_the_others_and_the_retry_sends_it(world: Any) -> None:
    first, second = notifications.notify(users=[world.user("approver"), world.user("viewer")], title="REQ-6")
    real_send_mail = email_services.send_mail

    def refuse_the_approver(subject: str, body: str, sender: str, to: list[str], **kwargs: Any) -> int:
        if to == ["approver@test.local"]:
            raise smtplib.SMTPServerDisconnected("down")
        return real_send_mail(subject, body, sender, to, **kwargs)

    with mock.patch("apps.emails.services.send_mail", side_effect=refuse_the_approver):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            send_notification_emails.run([first.pk, second.pk])
    assert [m.to for m in mail.outbox] == [["viewer@test.local"]]
    assert send_notification_emails.run([first.pk, second.pk]) == 1  # the retry: only the approver's
    assert sorted(m.to[0] for m in mail.outbox) == ["approver@test.local", "viewer@test.local"]


@pytest.mark.django_db
def test_the_batch_email_task_is_declared_reliable() -> None:
    task = send_notification_emails
    assert (task.acks_late, task.reject_on_worker_lost, task.max_retries) == (True, True, 8)
    assert smtplib.SMTPException in task.autoretry_for
