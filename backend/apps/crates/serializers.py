from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.labels import FORMATS, MAX_LABELS
from apps.core.reason_field import reason_field
from apps.crates.models import Crate, Document, DocumentType
from apps.crates.selectors import SCAN_KINDS
from apps.policy import access, rules
from apps.storage.models import StorageLocation


class DocumentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentType
        fields = [
            "id",
            "code",
            "name",
            "retention_years",
            "retention_trigger",
            "event_name",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


# --- Documents ------------------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    """Document read."""

    crate_number = serializers.CharField(source="crate.number", read_only=True)
    crate_status = serializers.CharField(source="crate.status", read_only=True)
    crate_legal_hold = serializers.BooleanField(read_only=True)
    unit = serializers.IntegerField(source="crate.unit_id", read_only=True)
    unit_code = serializers.CharField(source="crate.unit.code", read_only=True)
    department_name = serializers.CharField(source="crate.department.name", read_only=True)
    location_path = serializers.CharField(source="crate.location.path", read_only=True, default=None)
    document_type_code = serializers.CharField(source="document_type.code", read_only=True)
    document_type_name = serializers.CharField(source="document_type.name", read_only=True)
    created_by_name = serializers.CharField(source="created_by.full_name", read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "crate",
            "crate_number",
            "crate_status",
            "crate_legal_hold",
            "unit",
            "unit_code",
            "department_name",
            "location_path",
            "number",
            "title",
            "document_type",
            "document_type_code",
            "document_type_name",
            "record_date",
            "trigger_date",
            "retention_until",
            "status",
            "created_by",
            "created_by_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DocumentWriteSerializer(serializers.ModelSerializer):
    """Document create / update: `{crate, number, title, document_type, record_date}`
    (Document.EDITABLE_FIELDS, validated as the model declares them).

    `crate` must be a crate the user can see (others are "does not exist"); it cannot change.
    A correction (update) needs `reason` (apps.policy.reasons).
    """

    reason = reason_field()

    class Meta:
        model = Document
        fields = ["crate", *Document.EDITABLE_FIELDS, "reason"]
        # The number's uniqueness within its crate is the service's check, with its own message.
        validators: list[Any] = []

    def __init__(self, *args: Any, crates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if crates is not None:
            self.fields["crate"].queryset = crates  # type: ignore[attr-defined]


# --- Crates ---------------------------------------------------------------------------------


class CrateSerializer(serializers.ModelSerializer):
    """Crate read (list)."""

    unit_code = serializers.CharField(source="unit.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    department_code = serializers.CharField(source="department.code", read_only=True)
    location_path = serializers.CharField(source="location.path", read_only=True, default=None)
    created_by_name = serializers.CharField(source="created_by.full_name", read_only=True)
    document_count = serializers.IntegerField(read_only=True)
    legal_hold = serializers.BooleanField(read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Crate
        fields = [
            "id",
            "number",
            "unit",
            "unit_code",
            "department",
            "department_code",
            "department_name",
            "location",
            "location_path",
            "previous_location",
            "status",
            "description",
            "retention_until",
            "retention_extended_until",
            "legal_hold",
            "document_count",
            "created_by",
            "created_by_name",
            "allowed_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=access.CRATE_ACTIONS)))
    def get_allowed_actions(self, obj: Crate) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return access.crate_allowed_actions(request.user, obj)


class HoldSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()


class CrateDetailSerializer(CrateSerializer):
    """Crate read with its documents and the active legal holds covering it."""

    documents = DocumentSerializer(many=True, read_only=True)
    holds = serializers.SerializerMethodField()

    class Meta(CrateSerializer.Meta):
        fields = [*CrateSerializer.Meta.fields, "documents", "holds"]
        read_only_fields = fields

    @extend_schema_field(HoldSummarySerializer(many=True))
    def get_holds(self, obj: Crate) -> list[dict[str, Any]]:
        if not getattr(obj, "legal_hold", False):
            return []
        holds = rules.covering_holds(obj).order_by("number").values("id", "number", "title")
        return list(holds)


class CrateCreateSerializer(serializers.ModelSerializer):
    """`{department, description}` (Crate.EDITABLE_FIELDS); `unit` is honoured for a System
    Administrator only."""

    class Meta:
        model = Crate
        fields = ["unit", *Crate.EDITABLE_FIELDS]
        extra_kwargs = {"unit": {"required": False, "allow_null": True}}


class CrateUpdateSerializer(serializers.ModelSerializer):
    """Draft crates only: Crate.EDITABLE_FIELDS, each optional (department: of the crate's unit);
    a correction needs `reason` (apps.policy.reasons)."""

    reason = reason_field()

    class Meta:
        model = Crate
        fields = [*Crate.EDITABLE_FIELDS, "reason"]
        extra_kwargs = {name: {"required": False} for name in Crate.EDITABLE_FIELDS}


class RelocateSerializer(serializers.Serializer):
    location = serializers.PrimaryKeyRelatedField(queryset=StorageLocation.objects.all())


# --- Neighbours (location-centred work, docs/workflows.md) ---------------------------------


class NeighbourCrateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Crate.Status.choices)
    legal_hold = serializers.BooleanField()
    retention_until = serializers.DateField(allow_null=True)


class NeighbourLocationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    path = serializers.CharField()
    kind = serializers.CharField()
    capacity = serializers.IntegerField()
    occupied = serializers.IntegerField()


class AdjacentLocationSerializer(NeighbourLocationSerializer):
    crates = NeighbourCrateSerializer(many=True)


class CrateNeighboursSerializer(serializers.Serializer):
    location = NeighbourLocationSerializer(allow_null=True)
    same_location = NeighbourCrateSerializer(many=True)
    adjacent = AdjacentLocationSerializer(many=True)


# --- Scan and labels ------------------------------------------------------------------------


class ScanQuerySerializer(serializers.Serializer):
    code = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text="The scanned or typed text")


class ScanResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(SCAN_KINDS))
    id = serializers.IntegerField()
    number_or_code = serializers.CharField()
    status = serializers.CharField()
    location_path = serializers.CharField(allow_null=True)
    crate = serializers.IntegerField(allow_null=True, help_text="The crate itself, or the document's crate")
    unit = serializers.CharField(help_text="The unit's code")


class LabelsInputSerializer(serializers.Serializer):
    crates = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    locations = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    subtree = serializers.BooleanField(default=False, help_text="locations: also every location under them")
    format = serializers.ChoiceField(choices=list(FORMATS), default="single")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        crates, locations = attrs.get("crates") or [], attrs.get("locations") or []
        if bool(crates) == bool(locations):
            raise serializers.ValidationError({"crates": ["Give either crates or locations (a non-empty list)."]})
        for name, ids in (("crates", crates), ("locations", locations)):
            if len(ids) > MAX_LABELS:
                raise serializers.ValidationError({name: [f"At most {MAX_LABELS} labels a call; {len(ids)} given."]})
        if attrs["subtree"] and not locations:
            raise serializers.ValidationError({"subtree": ["Only with locations."]})
        return attrs
