"""What follows a count or an import change (docs/events.md): the broadcast to its unit after
the commit; for an import, also its background work (validation, then the commit)."""

import logging
from typing import Any

from django.dispatch import receiver

from apps.core import broadcast, domain_signals
from apps.inventory import tasks
from apps.inventory.models import InventoryCount, InventoryImport

logger = logging.getLogger(__name__)


@receiver(domain_signals.count_changed)
def broadcast_count_change(sender: Any, *, count: InventoryCount, action: str, **kwargs: Any) -> None:
    broadcast.entity_changed(
        entity="count",
        action=action,
        obj_id=count.pk,
        unit_ids=[count.unit_id],
        status=count.status,
        number=count.number,
    )


@receiver(domain_signals.import_changed)
def follow_import_change(sender: Any, *, inventory_import: InventoryImport, action: str, **kwargs: Any) -> None:
    broadcast.entity_changed(
        entity="import",
        action="created" if action == "created" else "updated",
        obj_id=inventory_import.pk,
        unit_ids=[inventory_import.unit_id],
        status=inventory_import.status,
        number=str(inventory_import.pk),
    )
    try:
        if action == "created":
            tasks.validate_import.delay(inventory_import.pk)
        elif action == "committed":
            tasks.commit_import.delay(inventory_import.pk)
    except Exception:  # a broker outage leaves the import waiting (logged) instead of failing the request
        logger.exception("could not queue the work of import %s", inventory_import.pk)
