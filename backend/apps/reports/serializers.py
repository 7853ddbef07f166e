from rest_framework import serializers

from apps.reports.models import Report


class ReportRequestSerializer(serializers.Serializer):
    report = serializers.ChoiceField(choices=Report.Kind.choices)
    format = serializers.ChoiceField(choices=Report.Format.choices, default=Report.Format.CSV)
    filters = serializers.DictField(required=False, default=dict)


class ReportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id", "report", "format", "filters", "unit", "status", "done", "total", "error", "created_at",
            "finished_at", "download_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_download_url(self, report: Report) -> str | None:
        if report.status != Report.Status.DONE:
            return None
        return f"/api/reports/{report.pk}/download/"
