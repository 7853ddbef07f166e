"""Nightly audit-chain verification (SPEC §7, §8): a broken chain alerts the System Administrators."""

import logging
from typing import Any

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from apps.audit import services
from apps.auth import roles
from apps.auth.models import User
from apps.notifications import services as notifications
from config.celery import RELIABLE

logger = logging.getLogger("audit.verification")


def verify_audit_chain_run() -> dict[str, Any]:
    result = services.verify_chain()
    if result.valid:
        logger.info("audit chain verified: %d event(s)", result.checked)
        return result.as_dict()
    logger.error("AUDIT CHAIN BROKEN at sequence %s: %s", result.first_broken_sequence, result.reason)
    administrators = User.objects.filter(
        Q(is_superuser=True) | Q(groups__name=roles.SYSTEM_ADMINISTRATOR), is_active=True
    ).distinct()
    notifications.notify(
        users=list(administrators),
        title=f"Audit trail integrity check failed at event #{result.first_broken_sequence}",
        body=f"{result.reason}. {result.checked} event(s) before it verified. Investigate before further use "
        "(21 CFR Part 11 §11.10(e)).",
        link="/audit",
        # One alert per broken event per day, however often the check runs.
        dedupe_key=f"audit-chain:{result.first_broken_sequence}:{timezone.localdate():%Y-%m-%d}",
    )
    return result.as_dict()


@shared_task(**RELIABLE)
def verify_audit_chain() -> dict[str, Any]:
    return verify_audit_chain_run()
