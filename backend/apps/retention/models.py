from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models

from apps.core.limits import LONG_TEXT_MAX_LENGTH
from apps.crates.models import Crate, DocumentType


class LegalHold(models.Model):
    """A legal hold case (docs/domain.md): while active, every crate it covers is on hold and
    can never be destroyed. It covers its explicit `crates` and, when `by_filter`, every crate
    that matches its filters — also crates created after it was placed. Whether a crate is on
    hold is the policy rule `apps.policy.rules.on_hold_q` / `is_on_hold`."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RELEASED = "released", "Released"

    number = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    reason = models.CharField(max_length=LONG_TEXT_MAX_LENGTH)
    # The unit whose staff manage and see the hold; None: company-wide (a System Administrator's).
    unit = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Filters (only when by_filter): a crate of `unit` (any unit when None), of `department`,
    # holding a document of `document_type` with a record date in [from, to].
    by_filter = models.BooleanField(default=False)
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document_type = models.ForeignKey(DocumentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    record_date_from = models.DateField(null=True, blank=True)
    record_date_to = models.DateField(null=True, blank=True)
    crates = models.ManyToManyField(Crate, blank=True, related_name="legal_holds")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    # The e-signatures of its placement and release (Part 11 §11.50: shown with the record).
    signatures = GenericRelation(
        "signatures.Signature", content_type_field="subject_type", object_id_field="subject_id"
    )

    class Meta:
        ordering = ["-placed_at", "-id"]
        permissions = [
            ("record_retention_event", "Can record a retention event for documents"),
            ("extend_retention", "Can extend the retention of crates in a disposition review"),
        ]

    def __str__(self) -> str:
        return self.number


class RetentionRecompute(models.Model):
    """A change of a document type's retention schedule, recomputed in the background
    (docs/background.md): every document of the type and every crate holding one."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="recomputes")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=LONG_TEXT_MAX_LENGTH)
    # {field: [old, new]} of the schedule change that caused it.
    changes = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    documents_changed = models.PositiveIntegerField(default=0)
    crates_changed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.document_type.code} recompute #{self.pk}"
