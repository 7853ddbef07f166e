from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.limits import LONG_TEXT_MAX_LENGTH, SECRET_MAX_LENGTH
from apps.inventory.imports import ERRORS_SHOWN, progress_of
from apps.inventory.models import CountResolution, InventoryCount, InventoryImport
from apps.policy import access
from apps.policy.states import CountStatus

# --- Counts: reads --------------------------------------------------------------------------


class CountLineSerializer(serializers.Serializer):
    crate = serializers.IntegerField()
    number = serializers.CharField()
    expected_location = serializers.IntegerField(allow_null=True)
    expected_location_path = serializers.CharField(allow_null=True)
    found_location = serializers.IntegerField(allow_null=True)
    found_location_path = serializers.CharField(allow_null=True)
    status = serializers.CharField(help_text="The crate's status when scanned (a missing crate: its status now)")


class CountResolutionOutputSerializer(serializers.Serializer):
    crate = serializers.IntegerField()
    number = serializers.CharField()
    action = serializers.ChoiceField(choices=CountResolution.Action.choices)


class CountSerializer(serializers.ModelSerializer):
    """A count in a list: its header, without the classified result."""

    unit_code = serializers.CharField(source="unit.code", read_only=True)
    location_path = serializers.CharField(source="location.path", read_only=True)
    counted_by_name = serializers.CharField(source="counted_by.full_name", read_only=True)
    reviewed_by_name = serializers.CharField(source="reviewed_by.full_name", read_only=True, default=None)
    expected_count = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = InventoryCount
        fields = [
            "id",
            "number",
            "status",
            "unit",
            "unit_code",
            "location",
            "location_path",
            "comment",
            "counted_by",
            "counted_by_name",
            "opened_at",
            "submitted_at",
            "reviewed_by",
            "reviewed_by_name",
            "reviewed_at",
            "review_comment",
            "cancelled_at",
            "expected_count",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_expected_count(self, obj: InventoryCount) -> int | None:
        # A blind count: how many crates are expected stays hidden while counting.
        return None if obj.status == CountStatus.OPEN else obj.expected_count

    def _scanner_ids(self, obj: InventoryCount) -> set[int]:
        scanner_ids = getattr(obj, "scanner_ids", None)
        if scanner_ids is None:
            scanner_ids = {scan.scanned_by_id for scan in obj.scans.all()}
        return set(scanner_ids)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=access.COUNT_ACTIONS)))
    def get_allowed_actions(self, obj: InventoryCount) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return access.count_allowed_actions(request.user, obj, scanner_ids=self._scanner_ids(obj))


class CountDetailSerializer(CountSerializer):
    """A count with its classified result (docs/api.md): blind while open."""

    scanned_count = serializers.SerializerMethodField()
    found = serializers.SerializerMethodField()
    misplaced = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()
    unexpected = serializers.SerializerMethodField()
    unknown = serializers.SerializerMethodField()
    resolutions = serializers.SerializerMethodField()

    class Meta(CountSerializer.Meta):
        fields = [
            *CountSerializer.Meta.fields,
            "scanned_count",
            "found",
            "misplaced",
            "missing",
            "unexpected",
            "unknown",
            "resolutions",
        ]
        read_only_fields = fields

    def _result(self, obj: InventoryCount) -> Any:
        # Set by the view from selectors.count_result (one classification per response).
        return getattr(obj, "result")  # noqa: B009

    def _scanner_ids(self, obj: InventoryCount) -> set[int]:
        return set(self._result(obj).scanner_ids)

    def get_scanned_count(self, obj: InventoryCount) -> int:
        return int(self._result(obj).scanned_count)

    @extend_schema_field(CountLineSerializer(many=True))
    def get_found(self, obj: InventoryCount) -> list[dict[str, Any]]:
        return [line.as_dict() for line in self._result(obj).found]

    @extend_schema_field(CountLineSerializer(many=True))
    def get_misplaced(self, obj: InventoryCount) -> list[dict[str, Any]]:
        return [line.as_dict() for line in self._result(obj).misplaced]

    @extend_schema_field(CountLineSerializer(many=True))
    def get_missing(self, obj: InventoryCount) -> list[dict[str, Any]]:
        return [line.as_dict() for line in self._result(obj).missing]

    @extend_schema_field(CountLineSerializer(many=True))
    def get_unexpected(self, obj: InventoryCount) -> list[dict[str, Any]]:
        return [line.as_dict() for line in self._result(obj).unexpected]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_unknown(self, obj: InventoryCount) -> list[str]:
        return list(self._result(obj).unknown)

    @extend_schema_field(CountResolutionOutputSerializer(many=True))
    def get_resolutions(self, obj: InventoryCount) -> list[dict[str, Any]]:
        return list(getattr(obj, "resolution_list", []))


class CountScanResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    crate = serializers.IntegerField(allow_null=True)
    number = serializers.CharField(allow_null=True)
    location = serializers.IntegerField()
    location_path = serializers.CharField()
    replaced = serializers.BooleanField(
        help_text="The same crate or code had been scanned before: the last scan counts"
    )
    count = CountDetailSerializer()


# --- Counts: writes -------------------------------------------------------------------------


class CountOpenSerializer(serializers.Serializer):
    location = serializers.IntegerField(min_value=1, help_text="A room, rack or shelf: the count covers its subtree")
    comment = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")


class CountScanInputSerializer(serializers.Serializer):
    location = serializers.IntegerField(min_value=1, help_text="Where the crate was scanned (inside the count)")
    code = serializers.CharField(max_length=200, trim_whitespace=True)


class CountCancelSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")


class CountResolutionInputSerializer(serializers.Serializer):
    crate = serializers.IntegerField(min_value=1)
    action = serializers.ChoiceField(choices=CountResolution.Action.choices)


class CountReviewSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=SECRET_MAX_LENGTH, trim_whitespace=False, help_text="The e-signature")
    comment = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")
    resolutions = CountResolutionInputSerializer(many=True, required=False, default=list)


# --- Imports --------------------------------------------------------------------------------


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The line as a spreadsheet shows it (header = 1)")
    field = serializers.CharField()
    message = serializers.CharField()


class ImportPreviewSerializer(serializers.Serializer):
    legacy_number = serializers.CharField()
    department = serializers.CharField()
    location = serializers.IntegerField()
    location_path = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    documents = serializers.IntegerField()
    rows = serializers.ListField(child=serializers.IntegerField())


class ImportProgressSerializer(serializers.Serializer):
    phase = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class ImportSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    created_by_name = serializers.CharField(source="created_by.full_name", read_only=True)
    # The import's row errors; DRF keeps declared fields apart from Serializer.errors.
    errors = serializers.SerializerMethodField()  # type: ignore[assignment]
    preview = ImportPreviewSerializer(many=True, read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = InventoryImport
        fields = [
            "id",
            "status",
            "unit",
            "unit_code",
            "file_name",
            "sha256",
            "rows",
            "crates",
            "documents",
            "errors",
            "error_count",
            "preview",
            "failure",
            "progress",
            "created_by",
            "created_by_name",
            "created_at",
            "validated_at",
            "committed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_errors(self, obj: InventoryImport) -> list[dict[str, Any]]:
        return list(obj.errors[:ERRORS_SHOWN])

    @extend_schema_field(ImportProgressSerializer(allow_null=True))
    def get_progress(self, obj: InventoryImport) -> dict[str, Any] | None:
        return progress_of(obj.pk)


class ImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX, at most 50,000 rows")
    unit = serializers.IntegerField(min_value=1, required=False, help_text="System Administrator only")
