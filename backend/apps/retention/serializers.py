from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.auth.models import Department, Unit
from apps.core.limits import LONG_TEXT_MAX_LENGTH
from apps.crates.models import Crate, Document, DocumentType
from apps.crates.serializers import CrateSerializer, DocumentTypeSerializer
from apps.retention import services
from apps.retention.models import LegalHold, RetentionRecompute
from apps.signatures.serializers import SignatureSerializer


class DocumentTypeWriteSerializer(DocumentTypeSerializer):
    """Document type create / update; any change needs `reason` (apps.policy.reasons), and
    `password` (e-signature `retention_changed`) when it shortens retention."""

    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX_LENGTH
    )
    password = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")

    class Meta(DocumentTypeSerializer.Meta):
        fields = [*DocumentTypeSerializer.Meta.fields, "reason", "password"]


class RetentionRecomputeSerializer(serializers.ModelSerializer):
    document_type_code = serializers.CharField(source="document_type.code", read_only=True)
    requested_by_name = serializers.CharField(source="requested_by.full_name", read_only=True)

    class Meta:
        model = RetentionRecompute
        fields = [
            "id",
            "document_type",
            "document_type_code",
            "requested_by",
            "requested_by_name",
            "reason",
            "changes",
            "status",
            "done",
            "total",
            "documents_changed",
            "crates_changed",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class DocumentTypeChangeSerializer(DocumentTypeSerializer):
    """A document type's read after a change, with the background recompute it started (if any)."""

    recompute = serializers.SerializerMethodField()

    class Meta(DocumentTypeSerializer.Meta):
        fields = [*DocumentTypeSerializer.Meta.fields, "recompute"]

    @extend_schema_field(RetentionRecomputeSerializer(allow_null=True))
    def get_recompute(self, obj: DocumentType) -> dict[str, Any] | None:
        recompute = self.context.get("recompute")
        return RetentionRecomputeSerializer(recompute).data if recompute is not None else None


class SchedulePreviewInputSerializer(serializers.Serializer):
    """A proposed schedule change (the fields of a document type's update that the schedule is)."""

    retention_years = serializers.IntegerField(min_value=0, max_value=32767, required=False)
    retention_trigger = serializers.ChoiceField(choices=DocumentType.RetentionTrigger.choices, required=False)
    event_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX_LENGTH)


class SchedulePreviewSerializer(serializers.Serializer):
    """What a schedule change would do; `content` is exactly what the signature would sign
    (null when the change does not shorten retention and so needs no signature)."""

    changes = serializers.DictField(child=serializers.ListField())
    signature_required = serializers.BooleanField()
    documents = serializers.IntegerField()
    content = serializers.DictField(allow_null=True)


class RetentionEventSerializer(serializers.Serializer):
    document_type = serializers.PrimaryKeyRelatedField(queryset=DocumentType.objects.all())
    event_date = serializers.DateField()
    documents = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=True, max_length=5000)
    reason = serializers.CharField(allow_blank=True, max_length=LONG_TEXT_MAX_LENGTH)


class RetentionEventResultSerializer(serializers.Serializer):
    documents = serializers.IntegerField()
    crates = serializers.IntegerField()


class HoldSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True, default=None)
    department_code = serializers.CharField(source="department.code", read_only=True, default=None)
    document_type_code = serializers.CharField(source="document_type.code", read_only=True, default=None)
    placed_by_name = serializers.CharField(source="placed_by.full_name", read_only=True)
    released_by_name = serializers.CharField(source="released_by.full_name", read_only=True, default=None)
    crate_numbers = serializers.SerializerMethodField()
    signatures = SignatureSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = LegalHold
        fields = [
            "id",
            "number",
            "title",
            "reason",
            "unit",
            "unit_code",
            "by_filter",
            "department",
            "department_code",
            "document_type",
            "document_type_code",
            "record_date_from",
            "record_date_to",
            "crates",
            "crate_numbers",
            "status",
            "placed_by",
            "placed_by_name",
            "placed_at",
            "released_by",
            "released_by_name",
            "released_at",
            "release_reason",
            "signatures",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_crate_numbers(self, obj: LegalHold) -> list[str]:
        return sorted(crate.number for crate in obj.crates.all())

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=["release"])))
    def get_allowed_actions(self, obj: LegalHold) -> list[str]:
        request = self.context.get("request")
        return services.hold_allowed_actions(request.user, obj) if request is not None else []


class HoldCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, allow_blank=True)
    reason = serializers.CharField(allow_blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    crates = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False, allow_null=True)
    document_type = serializers.PrimaryKeyRelatedField(
        queryset=DocumentType.objects.all(), required=False, allow_null=True
    )
    record_date_from = serializers.DateField(required=False, allow_null=True)
    record_date_to = serializers.DateField(required=False, allow_null=True)
    password = serializers.CharField(allow_blank=True, required=False, default="")


class HoldPreviewSerializer(HoldCreateSerializer):
    """A hold as it would be placed (no password: nothing is signed)."""

    password = None  # type: ignore[assignment]


class HoldReleaseSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    password = serializers.CharField(allow_blank=True, required=False, default="")


class HoldSignaturePreviewSerializer(serializers.Serializer):
    content = serializers.DictField(help_text="The canonical content the signature would sign")


class CrateLegalHoldSerializer(serializers.Serializer):
    legal_hold = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX_LENGTH)
    password = serializers.CharField(allow_blank=True, required=False, default="")


class DispositionDocumentSerializer(serializers.ModelSerializer):
    document_type_code = serializers.CharField(source="document_type.code", read_only=True)
    document_type_name = serializers.CharField(source="document_type.name", read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "number",
            "title",
            "document_type",
            "document_type_code",
            "document_type_name",
            "record_date",
            "trigger_date",
            "retention_until",
            "status",
        ]
        read_only_fields = fields


class DispositionCrateSerializer(CrateSerializer):
    """A crate of the disposition review: due now (`due`) or within the window, with its documents."""

    documents = DispositionDocumentSerializer(many=True, read_only=True)
    due = serializers.SerializerMethodField()

    class Meta(CrateSerializer.Meta):
        fields = [*CrateSerializer.Meta.fields, "documents", "due"]
        read_only_fields = fields

    def get_due(self, obj: Crate) -> bool:
        today = self.context["today"]
        return obj.retention_until is not None and obj.retention_until <= today


class DispositionQuerySerializer(serializers.Serializer):
    within_days = serializers.IntegerField(min_value=0, max_value=3650, required=False, default=90)


class DispositionExtendSerializer(serializers.Serializer):
    crates = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=True, max_length=500)
    retain_until = serializers.DateField()
    reason = serializers.CharField(allow_blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    password = serializers.CharField(allow_blank=True, required=False, default="")
