from django.conf import settings
from django.db import models

from apps.core.limits import LONG_TEXT_MAX_LENGTH
from apps.core.loading import FastLoading
from apps.policy import states


class DocumentType(models.Model):
    class RetentionTrigger(models.TextChoices):
        # retention_until = record_date + retention_years
        RECORD_DATE = "record_date", "Record date"
        # retention_until = trigger_date (the event's date) + retention_years; none until recorded
        EVENT = "event", "Event"

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    retention_years = models.PositiveSmallIntegerField()
    retention_trigger = models.CharField(
        max_length=12, choices=RetentionTrigger.choices, default=RetentionTrigger.RECORD_DATE
    )
    # What starts the retention of an event-triggered type ("batch expiry", "study closure").
    event_name = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Crate(FastLoading):
    # The enum lives with the crate state table (apps.policy.states).
    Status = states.CrateStatus

    number = models.CharField(max_length=40, unique=True, editable=False)
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="crates")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="crates")
    location = models.ForeignKey(
        "storage.StorageLocation", null=True, blank=True, on_delete=models.PROTECT, related_name="crates"
    )
    # Where the crate was before it left storage; a send-back returns it there by default.
    previous_location = models.ForeignKey(
        "storage.StorageLocation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    description = models.CharField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    # The latest retention of its documents (or the extension below, if later); None while a
    # document waits for its retention event: such a crate never becomes due (docs/domain.md).
    retention_until = models.DateField(null=True, blank=True, db_index=True)
    # Set by a disposition review's extension (e-signed): the crate is kept at least until then.
    retention_extended_until = models.DateField(null=True, blank=True)
    # The crate's number in the spreadsheet it was imported from (docs/workflows.md, "Legacy
    # inventory import"); empty for crates made here.
    legacy_number = models.CharField(max_length=100, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What its creator fills in and may change while the crate is a draft: the API's input,
    # the services, the admin and the audit read this list, so a new field is a model field
    # above plus its name here.
    EDITABLE_FIELDS = ("department", "description")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                models.F("unit"),
                models.F("status"),
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="crate_unit_status_recent_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "legacy_number"],
                condition=~models.Q(legacy_number=""),
                name="crate_legacy_number_unique_per_unit",
            ),
        ]
        permissions = [
            ("set_legal_hold", "Can set or clear a legal hold"),
            ("relocate_crate", "Can relocate a stored crate"),
        ]

    def __str__(self) -> str:
        return self.number


class Document(FastLoading):
    class Status(models.TextChoices):
        IN_STORAGE = "in_storage", "In storage"
        WITHDRAWN = "withdrawn", "Withdrawn"
        DESTROYED = "destroyed", "Destroyed"

    crate = models.ForeignKey(Crate, on_delete=models.PROTECT, related_name="documents")
    number = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="documents")
    record_date = models.DateField()
    # The date of its type's retention event (event-triggered types only; None until recorded).
    trigger_date = models.DateField(null=True, blank=True)
    # None while an event-triggered document waits for its event.
    retention_until = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_STORAGE, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What is filled in and may change while its crate is a draft (as Crate.EDITABLE_FIELDS).
    EDITABLE_FIELDS = ("number", "title", "document_type", "record_date")

    class Meta:
        ordering = ["crate_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["crate", "number"], name="document_number_unique_per_crate"),
        ]
        # A schedule change recomputes a type's documents by record date; holds filter by both.
        indexes = [models.Index(fields=["document_type", "record_date"], name="document_type_record_date_idx")]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"
