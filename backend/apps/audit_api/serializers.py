from typing import Any

from rest_framework import serializers

from apps.audit.models import AuditReview
from apps.auth.models import Unit
from apps.core.limits import LONG_TEXT_MAX_LENGTH, SECRET_MAX_LENGTH
from apps.signatures.serializers import SignatureSerializer


class AuditReviewInputSerializer(serializers.Serializer):
    """`{from, to, unit?, comment, password}`: dates inclusive; `unit` only for a System
    Administrator (others review their own unit; none: every unit)."""

    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)
    comment = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, allow_blank=True)
    password = serializers.CharField(max_length=SECRET_MAX_LENGTH, trim_whitespace=False, write_only=True)

    def get_fields(self) -> dict[str, Any]:
        # `from` is a Python keyword: the fields are added by name.
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields


class AuditReviewSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True, allow_null=True)
    reviewed_by_name = serializers.CharField(source="reviewed_by.full_name", read_only=True)
    signatures = SignatureSerializer(many=True, read_only=True)

    class Meta:
        model = AuditReview
        fields = [
            "id",
            "number",
            "unit",
            "unit_code",
            "comment",
            "reviewed_by",
            "reviewed_by_name",
            "reviewed_at",
            "events_reviewed",
            "first_sequence",
            "last_sequence",
            "chain_head_sequence",
            "chain_head_hash",
            "signatures",
        ]
        read_only_fields = fields

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(source="period_from", read_only=True)
        fields["to"] = serializers.DateField(source="period_to", read_only=True)
        return fields
