from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("Audit events are immutable")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise PermissionError("Audit events are immutable")


class AuditEvent(models.Model):
    """One link of the tamper-evident audit trail (docs/audit.md, 21 CFR Part 11 §11.10(e)).

    `hash` = SHA-256 over the canonical event and `prev_hash`; `sequence` orders the chain.
    Rows are append-only: the ORM refuses update/delete here, and on PostgreSQL triggers
    reject UPDATE, DELETE and TRUNCATE (migration 0002).
    """

    sequence = models.PositiveBigIntegerField(unique=True)
    timestamp = models.DateTimeField(db_index=True)
    # Users are never deleted (approval history must survive), so PROTECT never fires.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    entity_type = models.CharField(max_length=64)
    entity_id = models.CharField(max_length=64, blank=True)
    entity_repr = models.CharField(max_length=255, blank=True)
    # Which unit the event belongs to, for unit-scoped reading; null = system-wide.
    unit = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["entity_type", "entity_id"], name="audit_entity_idx"),
            models.Index(fields=["unit", "-sequence"], name="audit_unit_seq_idx"),
        ]
        permissions = [
            ("export_auditevent", "Can export the audit trail"),
            ("review_auditevent", "Can record a review of the audit trail"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.entity_type}:{self.entity_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("Audit events are immutable")


class AuditChainHead(models.Model):
    """Single row holding the end of the chain; locking it serializes appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.last_sequence}"


class AuditReview(models.Model):
    """A periodic review of the audit trail (EU GMP Annex 11 §9; docs/audit.md).

    The reviewer e-signs (meaning `audit_reviewed`) that they reviewed the events of
    `period_from`..`period_to` (dates, inclusive) of `unit` (null: every unit, by a System
    Administrator). The chain head at review time is kept, so the review names exactly which
    chain it saw: any later change to an event of that range breaks the chain before this head.
    """

    number = models.CharField(max_length=32, unique=True)
    unit = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    period_from = models.DateField()
    period_to = models.DateField()
    comment = models.TextField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()
    # What the range held in the reviewed scope when it was reviewed.
    events_reviewed = models.PositiveIntegerField()
    first_sequence = models.PositiveBigIntegerField(null=True, blank=True)
    last_sequence = models.PositiveBigIntegerField(null=True, blank=True)
    # The end of the chain at review time (before the review's own events).
    chain_head_sequence = models.PositiveBigIntegerField()
    chain_head_hash = models.CharField(max_length=64)
    # Its e-signature (meaning `audit_reviewed`), shown with the review (Part 11 §11.50).
    signatures = GenericRelation(
        "signatures.Signature", content_type_field="subject_type", object_id_field="subject_id"
    )

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["unit", "-period_to"], name="audit_review_unit_idx")]

    def __str__(self) -> str:
        return f"{self.number} ({self.period_from} – {self.period_to})"
