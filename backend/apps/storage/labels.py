"""What a location's label says (the layout and the formats are apps.core.labels')."""

from apps.core.labels import LabelContent, labels_pdf
from apps.storage.models import StorageLocation


def location_label(location: StorageLocation) -> LabelContent:
    """Needs the location's unit loaded."""
    lines = [
        f"Unit: {location.unit.code} - {location.unit.name}",
        f"{location.get_kind_display()}: {location.code} - {location.name}",
    ]
    if location.capacity:
        lines.append(f"Capacity: {location.capacity} crates")
    return LabelContent(
        code=location.barcode,
        heading=f"CIPLA DMS - {location.get_kind_display().upper()}",
        lines=lines,
        note=location.path,
        warning="" if location.is_active else "INACTIVE - DO NOT STORE",
    )


def location_label_pdf(location: StorageLocation) -> bytes:
    """The label of `location` (one 100 x 70 mm page) as PDF bytes."""
    return labels_pdf([location_label(location)], title=f"Location label {location.barcode}")
