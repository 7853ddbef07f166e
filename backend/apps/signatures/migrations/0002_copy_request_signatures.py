"""Signatures moved from the requests app to their own, generic table (docs/domain.md).

Every request signature is copied with its id, so the `signature.signed` audit events already
written for it still name it. A signature written before signatures stored their content gets
the content it signed reconstructed from the request (number, type, purpose, items, meaning,
comment, signer, time) and its SHA-256; a `signature.migrated` audit event carries that hash,
so from this migration on the audit chain protects it like any new signature (21 CFR 11.70).
"""

import hashlib
import json
from datetime import UTC

from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations
from django.utils import timezone

from apps.audit.services import compute_hash, json_values


def _canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)


def _append_event(AuditEvent, AuditChainHead, **fields):
    AuditChainHead.objects.bulk_create([AuditChainHead(id=1)], ignore_conflicts=True)
    head = AuditChainHead.objects.select_for_update().get(id=1)
    event = AuditEvent(
        sequence=head.last_sequence + 1,
        timestamp=timezone.now(),
        actor=None,
        actor_username="",
        ip_address=None,
        user_agent="",
        request_id="",
        prev_hash=head.last_hash,
        **fields,
    )
    event.hash = compute_hash(event)
    event.save()
    head.last_sequence = event.sequence
    head.last_hash = event.hash
    head.save(update_fields=["last_sequence", "last_hash"])


def forwards(apps, schema_editor):
    OldSignature = apps.get_model("requests", "Signature")
    Signature = apps.get_model("signatures", "Signature")
    RequestItem = apps.get_model("requests", "RequestItem")
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    old_signatures = list(OldSignature.objects.select_related("request", "user").order_by("id"))
    if not old_signatures:
        return
    request_type, _ = ContentType.objects.get_or_create(app_label="requests", model="request")
    for old in old_signatures:
        request = old.request
        items = RequestItem.objects.filter(request_id=request.pk).select_related("crate", "document").order_by("id")
        content = json.loads(
            _canonical(
                {
                    "record": {"type": "request", "id": request.pk, "number": request.number},
                    "request_type": request.request_type,
                    "purpose": request.purpose,
                    "items": [
                        {"crate": item.crate.number, "document": item.document.number if item.document_id else None}
                        for item in items
                    ],
                    "meaning": old.meaning,
                    "comment": old.comment or "",
                    "signer": {"id": old.user_id, "username": old.username, "full_name": old.full_name},
                    "signed_at": old.signed_at.astimezone(UTC).isoformat(),
                }
            )
        )
        digest = hashlib.sha256(_canonical(content).encode("utf-8")).hexdigest()
        Signature.objects.create(
            id=old.pk,
            subject_type=request_type,
            subject_id=request.pk,
            subject_number=request.number,
            unit_id=request.unit_id,
            user_id=old.user_id,
            username=old.username,
            full_name=old.full_name,
            meaning=old.meaning,
            comment=old.comment,
            signed_at=old.signed_at,
            content=content,
            content_hash=digest,
        )
        _append_event(
            AuditEvent,
            AuditChainHead,
            action="signature.migrated",
            entity_type="signature",
            entity_id=str(old.pk),
            entity_repr=f"{request.number} — {old.meaning}"[:255],
            unit_id=request.unit_id,
            changes=json_values({"record": [None, content["record"]], "content_hash": [None, digest]}),
            comment="content reconstructed from the request when signatures moved to their own table",
        )
    # Ids were copied: the next new signature continues after them.
    with schema_editor.connection.cursor() as cursor:
        for statement in schema_editor.connection.ops.sequence_reset_sql(no_style(), [Signature]):
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("signatures", "0001_initial"),
        ("requests", "0003_signatures_insert_only"),
        ("audit", "0003_chain_head_append_only"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
