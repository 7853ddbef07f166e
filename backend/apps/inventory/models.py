"""Cycle counts (inventory audits of a location subtree) and legacy inventory imports
(docs/workflows.md, "Cycle counts" and "Legacy inventory import")."""

from django.conf import settings
from django.db import models

from apps.core.limits import LONG_TEXT_MAX_LENGTH
from apps.policy import states


class InventoryCount(models.Model):
    Status = states.CountStatus

    number = models.CharField(max_length=40, unique=True, editable=False)
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    # The count covers this location and everything under it.
    location = models.ForeignKey("storage.StorageLocation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    comment = models.CharField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.CharField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Frozen when the count opens: how many crates were stored in the subtree.
    expected_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        permissions = [
            ("count_crates", "Can open, scan, submit and cancel inventory counts"),
            ("review_count", "Can review an inventory count"),
        ]

    def __str__(self) -> str:
        return self.number


class CountExpectation(models.Model):
    """One crate of the frozen expected set: stored at `location` when the count opened."""

    count = models.ForeignKey(InventoryCount, on_delete=models.CASCADE, related_name="expectations")
    crate = models.ForeignKey("crates.Crate", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("storage.StorageLocation", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["count", "crate"], name="count_expectation_unique")]

    def __str__(self) -> str:
        return f"{self.crate_id} expected at {self.location_id}"


class CountScan(models.Model):
    """The last scan of one code in a count. `key` is the crate's number when the code names a
    crate of the count's unit, else the code itself: scanning the same crate again replaces
    the earlier scan (INSERT .. ON CONFLICT on (count, key))."""

    count = models.ForeignKey(InventoryCount, on_delete=models.CASCADE, related_name="scans")
    key = models.CharField(max_length=200)
    code = models.CharField(max_length=200)
    crate = models.ForeignKey("crates.Crate", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The crate's status when it was scanned (an unexpected crate: withdrawn, in transit, ...).
    crate_status = models.CharField(max_length=12, blank=True)
    location = models.ForeignKey("storage.StorageLocation", on_delete=models.PROTECT, related_name="+")
    scanned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scanned_at = models.DateTimeField()

    class Meta:
        ordering = ["scanned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["count", "key"], name="count_scan_unique_key")]

    def __str__(self) -> str:
        return f"{self.key} at {self.location_id}"


class CountResolution(models.Model):
    """What the reviewer decided for one discrepant crate."""

    class Action(models.TextChoices):
        RELOCATE = "relocate", "Relocate"
        MARK_MISSING = "mark_missing", "Mark missing"
        IGNORE = "ignore", "Ignore"

    count = models.ForeignKey(InventoryCount, on_delete=models.CASCADE, related_name="resolutions")
    crate = models.ForeignKey("crates.Crate", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["count", "crate"], name="count_resolution_unique")]

    def __str__(self) -> str:
        return f"{self.crate_id}: {self.action}"


class InventoryImport(models.Model):
    Status = states.ImportStatus

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VALIDATING, db_index=True)
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=4)  # csv | xlsx
    sha256 = models.CharField(max_length=64)
    # The uploaded file itself: the worker that validates and the one that commits read it
    # from here (no shared file system needed), and the report re-reads it row by row.
    content = models.BinaryField()
    rows = models.PositiveIntegerField(default=0)
    crates = models.PositiveIntegerField(default=0)
    documents = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=list, blank=True)
    failure = models.CharField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    committed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.file_name})"
