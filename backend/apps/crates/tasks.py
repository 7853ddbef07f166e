"""Daily retention scan (docs/background.md): crates reaching retention -> their unit's Document Managers."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from apps.auth import roles
from apps.auth.models import User
from apps.auth.selectors import unit_role_holders
from apps.crates.models import Crate
from apps.notifications import services as notifications
from apps.policy import rules
from config.celery import RELIABLE

logger = logging.getLogger(__name__)


def retention_scan_run(*, today: datetime.date) -> int:
    """Notify once per crate (and retention date) whose retention is reached; returns how many
    notifications were created. Stored crates without a legal hold: the ones now due for
    destruction. Run again, it notifies nobody twice (Notification.dedupe_key)."""
    due = (
        Crate.objects.filter(rules.due_for_destruction_q(today=today))
        .select_related("unit")
        .order_by("unit_id", "retention_until", "pk")
    )
    managers: dict[int, list[User]] = {}
    created = 0
    for crate in due.iterator(chunk_size=500):
        if crate.unit_id not in managers:
            managers[crate.unit_id] = list(unit_role_holders(crate.unit_id, roles.DOCUMENT_MANAGER))
        if not managers[crate.unit_id]:
            continue
        created += len(
            notifications.notify(
                users=managers[crate.unit_id],
                title=f"Crate {crate.number} has reached its retention date",
                body=f"Retention ended on {crate.retention_until:%Y-%m-%d}; the crate may now be destroyed.",
                link=f"/crates/{crate.pk}",
                dedupe_key=f"retention:{crate.pk}:{crate.retention_until:%Y-%m-%d}",
                email=False,
            )
        )
    logger.info("retention scan %s: %d notification(s)", today.isoformat(), created)
    return created


@shared_task(**RELIABLE)
def retention_scan(today: str | None = None) -> int:
    return retention_scan_run(today=datetime.date.fromisoformat(today) if today else timezone.localdate())
