"""What follows a request or send-back change: its broadcast (docs/events.md), after the commit.

A request is visible to its own unit and, for a transfer, to the target unit as well.
"""

from typing import Any

from django.dispatch import receiver

from apps.core import broadcast, domain_signals
from apps.policy import access
from apps.requests.models import Request, SendBack


def request_visible_unit_ids(request: Request) -> list[int]:
    unit_ids = [request.unit_id]
    if request.target_unit_id is not None and request.target_unit_id != request.unit_id:
        unit_ids.append(request.target_unit_id)
    return unit_ids


@receiver(domain_signals.request_changed)
def broadcast_request_change(sender: Any, *, request: Request, action: str, **kwargs: Any) -> None:
    # A draft is its author's alone (access.may_see_request): only their sockets hear of it.
    anyone_else = access.may_see_request(None, request)
    broadcast.entity_changed(
        entity="request",
        action=action,
        obj_id=request.pk,
        unit_ids=request_visible_unit_ids(request) if anyone_else else [],
        user_ids=[] if anyone_else else [request.requester_id],
        status=request.status,
        number=request.number,
    )


@receiver(domain_signals.sendback_changed)
def broadcast_sendback_change(sender: Any, *, sendback: SendBack, action: str, **kwargs: Any) -> None:
    broadcast.entity_changed(
        entity="sendback",
        action=action,
        obj_id=sendback.pk,
        unit_ids=[sendback.unit_id],
        status=sendback.status,
        number=sendback.number,
    )
