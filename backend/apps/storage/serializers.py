from rest_framework import serializers

from apps.core.reason_field import reason_field
from apps.storage.models import StorageLocation


class StorageLocationSerializer(serializers.ModelSerializer):
    free = serializers.IntegerField(read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    # A change of capacity or parent needs a reason (apps.policy.reasons).
    reason = reason_field()

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
            "reason",
        ]
        read_only_fields = ["barcode", "occupied", "path", "created_at", "updated_at"]
        validators: list = []  # per-unit code uniqueness is checked by the service
