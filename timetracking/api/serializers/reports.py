"""REST shapes of CSV imports, the search and the summary report."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from trackyoursheets.api.filters import MAX_FILTER_NUMBER

from ...models import ImportJob

# =============================================================================
# Imports
# =============================================================================


class TimeImportCsvInputSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="multipart/form-data: the CSV file.")
    csv = serializers.CharField(required=False, help_text="JSON: the CSV text.", trim_whitespace=False)
    data = serializers.CharField(required=False, help_text="JSON: the CSV text (alias of csv).", trim_whitespace=False)


class TimeImportRowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The line in the file (the header is line 1).")
    reason = serializers.CharField()


class TimeImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    status = serializers.CharField(help_text="validated (dry run), completed or failed.")
    total_rows = serializers.IntegerField()
    valid_rows = serializers.IntegerField()
    created = serializers.IntegerField()
    error_count = serializers.IntegerField()
    row_errors = TimeImportRowErrorSerializer(many=True)


class TimeImportJobSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="pending, running, completed or failed.")
    progress = serializers.IntegerField(read_only=True, help_text="Percent of the rows processed.")
    created = serializers.IntegerField(source="created_count", read_only=True)
    row_errors = TimeImportRowErrorSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "url",
            "status",
            "progress",
            "dry_run",
            "filename",
            "total_rows",
            "processed_rows",
            "created",
            "error_count",
            "row_errors",
            "detail",
            "created_at",
            "updated_at",
            "finished_at",
        ]

    def get_url(self, job) -> str:
        return f"/v1/time-entries/imports/{job.pk}"


# =============================================================================
# Search and the summary report
# =============================================================================


class TimeSearchResultSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="project, task, client or entry.")
    category = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    url = serializers.CharField()
    badge = serializers.CharField()


class TimeSearchResponseSerializer(serializers.Serializer):
    results = TimeSearchResultSerializer(many=True)
    query = serializers.CharField()
    count = serializers.IntegerField()


class TimeSummaryProjectSerializer(serializers.Serializer):
    project_id = serializers.IntegerField()
    project_name = serializers.CharField()
    client_id = serializers.IntegerField(allow_null=True)
    hours = serializers.DecimalField(max_digits=14, decimal_places=2)
    billable_hours = serializers.DecimalField(max_digits=14, decimal_places=2)
    entries = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class TimeSummaryEmployeeSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField()
    user_id = serializers.IntegerField(allow_null=True)
    employee_name = serializers.CharField()
    hours = serializers.DecimalField(max_digits=14, decimal_places=2)
    billable_hours = serializers.DecimalField(max_digits=14, decimal_places=2)
    entries = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class TimeSummarySerializer(serializers.Serializer):
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    total_hours = serializers.DecimalField(max_digits=14, decimal_places=2)
    billable_hours = serializers.DecimalField(max_digits=14, decimal_places=2)
    total_entries = serializers.IntegerField()
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Billable hours x the effective rate, summed."
    )
    currency = serializers.CharField()
    by_project = TimeSummaryProjectSerializer(many=True)
    by_employee = TimeSummaryEmployeeSerializer(many=True)


class TimeSummaryResponseSerializer(serializers.Serializer):
    summary = TimeSummarySerializer()


class TimeSummaryQuerySerializer(serializers.Serializer):
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    project_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_FILTER_NUMBER)
    employee_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_FILTER_NUMBER)
    user_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_FILTER_NUMBER)

    def validate(self, attrs):
        if attrs.get("start_date") and attrs.get("end_date") and attrs["end_date"] < attrs["start_date"]:
            raise serializers.ValidationError({"end_date": [_("Must be on or after start_date.")]})
        return attrs
