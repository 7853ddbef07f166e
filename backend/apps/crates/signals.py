"""What follows a crate change: its broadcast to the crate's unit (docs/events.md), after the commit."""

from collections.abc import Iterable
from typing import Any

from django.dispatch import receiver

from apps.core import broadcast, domain_signals
from apps.crates.models import Crate


@receiver(domain_signals.crate_changed)
def broadcast_crate_change(
    sender: Any, *, crate: Crate, action: str, extra_unit_ids: Iterable[int] = (), **kwargs: Any
) -> None:
    broadcast.entity_changed(
        entity="crate",
        action=action,
        obj_id=crate.pk,
        unit_ids=[crate.unit_id, *extra_unit_ids],
        status=crate.status,
        number=crate.number,
    )
