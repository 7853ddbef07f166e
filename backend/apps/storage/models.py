from typing import Any

from django.db import models

BARCODE_PREFIX = "LOC"


def barcode_base(unit_code: str, code: str) -> str:
    """`LOC-<UNIT>-<code>` (docs/domain.md: location barcodes)."""
    return f"{BARCODE_PREFIX}-{unit_code}-{code}"


class StorageLocation(models.Model):
    """A room, rack, shelf or bin of a unit's archive; only capacity > 0 holds crates.

    `occupied` is maintained by the services that place and remove crates (under a row lock)
    and a CHECK constraint makes over-filling impossible even if a service were wrong.
    """

    class Kind(models.TextChoices):
        ROOM = "room", "Room"
        RACK = "rack", "Rack"
        SHELF = "shelf", "Shelf"
        BIN = "bin", "Bin"

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="locations")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(max_length=40)
    # Given once, when the location is made, and never changed (as a crate's number): a label
    # printed and stuck on a shelf stays valid even if the code or the unit's code is edited.
    barcode = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(max_length=200)
    capacity = models.PositiveIntegerField(default=0, help_text="Crates it can hold; 0 = not a place for crates")
    occupied = models.PositiveIntegerField(default=0, editable=False)
    # "Archive Room 1 / Rack A / Shelf 3", kept in step with the parents' names by the services.
    path = models.CharField(max_length=1000, blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__code", "path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="location_code_unique_per_unit"),
            models.CheckConstraint(
                condition=models.Q(occupied__lte=models.F("capacity")), name="location_occupied_within_capacity"
            ),
        ]

    def __str__(self) -> str:
        return self.path or self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.barcode:
            self.barcode = self.free_barcode(self.unit.code, self.code)
        super().save(*args, **kwargs)

    @classmethod
    def free_barcode(cls, unit_code: str, code: str) -> str:
        """`LOC-<UNIT>-<code>`; should a renamed location still carry it, `-2`, `-3`, ... is added."""
        base = barcode_base(unit_code, code)
        taken = set(cls.objects.filter(barcode__startswith=base).values_list("barcode", flat=True))
        candidate, suffix = base, 1
        while candidate in taken:
            suffix += 1
            candidate = f"{base}-{suffix}"
        return candidate

    @property
    def free(self) -> int:
        return max(self.capacity - self.occupied, 0)
