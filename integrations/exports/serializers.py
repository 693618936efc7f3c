"""Serializers of ``/v1/reports/export(s)`` (issue 17): shapes only; the services decide."""

from __future__ import annotations

from rest_framework import serializers

from trackyoursheets.api.fields import ChoiceField

from .models import ExportFormat, ExportStatus, ReportExport
from .services import export_download_path

PART_FORMATS = (("csv", "CSV"), ("xlsx", "XLSX"), ("pdf", "PDF"))


class ExportPartSerializer(serializers.Serializer):
    report = serializers.CharField(max_length=60)
    format = serializers.ChoiceField(choices=PART_FORMATS, default="csv")
    filters = serializers.DictField(required=False, default=dict, help_text="Added to the bundle's filters.")
    columns = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=60)


class ReportExportInputSerializer(serializers.Serializer):
    report = serializers.CharField(
        max_length=60,
        required=False,
        default="",
        help_text="A report name (time_entries, timesheets, tracked_hours, commission_transactions, "
        "commission_summary, import_batch_exceptions, hr_directory, hr_acknowledgements, audit_events, …); "
        "for a zip, the bundle's name.",
    )
    format = ChoiceField(ExportFormat)
    filters = serializers.DictField(
        required=False, default=dict, help_text="The list endpoint's query parameters (same FilterSet)."
    )
    columns = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=60, help_text="A subset, in order."
    )
    parts = ExportPartSerializer(many=True, required=False, help_text="The reports of a zip bundle.")
    bom = serializers.BooleanField(required=False, default=False, help_text="CSV: start with a UTF-8 BOM (Excel).")
    delimiter = serializers.ChoiceField(choices=((",", "comma"), (";", "semicolon")), required=False, default=",")

    def validate(self, attrs):
        if attrs["format"] != ExportFormat.ZIP and not attrs.get("report"):
            raise serializers.ValidationError({"report": ["Name the report to export."]})
        return attrs


class ReportExportProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(source="progress_done")
    total = serializers.IntegerField(source="progress_total")
    percent = serializers.IntegerField(source="progress_percent", min_value=0, max_value=100)


class ReportExportSerializer(serializers.ModelSerializer):
    status = ChoiceField(ExportStatus, read_only=True)
    format = ChoiceField(ExportFormat, read_only=True)
    progress = ReportExportProgressSerializer(source="*", read_only=True)
    rows = serializers.IntegerField(source="row_count", read_only=True)
    requested_by = serializers.CharField(source="actor_label", read_only=True)
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(
        help_text="A signed link that needs no token, valid until expires_at; null until the export is ready."
    )

    class Meta:
        model = ReportExport
        fields = [
            "id",
            "report",
            "format",
            "status",
            "filters",
            "columns",
            "parts",
            "progress",
            "rows",
            "size",
            "checksum",
            "file_name",
            "content_type",
            "error",
            "url",
            "download_url",
            "expires_at",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _base(self) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri("/").rstrip("/") if request is not None else ""

    def get_url(self, obj) -> str:
        return f"{self._base()}/v1/reports/exports/{obj.pk}"

    def get_download_url(self, obj) -> str | None:
        if obj.status != ExportStatus.READY:
            return None
        return self._base() + export_download_path(obj, signed=True)
