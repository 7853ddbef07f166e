from typing import Any

from django.db import migrations, models


def backfill_barcodes(apps: Any, schema_editor: Any) -> None:
    """Existing locations get `LOC-<UNIT>-<code>` (unique: a unit's codes are unique)."""
    StorageLocation = apps.get_model("storage", "StorageLocation")
    locations = list(StorageLocation.objects.select_related("unit").order_by("pk"))
    for location in locations:
        location.barcode = f"LOC-{location.unit.code}-{location.code}"
    StorageLocation.objects.bulk_update(locations, ["barcode"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("storage", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="storagelocation",
            name="barcode",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(backfill_barcodes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="storagelocation",
            name="barcode",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
