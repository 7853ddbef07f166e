from django.db import models


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

    @property
    def free(self) -> int:
        return max(self.capacity - self.occupied, 0)
