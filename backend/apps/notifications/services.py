"""In-app notifications (docs/domain.md, docs/api.md): created in the caller's transaction, pushed on commit.

`notify` (one message) and `notify_many` (the messages of one change) are the entry points. They
announce the new notifications with the domain signal `notifications_created`; the receivers push
them to the users' browsers (apps.notifications.signals) and e-mail them (docs/background.md,
apps.emails.signals), so neither the workflow nor this module knows about e-mail.
"""

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.auth.models import User
from apps.core import domain_signals
from apps.core.prepared import PreparedRead, any_of
from apps.notifications.models import Notification


@dataclass(frozen=True)
class Message:
    """One notification for each of `users` (see `notify`)."""

    users: Iterable[User | None]
    title: str
    body: str = ""
    link: str = ""
    dedupe_key: str = ""


def notify(
    *, users: Iterable[User], title: str, body: str = "", link: str = "", dedupe_key: str = "", email: bool = True
) -> list[Notification]:
    """Notify each user once; with a `dedupe_key`, a user already holding that key is skipped
    (an idempotent task or a retried transition notifies once).

    With `email` (the default) each new notification is also e-mailed to its user after the
    transaction commits (docs/background.md; apps.emails sends each one at most once)."""
    return notify_many([Message(users=users, title=title, body=body, link=link, dedupe_key=dedupe_key)], email=email)


def notify_many(messages: Iterable[Message], *, email: bool = True) -> list[Notification]:
    """Every message of one change (an approval tells its requester one thing and the Store
    Heads another) in one statement, announced once: one e-mail task and one batch of
    broadcasts after the commit, however many users (OPTIMIZATIONS.md §2.J)."""
    now = timezone.now()
    pending: list[Notification] = []
    seen: set[tuple[int, str]] = set()
    for message in messages:
        for user in message.users:
            if user is None or not user.is_active or (user.pk, message.dedupe_key) in seen:
                continue
            # A key already in this batch would conflict with itself; without a key every one counts.
            if message.dedupe_key:
                seen.add((user.pk, message.dedupe_key))
            pending.append(
                Notification(
                    user=user,
                    title=message.title[:200],
                    body=message.body,
                    link=message.link[:300],
                    dedupe_key=message.dedupe_key,
                    created_at=now,
                )
            )
    created = _insert_skipping_duplicates(pending)
    if created:
        domain_signals.notifications_created.send_on_commit(
            sender=Notification, notifications=[copy.copy(n) for n in created], action="created", email=email
        )
    return created


def _insert_skipping_duplicates(pending: list[Notification]) -> list[Notification]:
    """Insert `pending` in one statement; those whose user already holds their dedupe key are
    skipped and left out of the answer.

    ON CONFLICT DO NOTHING is what the savepoint around each insert used to give: a concurrent
    twin with the same key makes this statement wait for the twin's transaction, then skip the
    row if the twin committed, quietly, without failing the caller's write. RETURNING gives
    the inserted rows in the order of VALUES (what Django's bulk_create relies on too), so the
    skipped ones are those the answer passes over."""
    if not pending:
        return []
    meta = Notification._meta
    quote = connection.ops.quote_name
    columns = ["user_id", "title", "body", "link", "dedupe_key", "created_at", "read_at"]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 (model names)
        f"VALUES {', '.join([row] * len(pending))} ON CONFLICT DO NOTHING "
        f"RETURNING {quote('id')}, {quote('user_id')}, {quote('dedupe_key')}"
    )
    params: list[Any] = []
    created_at = meta.get_field("created_at")
    for notification in pending:
        stamp = created_at.get_db_prep_value(notification.created_at, connection)
        params += [
            notification.user_id,
            notification.title,
            notification.body,
            notification.link,
            notification.dedupe_key,
            stamp,
            None,
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    created = []
    rows = iter(returned)
    current = next(rows, None)
    for notification in pending:
        if current is not None and (current[1], current[2]) == (notification.user_id, notification.dedupe_key):
            notification.pk = current[0]
            notification._state.adding = False
            notification._state.db = connection.alias
            created.append(notification)
            current = next(rows, None)
    if current is not None:  # the database answered rows in another order: never guess
        raise RuntimeError("notification insert returned rows out of order")
    return created


@transaction.atomic
def notification_mark_read(*, notification: Notification, user: Any) -> Notification:
    notification = Notification.objects.select_for_update().get(pk=notification.pk, user=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        domain_signals.notification_changed.send_on_commit(
            sender=Notification, notification=notification, action="updated", email=False
        )
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: Any) -> int:
    now = timezone.now()
    updated = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=now)
    if updated:
        domain_signals.notifications_read.send_on_commit(sender=Notification, user_id=user.pk, action="updated")
    return updated


def notifications_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


_notification_rows = PreparedRead(lambda shape, *, keys: Notification.objects.filter(any_of("pk", keys)))


def notification_rows_of_page(keys: list[int]) -> list[Notification]:
    """The notifications of a list page, chosen from the reader's own (apps/core/pagination.py),
    read by their keys with SQL compiled once per process."""
    return _notification_rows.fetch("page", keys=keys)
