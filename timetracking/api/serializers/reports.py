"""REST shapes of CSV imports, the search and the summary report."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from trackyoursheets.api.filters import MAX_FILTER_NUMBER

from ...models import ImportJob
from .entries import TimeEntrySerializer

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
    over_limit = serializers.ListField(
        child=serializers.DictField(),
        help_text="Days and weeks over a contract's hours limit with the file's lines in each "
        "(employee_id, contract_id, limit, from, to, hours, limit_hours, lines): refused rows, or "
        "imported and flagged when the organisation's over_limit is flag.",
    )


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
    billable_expenses = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Approved billable expenses, organisation's currency."
    )


class TimeSummaryClientSerializer(serializers.Serializer):
    client_id = serializers.IntegerField()
    client_name = serializers.CharField()
    billable_expenses = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Approved billable expenses, organisation's currency."
    )


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
    billable_expenses = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Approved (or reimbursed) billable expenses, summed."
    )
    by_project = TimeSummaryProjectSerializer(many=True)
    by_employee = TimeSummaryEmployeeSerializer(many=True)
    by_client = TimeSummaryClientSerializer(many=True, help_text="Billable expenses by client.")


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


# =============================================================================
# Tracked hours, timeline, tasks (issue 15 point 6)
# =============================================================================

_HOURS = {"max_digits": 14, "decimal_places": 2}


class TrackedHoursRowSerializer(serializers.Serializer):
    """One group. Which label fields a row carries depends on ``group_by``: employee_id and
    employee_name; project_id, project_name and client_id; task_id (null: time without a task),
    task_name, project_id and project_name; client_id (null: projects without a client) and
    client_name; date; week_start and week_end."""

    employee_id = serializers.IntegerField(required=False)
    employee_name = serializers.CharField(required=False)
    project_id = serializers.IntegerField(required=False)
    project_name = serializers.CharField(required=False)
    task_id = serializers.IntegerField(required=False, allow_null=True)
    task_name = serializers.CharField(required=False, allow_blank=True)
    client_id = serializers.IntegerField(required=False, allow_null=True)
    client_name = serializers.CharField(required=False, allow_blank=True)
    date = serializers.DateField(required=False, help_text="group_by=day: the local day.")
    week_start = serializers.DateField(required=False, help_text="group_by=week: the local Monday.")
    week_end = serializers.DateField(required=False, help_text="group_by=week: the local Sunday.")
    hours = serializers.DecimalField(**_HOURS)
    billable_hours = serializers.DecimalField(**_HOURS)
    entries = serializers.IntegerField()
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, help_text="Null unless you may see rates."
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        return {key: value for key, value in data.items() if key in instance}


class TrackedHoursSerializer(serializers.Serializer):
    group_by = serializers.CharField()
    currency = serializers.CharField(allow_null=True)
    total_hours = serializers.DecimalField(**_HOURS)
    billable_hours = serializers.DecimalField(**_HOURS)
    total_entries = serializers.IntegerField()
    amount = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        allow_null=True,
        help_text="Billable hours x the effective bill rate, summed; null unless you may see rates.",
    )
    rows = TrackedHoursRowSerializer(many=True)


class TimelineQuerySerializer(serializers.Serializer):
    employee_id = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_FILTER_NUMBER, help_text="Default: your own."
    )
    date = serializers.DateField(required=False, help_text="A local day (default: today in the employee's timezone).")
    period = serializers.ChoiceField(
        choices=["day", "week"], default="day", help_text="day, or the Monday-Sunday week holding date."
    )


class TimelineGapSerializer(serializers.Serializer):
    date = serializers.DateField()
    start_time = serializers.DateTimeField()
    end_time = serializers.DateTimeField()
    seconds = serializers.IntegerField()


class TaskReportRowSerializer(serializers.Serializer):
    task_id = serializers.IntegerField()
    task_name = serializers.CharField()
    project_id = serializers.IntegerField()
    project_name = serializers.CharField()
    status = serializers.CharField()
    assignee_id = serializers.IntegerField(allow_null=True)
    estimated_hours = serializers.DecimalField(**_HOURS, allow_null=True)
    tracked_hours = serializers.DecimalField(**_HOURS)
    remaining_hours = serializers.DecimalField(**_HOURS, allow_null=True, help_text="Negative when over.")
    percent_of_estimate = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    over_estimate = serializers.BooleanField()


class TaskReportSerializer(serializers.Serializer):
    rows = TaskReportRowSerializer(many=True)


class TimelineSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField()
    employee_name = serializers.CharField()
    timezone = serializers.CharField(help_text="The timezone of the employee's days.")
    period = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    total_hours = serializers.DecimalField(**_HOURS)
    gap_hours = serializers.DecimalField(**_HOURS)
    entries = TimeEntrySerializer(many=True)
    gaps = TimelineGapSerializer(many=True)
