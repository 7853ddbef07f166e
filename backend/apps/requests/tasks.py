"""Daily overdue-withdrawal reminders (docs/background.md): the requester and the unit's Store Heads."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from apps.auth import roles
from apps.auth.models import User
from apps.auth.selectors import unit_role_holders
from apps.notifications import services as notifications
from apps.policy import rules
from apps.requests.models import Request
from config.celery import RELIABLE

logger = logging.getLogger(__name__)


def overdue_reminders_run(*, today: datetime.date) -> int:
    """One reminder per overdue withdrawal, recipient and day (run twice, remind once)."""
    overdue = (
        Request.objects.filter(rules.overdue_q(today=today))
        .select_related("requester")
        .order_by("expected_return_date", "pk")
    )
    store_heads: dict[int, list[User]] = {}
    created = 0
    for request in overdue.iterator(chunk_size=500):
        if request.unit_id not in store_heads:
            store_heads[request.unit_id] = list(unit_role_holders(request.unit_id, roles.STORE_HEAD))
        assert request.expected_return_date is not None
        days = (today - request.expected_return_date).days
        created += len(
            notifications.notify(
                users=[request.requester, *store_heads[request.unit_id]],
                title=f"Withdrawal {request.number} is overdue",
                body=(
                    f"Expected back on {request.expected_return_date:%Y-%m-%d} ({days} day{'s' if days != 1 else ''} "
                    "ago). Please return the records with a send-back."
                ),
                link=f"/requests/{request.pk}",
                dedupe_key=f"overdue:{request.pk}:{today:%Y-%m-%d}",
            )
        )
    logger.info("overdue reminders %s: %d notification(s)", today.isoformat(), created)
    return created


@shared_task(**RELIABLE)
def overdue_reminders(today: str | None = None) -> int:
    return overdue_reminders_run(today=datetime.date.fromisoformat(today) if today else timezone.localdate())
