from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models

from apps.core.limits import LONG_TEXT_MAX_LENGTH
from apps.core.loading import FastLoading
from apps.policy import states


class DestructionMethod(models.TextChoices):
    SHREDDING = "shredding", "Shredding"
    INCINERATION = "incineration", "Incineration"
    PULPING = "pulping", "Pulping"
    OTHER = "other", "Other"


class Request(FastLoading):
    # The enums live with the state tables (apps.policy.states).
    Type = states.RequestType
    Status = states.RequestStatus
    DestructionMethod = DestructionMethod

    number = models.CharField(max_length=40, unique=True, editable=False)
    request_type = models.CharField(max_length=12, choices=Type.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requests")
    purpose = models.CharField(max_length=LONG_TEXT_MAX_LENGTH)
    expected_return_date = models.DateField(null=True, blank=True)
    target_unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="incoming_transfers"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.CharField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    executed_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The certificate of destruction (docs/workflows.md): how and by whom the crates were
    # destroyed, the witness who e-signed beside the executor, and the SHA-256 of the
    # certificate's canonical content, printed on it so a paper copy can be checked.
    destruction_method = models.CharField(max_length=12, choices=DestructionMethod.choices, blank=True)
    destruction_vendor = models.CharField(max_length=200, blank=True)
    destruction_witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    certificate_content = models.JSONField(null=True, blank=True, editable=False)
    certificate_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The electronic signatures of the request (approve, reject, destruction and its witness).
    signatures = GenericRelation(
        "signatures.Signature", content_type_field="subject_type", object_id_field="subject_id"
    )

    # The header a requester fills in and may edit while the request is a draft. The API's
    # input and output, the audit events, draft editing and the search (its text fields) all
    # read this list: a new header field is a model field above plus its name here.
    HEADER_FIELDS = ("purpose", "expected_return_date", "target_unit")

    class Meta:
        ordering = ["-created_at", "-id"]
        # The list's order: a page's keys are read from the index in order (the scope filters
        # along), not sorted from all of a unit's requests (OPTIMIZATIONS.md §2.F).
        indexes = [models.Index(models.F("created_at").desc(), models.F("id").desc(), name="request_recent_idx")]
        permissions = [
            ("approve_request", "Can approve or reject requests"),
            ("execute_request", "Can execute requests and receive transfers"),
        ]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def text_header_fields(cls) -> list[str]:
        """The header fields holding text: what the request search looks in besides the number."""
        return [
            name
            for name in cls.HEADER_FIELDS
            if isinstance(cls._meta.get_field(name), models.CharField | models.TextField)
        ]


class RequestItem(models.Model):
    """A crate taken whole (document null) or one document of a crate.

    `is_open` is true while the item is tied up in an open request (draft .. issued, until
    returned); the partial unique constraints make "at most one open request per document /
    per whole crate" a database rule, not only a service check.
    """

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="items")
    crate = models.ForeignKey("crates.Crate", on_delete=models.PROTECT, related_name="request_items")
    document = models.ForeignKey(
        "crates.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="request_items"
    )
    is_open = models.BooleanField(default=True)
    # Where the crate was when the request took it out (withdrawal, destruction, transfer).
    source_location = models.ForeignKey(
        "storage.StorageLocation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Where the request put it (storage, transfer receipt).
    allocated_location = models.ForeignKey(
        "storage.StorageLocation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(is_open=True, document__isnull=False),
                name="one_open_request_per_document",
            ),
            models.UniqueConstraint(
                fields=["crate"],
                condition=models.Q(is_open=True, document__isnull=True),
                name="one_open_request_per_whole_crate",
            ),
            models.UniqueConstraint(fields=["request", "crate", "document"], name="request_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: crate {self.crate_id}" + (f" doc {self.document_id}" if self.document_id else "")


class SendBack(models.Model):
    Status = states.SendBackStatus

    number = models.CharField(max_length=40, unique=True, editable=False)
    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="sendbacks")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="sendbacks")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    condition_notes = models.CharField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("receive_sendback", "Can receive send-backs")]

    def __str__(self) -> str:
        return self.number


class SendBackItem(models.Model):
    sendback = models.ForeignKey(SendBack, on_delete=models.CASCADE, related_name="items")
    request_item = models.ForeignKey(RequestItem, on_delete=models.PROTECT, related_name="sendback_items")
    location = models.ForeignKey(
        "storage.StorageLocation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["sendback", "request_item"], name="sendback_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.sendback_id}: item {self.request_item_id}"


class ReturnExtension(models.Model):
    """A requester's ask for a later return date of an issued withdrawal (docs/workflows.md),
    decided by an Approver with an electronic signature; approval moves the request's
    `expected_return_date`."""

    Status = states.ExtensionStatus

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="extensions")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    previous_date = models.DateField()
    requested_date = models.DateField()
    reason = models.CharField(max_length=LONG_TEXT_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.CharField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open ask per withdrawal: a second waits until the first is decided.
            models.UniqueConstraint(
                fields=["request"], condition=models.Q(status="pending"), name="one_pending_extension_per_request"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.number}: {self.previous_date} -> {self.requested_date}"

    @property
    def number(self) -> str:
        return self.request.number
