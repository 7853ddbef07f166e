"""What follows a location change (occupancy included): its broadcast (docs/events.md), after the commit."""

from typing import Any

from django.dispatch import receiver

from apps.core import broadcast, domain_signals
from apps.storage.models import StorageLocation


@receiver(domain_signals.location_changed)
def broadcast_location_change(sender: Any, *, location: StorageLocation, action: str, **kwargs: Any) -> None:
    broadcast.entity_changed(
        entity="location",
        action=action,
        obj_id=location.pk,
        unit_ids=[location.unit_id],
        status="active" if location.is_active else "inactive",
        number=location.code,
    )
