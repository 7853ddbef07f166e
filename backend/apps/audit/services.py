"""The audit service: every write path calls `record()` inside its own transaction."""

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from apps.audit import context, signals
from apps.audit.models import AuditChainHead, AuditEvent

audit_log = logging.getLogger("audit")

GENESIS_HASH = "0" * 64
_UNSET: Any = object()


def json_values(value: Any) -> Any:
    """What the JSON column gives back, so hashing before and after storage agree."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def canonical_payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "timestamp": event.timestamp.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "entity_repr": event.entity_repr,
        "unit_id": event.unit_id,
        "changes": event.changes,
        "comment": event.comment,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
    }


def compute_hash(event: AuditEvent) -> str:
    canonical = json.dumps(canonical_payload(event), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """Field values (foreign keys as ids) to diff later with `changes_between`."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = getattr(instance, attname)
    return json_values(values)


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def created_changes(instance: models.Model, fields: list[str]) -> dict[str, list[Any]]:
    return {name: [None, value] for name, value in snapshot(instance, fields).items()}


def _lock_head() -> AuditChainHead:
    """The chain's head row, locked: locking it serializes appends (one chain, no forks, under
    any concurrency). The row is made by the first append, so it is looked for first: one round
    trip on every append but the first."""
    head = AuditChainHead.objects.select_for_update().filter(id=1).first()
    if head is None:
        AuditChainHead.objects.bulk_create([AuditChainHead(id=1)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(id=1)
    return head


def record(
    *,
    action: str,
    instance: models.Model | None = None,
    entity_type: str = "",
    entity_id: Any = "",
    entity_repr: str = "",
    unit_id: int | None | Any = _UNSET,
    changes: dict[str, Any] | None = None,
    comment: str = "",
    actor: Any = _UNSET,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction (or its own); inside
    `appended_together`, when that block ends."""
    if instance is not None:
        entity_type = entity_type or instance._meta.model_name or ""
        entity_id = entity_id or instance.pk
        entity_repr = entity_repr or str(instance)
        if unit_id is _UNSET:
            unit_id = getattr(instance, "unit_id", None)
    if unit_id is _UNSET:
        unit_id = None
    ctx = context.current()
    if actor is _UNSET:
        actor = ctx.resolve_actor()

    event = AuditEvent(
        actor=actor,
        actor_username=getattr(actor, "username", "") if actor is not None else "",
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id) if entity_id not in (None, "") else "",
        entity_repr=str(entity_repr)[:255],
        unit_id=unit_id,
        changes=json_values(changes or {}),
        comment=comment,
        ip_address=ctx.ip_address,
        user_agent=ctx.user_agent,
        request_id=ctx.request_id,
    )
    pending = _pending.get()
    if pending is not None:  # inside `appended_together`: appended when it ends
        pending.append(event)
        return event
    # No savepoint of its own: an event that cannot be appended fails the caller's whole
    # write (nothing is done without its audit trail), and a savepoint is two round trips.
    with transaction.atomic(savepoint=False):
        _append([event])
    return event


# The events of the `appended_together` block being run, in the order recorded.
_pending: ContextVar[list[AuditEvent] | None] = ContextVar("audit_pending", default=None)


@contextmanager
def appended_together() -> Iterator[None]:
    """Append the events `record`ed inside the block to the chain together when it ends, in
    the order recorded and in one lock of the head, in the caller's transaction (a decorator
    under `transaction.atomic`, or a block inside one). Nothing is appended if the block
    raises.

    A transition that writes several events (an approval and its signature; a storage
    request's crates and the request) takes the head, which every writer queues for, at its
    end instead of at its first event, and in three round trips instead of three per event.
    Only for blocks that roll back as a whole: an event recorded in an inner savepoint that
    rolls back while the block goes on would still be appended."""
    if _pending.get() is not None:  # nested: the outermost block appends
        yield
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("appended_together() belongs inside the business transaction")
    pending: list[AuditEvent] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending:
        with transaction.atomic(savepoint=False):
            _append(pending)


def _append(events: list[AuditEvent]) -> None:
    """Chain `events` after the head, store them and move the head (the caller's transaction)."""
    head = _lock_head()
    now = timezone.now()  # after the lock: the chain's timestamps never go back
    sequence, prev_hash = head.last_sequence, head.last_hash
    for event in events:
        sequence += 1
        event.sequence, event.timestamp, event.prev_hash = sequence, now, prev_hash
        event.hash = compute_hash(event)
        prev_hash = event.hash
    if len(events) == 1:
        events[0].save()
        head.last_sequence, head.last_hash = sequence, prev_hash
        head.save(update_fields=["last_sequence", "last_hash"])
    else:
        AuditEvent.objects.bulk_create(events)
        _advance_head(events)
    lines = [(json.dumps({**canonical_payload(e), "hash": e.hash}, ensure_ascii=False), e.action) for e in events]

    def committed() -> None:
        for line, action in lines:
            _committed(line, action)

    transaction.on_commit(committed)


def record_many(entries: list[dict[str, Any]], *, actor: Any) -> list[AuditEvent]:
    """Append many events (`record`'s keyword arguments, without `actor`) in one lock of the
    head, in the caller's transaction: an import of thousands of crates writes one event per
    crate without thousands of round trips.

    The chain is the same as `record` one by one would make it. The head still moves one
    appended event at a time, the only move its trigger allows (migration 0003)."""
    if not entries:
        return []
    ctx = context.current()
    now = timezone.now()
    username = getattr(actor, "username", "") if actor is not None else ""
    with transaction.atomic():
        head = _lock_head()
        sequence, prev_hash = head.last_sequence, head.last_hash
        events = []
        for entry in entries:
            instance = entry.get("instance")
            sequence += 1
            event = AuditEvent(
                sequence=sequence,
                timestamp=now,
                actor=actor,
                actor_username=username,
                action=entry["action"],
                entity_type=entry.get("entity_type") or (instance._meta.model_name if instance is not None else ""),
                entity_id=str(entry.get("entity_id") or (instance.pk if instance is not None else "")),
                entity_repr=str(entry.get("entity_repr") or (instance if instance is not None else ""))[:255],
                unit_id=entry.get("unit_id", getattr(instance, "unit_id", None)),
                changes=json_values(entry.get("changes") or {}),
                comment=entry.get("comment", ""),
                ip_address=ctx.ip_address,
                user_agent=ctx.user_agent,
                request_id=ctx.request_id,
                prev_hash=prev_hash,
            )
            event.hash = compute_hash(event)
            prev_hash = event.hash
            events.append(event)
        AuditEvent.objects.bulk_create(events, batch_size=1000)
        _advance_head(events)
        lines = [json.dumps({**canonical_payload(event), "hash": event.hash}, ensure_ascii=False) for event in events]
        actions = Counter(event.action for event in events)

        def committed_all() -> None:
            # Every line to the audit log; the counters once per action (a metric write
            # per event would cost an import of thousands of crates a round trip each).
            for line in lines:
                audit_log.info(line)
            for action, number in actions.items():
                signals.event_committed.send(sender=AuditEvent, action=action, count=number)

        transaction.on_commit(committed_all)
    return events


def _advance_head(events: list[AuditEvent]) -> None:
    """Move the head over `events`, one appended event at a time (its trigger allows no other
    move). On PostgreSQL one statement does it: each update finds the row by the physical
    address the previous one returned, because updating one row thousands of times in a
    transaction by its key walks all its earlier versions each time."""
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    events_table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""
                DO $$
                DECLARE
                    head_tid tid;
                    step record;
                BEGIN
                    SELECT ctid INTO head_tid FROM {table} WHERE id = 1;
                    FOR step IN SELECT sequence, hash FROM {events_table}
                                WHERE sequence BETWEEN {int(events[0].sequence)} AND {int(events[-1].sequence)}
                                ORDER BY sequence
                    LOOP
                        UPDATE {table} SET last_sequence = step.sequence, last_hash = step.hash
                        WHERE ctid = head_tid RETURNING ctid INTO head_tid;
                    END LOOP;
                END $$;
                """  # noqa: S608 (a model's table name and two integers)
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET last_sequence = %s, last_hash = %s WHERE id = 1",  # noqa: S608
                [(event.sequence, event.hash) for event in events],
            )


def _committed(line: str, action: str) -> None:
    audit_log.info(line)
    signals.event_committed.send(sender=AuditEvent, action=action)


def record_separately(**kwargs: Any) -> AuditEvent:
    """Record an event that must survive the caller's rollback (refused signature, failed login).

    Call it outside the business transaction: a refused action changes nothing except the
    audit trail that says it was refused. `durable` makes Django raise RuntimeError inside
    one (a test case's own wrapping transaction does not count).
    """
    with transaction.atomic(durable=True):
        return record(**kwargs)


@dataclass(frozen=True)
class ChainVerification:
    valid: bool
    checked: int
    first_broken_sequence: int | None = None
    first_broken_id: int | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "checked": self.checked,
            "first_broken_sequence": self.first_broken_sequence,
            "first_broken_id": self.first_broken_id,
            "reason": self.reason,
        }


def verify_chain() -> ChainVerification:
    """Recompute every hash in order; name the first event that does not match."""
    result = _verify_chain()
    # /metrics reports the last result (dms_audit_chain_valid): an operator alerts on it.
    signals.chain_verified.send(sender=ChainVerification, result=result)
    return result


def _verify_chain() -> ChainVerification:
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        broken = ""
        if event.sequence != expected_sequence:
            broken = f"sequence gap: expected {expected_sequence}, found {event.sequence}"
        elif event.prev_hash != expected_prev:
            broken = "prev_hash does not match the previous event's hash"
        elif compute_hash(event) != event.hash:
            broken = "hash does not match the event's content"
        if broken:
            return ChainVerification(False, checked, event.sequence, event.pk, broken)
        checked += 1
        expected_prev = event.hash
        expected_sequence += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_sequence != checked or head.last_hash != expected_prev):
        return ChainVerification(
            False, checked, checked + 1, None, f"chain ends at #{checked} but the head records #{head.last_sequence}"
        )
    return ChainVerification(True, checked)
