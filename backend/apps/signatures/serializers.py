from rest_framework import serializers

from apps.core.limits import SECRET_MAX_LENGTH
from apps.signatures.models import Signature


class SignatureSerializer(serializers.ModelSerializer):
    """A signature as the records that hold it show it: who, when, what it means, and the hash
    of exactly what was signed (GET /api/signatures/{id}/verify/ recomputes it)."""

    class Meta:
        model = Signature
        fields = ["id", "meaning", "full_name", "username", "comment", "signed_at", "content_hash"]
        read_only_fields = fields


class SignatureDetailSerializer(serializers.ModelSerializer):
    subject_type = serializers.CharField(source="subject_type.model", read_only=True)

    class Meta:
        model = Signature
        fields = [
            "id",
            "meaning",
            "subject_type",
            "subject_id",
            "subject_number",
            "unit",
            "user",
            "full_name",
            "username",
            "comment",
            "signed_at",
            "content",
            "content_hash",
        ]
        read_only_fields = fields


class AuditEventRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    hash = serializers.CharField()
    content_hash = serializers.CharField(allow_null=True)


class SignatureVerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    content_hash = serializers.CharField()
    computed_hash = serializers.CharField()
    audit_event = AuditEventRefSerializer(allow_null=True)
    reason = serializers.CharField(allow_blank=True)


class CertificationInputSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=SECRET_MAX_LENGTH, trim_whitespace=False, write_only=True)


class CertificationSerializer(serializers.Serializer):
    signature_certified_at = serializers.DateTimeField()
    statement = serializers.CharField()
