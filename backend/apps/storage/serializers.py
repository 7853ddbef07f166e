from rest_framework import serializers

from apps.storage.models import StorageLocation


class StorageLocationSerializer(serializers.ModelSerializer):
    free = serializers.IntegerField(read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = StorageLocation
        fields = [
            "id",
            "unit",
            "unit_code",
            "parent",
            "kind",
            "code",
            "barcode",
            "name",
            "capacity",
            "occupied",
            "free",
            "path",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["barcode", "occupied", "path", "created_at", "updated_at"]
        validators: list = []  # per-unit code uniqueness is checked by the service
