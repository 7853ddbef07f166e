from django.conf import settings
from django.db import models


class Report(models.Model):
    """A background export (docs/background.md): a Celery task writes the file and reports progress."""

    class Kind(models.TextChoices):
        INVENTORY = "inventory", "Inventory"
        DOCUMENTS = "documents", "Documents"
        AUDIT = "audit", "Audit trail"
        OVERDUE = "overdue", "Overdue withdrawals"
        DESTRUCTION_DUE = "destruction_due", "Due for destruction"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    report = models.CharField(max_length=20, choices=Kind.choices)
    format = models.CharField(max_length=4, choices=Format.choices)
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Worker death (docs/background.md): the run writing the file beats at every chunk; a beat job
    # re-queues a report whose beat stopped, or fails it after REPORT_MAX_ATTEMPTS runs.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The run that owns the report: a run that was given up on stops when it notices.
    run_id = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="report_status_heartbeat_idx")]

    def __str__(self) -> str:
        return f"{self.report}.{self.format} #{self.pk}"
