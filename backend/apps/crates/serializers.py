from rest_framework import serializers

from apps.crates.models import DocumentType


class DocumentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentType
        fields = ["id", "code", "name", "retention_years", "is_active", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
