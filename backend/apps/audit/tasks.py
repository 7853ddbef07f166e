"""Nightly audit-chain verification (docs/audit.md, docs/background.md): a broken chain alerts the
System Administrators."""

import logging
from typing import Any

from celery import shared_task

from apps.audit import services, signals
from config.celery import RELIABLE

logger = logging.getLogger("audit.verification")


def verify_audit_chain_run() -> dict[str, Any]:
    result = services.verify_chain()
    if result.valid:
        logger.info("audit chain verified: %d event(s)", result.checked)
        return result.as_dict()
    logger.error("AUDIT CHAIN BROKEN at sequence %s: %s", result.first_broken_sequence, result.reason)
    # The alert (a notification to every System Administrator) is apps.notifications.signals'.
    signals.chain_broken.send(sender=services.ChainVerification, result=result)
    return result.as_dict()


@shared_task(**RELIABLE)
def verify_audit_chain() -> dict[str, Any]:
    return verify_audit_chain_run()
