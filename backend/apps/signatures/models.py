from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from apps.core.limits import LONG_TEXT_MAX_LENGTH


class Signature(models.Model):
    """An electronic signature (21 CFR Part 11 §11.50, §11.70, §11.200; docs/domain.md).

    It belongs to any record with a `number` (a request, a legal hold, a count, an audit
    review, ...): `subject` is generic. `content` is the canonical JSON of exactly what was
    signed and `content_hash` its SHA-256; the `signature.signed` audit event carries the hash,
    so the chain protects the link between the signature and the record's content (§11.70).
    Full name and username are copied at signing so the manifestation never changes later.
    Rows are written once: on PostgreSQL the application role may not update or delete them.
    """

    class Meaning(models.TextChoices):
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        DESTROYED = "destroyed", "Destruction executed"
        DESTRUCTION_WITNESSED = "destruction_witnessed", "Destruction witnessed"
        AUDIT_REVIEWED = "audit_reviewed", "Audit trail reviewed"
        COUNT_REVIEWED = "count_reviewed", "Count reviewed"
        RETENTION_CHANGED = "retention_changed", "Retention schedule changed"
        RETENTION_EXTENDED = "retention_extended", "Retention extended"
        HOLD_PLACED = "hold_placed", "Legal hold placed"
        HOLD_RELEASED = "hold_released", "Legal hold released"
        RETURN_EXTENDED = "return_extended", "Return date extended"

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    # The record's number at signing (REQ-2026-0001, HOLD-2026-0001, ...).
    subject_number = models.CharField(max_length=64)
    # Whose unit the signed record belongs to (null: company-wide); reads are scoped by it.
    unit = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures")
    username = models.CharField(max_length=150)
    full_name = models.CharField(max_length=200)
    meaning = models.CharField(max_length=32, choices=Meaning.choices)
    comment = models.CharField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    signed_at = models.DateTimeField()
    content = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["signed_at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="signature_subject_idx")]

    def __str__(self) -> str:
        return f"{self.full_name} — {self.meaning} — {self.signed_at:%Y-%m-%d %H:%M}"
