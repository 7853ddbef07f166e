"""Background work of the legacy import (docs/background.md): validate, then commit."""

import logging
from typing import Any

from celery import shared_task

from apps.inventory import imports
from config.celery import RELIABLE

logger = logging.getLogger(__name__)


@shared_task(**RELIABLE)
def validate_import(import_id: int) -> str:
    """Validate every row of an uploaded file; idempotent (only a `validating` import)."""
    result = imports.import_validate(import_id=import_id)
    return result.status if result is not None else "missing"


@shared_task(bind=True, **{key: value for key, value in RELIABLE.items() if key != "autoretry_for"})
def commit_import(self: Any, import_id: int) -> str:
    """Import a validated file in one transaction; idempotent (only an `importing` import).
    A failure rolls everything back and leaves the import `failed` with the reason."""
    try:
        result = imports.import_commit(import_id=import_id)
    except Exception:
        logger.exception("import %s failed", import_id)
        return "failed"
    return result.status if result is not None else "missing"
