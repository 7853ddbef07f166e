"""Broadcasts of request and send-back changes (SPEC §6), queued for after the commit.

A request is visible to its own unit and, for a transfer, to the target unit as well.
"""

from apps.core import broadcast
from apps.requests.models import Request, SendBack


def request_visible_unit_ids(request: Request) -> list[int]:
    unit_ids = [request.unit_id]
    if request.target_unit_id is not None and request.target_unit_id != request.unit_id:
        unit_ids.append(request.target_unit_id)
    return unit_ids


def request_changed(request: Request, action: str = "updated") -> None:
    broadcast.entity_changed(
        entity="request",
        action=action,
        obj_id=request.pk,
        unit_ids=request_visible_unit_ids(request),
        status=request.status,
        number=request.number,
    )


def sendback_changed(sendback: SendBack, action: str = "updated") -> None:
    broadcast.entity_changed(
        entity="sendback",
        action=action,
        obj_id=sendback.pk,
        unit_ids=[sendback.unit_id],
        status=sendback.status,
        number=sendback.number,
    )
