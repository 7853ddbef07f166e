from django.db import models


class NumberSequence(models.Model):
    """Last number issued per series (e.g. "CRT-GOA-2026"); numbers are never reused."""

    key = models.CharField(max_length=64, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"
