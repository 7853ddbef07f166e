from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.limits import LONG_TEXT_MAX_LENGTH, SECRET_MAX_LENGTH
from apps.policy import access, rules
from apps.requests.models import Request, RequestItem, ReturnExtension, SendBack, SendBackItem
from apps.signatures.serializers import SignatureSerializer

# --- Reads ----------------------------------------------------------------------------------


class RequestItemSerializer(serializers.ModelSerializer):
    crate_number = serializers.CharField(source="crate.number", read_only=True)
    crate_status = serializers.CharField(source="crate.status", read_only=True)
    document_number = serializers.CharField(source="document.number", read_only=True, default=None)
    document_title = serializers.CharField(source="document.title", read_only=True, default=None)
    location_path = serializers.CharField(source="crate.location.path", read_only=True, default=None)
    # The unit with each place: after a transfer "taken from" and "now at" are in different units.
    location_unit_code = serializers.CharField(source="crate.location.unit.code", read_only=True, default=None)
    source_location_path = serializers.CharField(source="source_location.path", read_only=True, default=None)
    source_unit_code = serializers.CharField(source="source_location.unit.code", read_only=True, default=None)
    allocated_location_path = serializers.CharField(source="allocated_location.path", read_only=True, default=None)

    class Meta:
        model = RequestItem
        fields = [
            "id",
            "crate",
            "crate_number",
            "crate_status",
            "document",
            "document_number",
            "document_title",
            "is_open",
            "returned_at",
            "source_location",
            "source_location_path",
            "source_unit_code",
            "allocated_location",
            "allocated_location_path",
            "location_path",
            "location_unit_code",
        ]
        read_only_fields = fields


class RequestSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    target_unit_code = serializers.CharField(source="target_unit.code", read_only=True, default=None)
    requester_name = serializers.CharField(source="requester.full_name", read_only=True)
    decided_by_name = serializers.CharField(source="decided_by.full_name", read_only=True, default=None)
    executed_by_name = serializers.CharField(source="executed_by.full_name", read_only=True, default=None)
    received_by_name = serializers.CharField(source="received_by.full_name", read_only=True, default=None)
    destruction_witness_name = serializers.CharField(
        source="destruction_witness.full_name", read_only=True, default=None
    )
    items = RequestItemSerializer(many=True, read_only=True)
    signatures = SignatureSerializer(many=True, read_only=True)
    is_overdue = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Request
        fields = [
            "id",
            "number",
            "request_type",
            "status",
            "unit",
            "unit_code",
            "requester",
            "requester_name",
            *Request.HEADER_FIELDS,
            "target_unit_code",
            "items",
            "submitted_at",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "decision_comment",
            "executed_by",
            "executed_by_name",
            "executed_at",
            "received_by",
            "received_by_name",
            "received_at",
            "completed_at",
            "cancelled_at",
            "destruction_method",
            "destruction_vendor",
            "destruction_witness",
            "destruction_witness_name",
            "certificate_sha256",
            "is_overdue",
            "signatures",
            "allowed_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_overdue(self, obj: Request) -> bool:
        return rules.is_overdue(obj)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=access.REQUEST_ACTIONS)))
    def get_allowed_actions(self, obj: Request) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return access.request_allowed_actions(request.user, obj)


# --- Writes ---------------------------------------------------------------------------------


class ItemInputSerializer(serializers.Serializer):
    crate = serializers.IntegerField(min_value=1)
    document = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class AllocationSerializer(serializers.Serializer):
    crate = serializers.IntegerField(min_value=1)
    location = serializers.IntegerField(min_value=1)


class RequestCreateSerializer(serializers.ModelSerializer):
    """Type, header (Request.HEADER_FIELDS, validated as the model declares them) and items."""

    items = ItemInputSerializer(many=True, allow_empty=False)

    class Meta:
        model = Request
        fields = ["request_type", *Request.HEADER_FIELDS, "items", "unit"]
        extra_kwargs = {
            "unit": {
                "required": False,
                "allow_null": True,
                "help_text": "System Administrator only; others raise requests for their own unit.",
            },
        }


class RequestUpdateSerializer(serializers.ModelSerializer):
    """A draft's header and items; every field optional (only what is sent changes)."""

    items = ItemInputSerializer(many=True, allow_empty=False, required=False)

    class Meta:
        model = Request
        fields = [*Request.HEADER_FIELDS, "items"]
        extra_kwargs = {name: {"required": False} for name in Request.HEADER_FIELDS}


class SignInputSerializer(serializers.Serializer):
    password = serializers.CharField(
        max_length=SECRET_MAX_LENGTH, write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    comment = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")


class CancelInputSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")


class ExecuteInputSerializer(serializers.Serializer):
    allocations = AllocationSerializer(many=True, required=False, help_text="storage: every crate of the request")
    password = serializers.CharField(
        max_length=SECRET_MAX_LENGTH,
        required=False,
        write_only=True,
        trim_whitespace=False,
        help_text="destruction: the executor's e-signature",
    )
    method = serializers.ChoiceField(
        choices=Request.DestructionMethod.choices, required=False, help_text="destruction: how it was destroyed"
    )
    vendor = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="destruction: who destroyed it"
    )
    witness = serializers.IntegerField(
        required=False, help_text="destruction: the witness's user id (not the executor)"
    )
    witness_password = serializers.CharField(
        max_length=SECRET_MAX_LENGTH,
        required=False,
        write_only=True,
        trim_whitespace=False,
        help_text="destruction: the witness's e-signature, entered by the witness",
    )


class CertificateVerifyQuerySerializer(serializers.Serializer):
    sha256 = serializers.RegexField(
        r"^\s*[0-9a-fA-F]{64}\s*$",
        max_length=80,
        help_text="The SHA-256 printed on the certificate (64 hexadecimal digits)",
        error_messages={"invalid": "Give the 64 hexadecimal digits printed on the certificate."},
    )


class CertificateVerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField()


class SignaturePreviewQuerySerializer(serializers.Serializer):
    meaning = serializers.CharField(max_length=32)


class SignaturePreviewSerializer(serializers.Serializer):
    content = serializers.DictField(help_text="The canonical content the signature would sign")


class ReceiveInputSerializer(serializers.Serializer):
    allocations = AllocationSerializer(many=True, help_text="Every crate, to locations of the target unit")


# --- Send-backs -----------------------------------------------------------------------------


class SendBackItemSerializer(serializers.ModelSerializer):
    crate = serializers.IntegerField(source="request_item.crate_id", read_only=True)
    crate_number = serializers.CharField(source="request_item.crate.number", read_only=True)
    crate_status = serializers.CharField(source="request_item.crate.status", read_only=True)
    document = serializers.IntegerField(source="request_item.document_id", read_only=True, allow_null=True)
    document_number = serializers.CharField(source="request_item.document.number", read_only=True, default=None)
    document_title = serializers.CharField(source="request_item.document.title", read_only=True, default=None)
    location_path = serializers.CharField(source="location.path", read_only=True, default=None)

    class Meta:
        model = SendBackItem
        fields = [
            "id",
            "request_item",
            "crate",
            "crate_number",
            "crate_status",
            "document",
            "document_number",
            "document_title",
            "location",
            "location_path",
        ]
        read_only_fields = fields


class SendBackSerializer(serializers.ModelSerializer):
    request_number = serializers.CharField(source="request.number", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    returned_by_name = serializers.CharField(source="returned_by.full_name", read_only=True)
    received_by_name = serializers.CharField(source="received_by.full_name", read_only=True, default=None)
    items = SendBackItemSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = SendBack
        fields = [
            "id",
            "number",
            "request",
            "request_number",
            "unit",
            "unit_code",
            "status",
            "returned_by",
            "returned_by_name",
            "received_by",
            "received_by_name",
            "received_at",
            "condition_notes",
            "items",
            "allowed_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=access.SENDBACK_ACTIONS)))
    def get_allowed_actions(self, obj: SendBack) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return access.sendback_allowed_actions(request.user, obj)


class SendBackCreateSerializer(serializers.Serializer):
    request = serializers.IntegerField(min_value=1, help_text="The issued withdrawal request")
    items = ItemInputSerializer(many=True, allow_empty=False)
    condition_notes = serializers.CharField(
        max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class SendBackReceiveSerializer(serializers.Serializer):
    allocations = AllocationSerializer(
        many=True, required=False, help_text="Optional; default: each crate's previous location"
    )
    condition_notes = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True)


# --- Approval context (docs/workflows.md) --------------------------------------------------


class ContextDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    document_type_code = serializers.CharField()
    record_date = serializers.DateField()
    retention_until = serializers.DateField()
    status = serializers.CharField()
    in_request = serializers.BooleanField(help_text="The request names this document (or its whole crate)")


class ContextCrateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    department_name = serializers.CharField()
    location_path = serializers.CharField(allow_null=True, help_text="Where it is, or was before it went out")
    retention_until = serializers.DateField(allow_null=True)
    legal_hold = serializers.BooleanField()
    legal_hold_reason = serializers.CharField()
    due_for_destruction = serializers.BooleanField()
    whole_crate = serializers.BooleanField()
    documents = ContextDocumentSerializer(many=True)


class RequestContextSerializer(serializers.Serializer):
    crates = ContextCrateSerializer(many=True)


# --- Pick lists -----------------------------------------------------------------------------


class PickDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()


class PickItemSerializer(serializers.Serializer):
    request = serializers.IntegerField()
    request_number = serializers.CharField()
    crate = serializers.IntegerField()
    number = serializers.CharField(help_text="The crate's number")
    location = serializers.IntegerField(allow_null=True, help_text="Where the crate is; null before a put-away")
    location_path = serializers.CharField(allow_null=True)
    document = PickDocumentSerializer(allow_null=True, help_text="Null: the whole crate")


# --- Return-date extensions (docs/workflows.md) --------------------------------------------


class ExtensionInputSerializer(serializers.Serializer):
    requested_date = serializers.DateField()
    reason = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH)


class ReturnExtensionSerializer(serializers.ModelSerializer):
    request_number = serializers.CharField(source="request.number", read_only=True)
    request_status = serializers.CharField(source="request.status", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    requester_name = serializers.CharField(source="requester.full_name", read_only=True)
    decided_by_name = serializers.CharField(source="decided_by.full_name", read_only=True, default=None)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = ReturnExtension
        fields = [
            "id", "request", "request_number", "request_status", "unit", "unit_code", "requester", "requester_name",
            "previous_date", "requested_date", "reason", "status", "decided_by", "decided_by_name", "decided_at",
            "decision_comment", "created_at", "allowed_actions",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=access.EXTENSION_ACTIONS)))
    def get_allowed_actions(self, obj: ReturnExtension) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return access.extension_allowed_actions(request.user, obj)
