from django.db import models


class EmailDelivery(models.Model):
    """One e-mail the system decided to send, keyed so that a task run twice sends once.

    The row is written (and locked) before the message goes out and marked sent in the same
    transaction: a second run of the task waits for the lock, then finds `sent_at` set.
    """

    dedupe_key = models.CharField(max_length=200, unique=True)
    recipient = models.EmailField()
    subject = models.CharField(max_length=300)
    notification = models.ForeignKey(
        "notifications.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "e-mail deliveries"

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"
