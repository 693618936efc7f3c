"""REST shapes of timesheets (issue 15): the list row, the detail (days, projects, tasks,
billable totals and the entries), the actions' inputs and the settings."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from trackyoursheets.api.fields import ChoiceField, ScopedPrimaryKeyRelatedField
from trackyoursheets.limits import MAX_WHOLE_NUMBER

from ... import selectors, sheet_totals
from ...choices import OverLimitPolicy, TimesheetPeriod, TimesheetStatus
from ...models import REASON_MAX_LENGTH, Timesheet, TimesheetSettings, employee_timezone
from ...services.limits import over_limit_spans
from ...services.timesheets import MAX_BULK_APPROVE
from .entries import EmployeeInputMixin, TimeEntrySerializer


class TimesheetTotalsSerializer(serializers.Serializer):
    hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    billable_hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    non_billable_hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    entries = serializers.IntegerField()


def _figures(bucket: sheet_totals.Bucket) -> dict:
    return {
        "hours": str(selectors.hours(bucket.seconds)),
        "billable_hours": str(selectors.hours(bucket.billable_seconds)),
        "non_billable_hours": str(selectors.hours(bucket.seconds - bucket.billable_seconds)),
        "entries": bucket.entries,
    }


class TimesheetSerializer(serializers.ModelSerializer):
    # one employee's timesheet of one period (no docstring: it would become the OpenAPI description)

    employee_id = serializers.IntegerField(read_only=True)
    user_id = serializers.SerializerMethodField(help_text="The employee's login, if any.")
    employee_name = serializers.SerializerMethodField()
    office_id = serializers.SerializerMethodField()
    status = ChoiceField(choices=TimesheetStatus.choices, read_only=True)
    decided_by = serializers.CharField(
        source="decided_by_label", read_only=True, help_text="Who approved or rejected it last."
    )
    totals = serializers.SerializerMethodField(help_text="Hours of the finished entries of the period.")

    class Meta:
        model = Timesheet
        fields = [
            "id",
            "employee_id",
            "user_id",
            "employee_name",
            "office_id",
            "period_start",
            "period_end",
            "status",
            "submitted_at",
            "decided_at",
            "decided_by",
            "rejection_reason",
            "reopened_at",
            "reopen_reason",
            "totals",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(TimesheetTotalsSerializer)
    def get_totals(self, timesheet) -> dict:
        """A list page's totals are read for the whole page at once (``list_totals`` in the context)."""
        page = self.context.get("list_totals")
        if page is not None and timesheet.pk in page:
            return _figures(page[timesheet.pk])
        return _figures(sheet_totals.timesheet_content(timesheet=timesheet).total)

    def get_user_id(self, timesheet) -> int | None:
        membership = timesheet.employee.membership
        return membership.user_id if membership is not None else None

    def get_employee_name(self, timesheet) -> str:
        return str(timesheet.employee)

    def get_office_id(self, timesheet) -> int | None:
        return timesheet.employee.office_id


class TimesheetDaySerializer(TimesheetTotalsSerializer):
    date = serializers.DateField(help_text="A local date in the employee's office timezone.")


class TimesheetLeaveSerializer(serializers.Serializer):
    # approved leave on one local day of the period (issue 16)
    date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    leave_request_id = serializers.IntegerField()
    paid = serializers.BooleanField()
    pay_code_name = serializers.CharField()


class TimesheetProjectSerializer(TimesheetTotalsSerializer):
    project_id = serializers.IntegerField()
    project_name = serializers.CharField()


class TimesheetTaskSerializer(TimesheetTotalsSerializer):
    task_id = serializers.IntegerField()
    task_name = serializers.CharField()
    project_id = serializers.IntegerField()


class OverLimitSerializer(serializers.Serializer):
    contract_id = serializers.IntegerField()
    limit = serializers.ChoiceField(choices=["weekly", "daily"])
    # "from" is a keyword: declared below
    to = serializers.DateField(help_text="The span's last day.")
    hours = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Hours the contract covers in it.")
    limit_hours = serializers.DecimalField(max_digits=9, decimal_places=2)


OverLimitSerializer._declared_fields["from"] = serializers.DateField(help_text="The span's first day.")


class TimesheetEntryChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["added", "changed", "removed"])
    entry_id = serializers.IntegerField()
    fields = serializers.ListField(child=serializers.CharField(), help_text="The fields that changed.")
    before = serializers.DictField(allow_null=True, help_text="The entry when the timesheet was rejected.")
    now = serializers.DictField(allow_null=True, help_text="The entry now (local times).")


class TimesheetDetailSerializer(TimesheetSerializer):
    timezone = serializers.SerializerMethodField(help_text="The timezone of the days (the employee's office's).")
    days = serializers.SerializerMethodField()
    leave = serializers.SerializerMethodField(help_text="Approved leave in the period (hours per request and day).")
    projects = serializers.SerializerMethodField()
    tasks = serializers.SerializerMethodField()
    running_entry_id = serializers.SerializerMethodField(help_text="A timer running in the period (submit refuses).")
    flagged = serializers.SerializerMethodField(help_text="Some time of the period is beyond a contract's limit.")
    over_limit = serializers.SerializerMethodField(
        help_text="Each day or week of the period over a contract's hours limit (time the organisation flags)."
    )
    entries = serializers.SerializerMethodField()
    changes_since_rejection = serializers.SerializerMethodField(
        help_text="A timesheet rejected before: the entries added, changed and removed since (null otherwise)."
    )

    class Meta(TimesheetSerializer.Meta):
        fields = [
            *TimesheetSerializer.Meta.fields,
            "timezone",
            "days",
            "projects",
            "tasks",
            "running_entry_id",
            "flagged",
            "over_limit",
            "entries",
            "changes_since_rejection",
            "leave",
        ]
        read_only_fields = fields

    def _content(self, timesheet) -> sheet_totals.TimesheetContent:
        cached = getattr(timesheet, "_content", None)
        if cached is None:
            cached = timesheet._content = sheet_totals.timesheet_content(timesheet=timesheet)
        return cached

    def get_timezone(self, timesheet) -> str:
        return str(employee_timezone(timesheet.employee, timesheet.organisation))

    @extend_schema_field(TimesheetTotalsSerializer)
    def get_totals(self, timesheet) -> dict:
        return _figures(self._content(timesheet).total)

    @extend_schema_field(TimesheetLeaveSerializer(many=True))
    def get_leave(self, timesheet) -> list[dict]:
        """Approved leave in the period, per request and day (from hr): shown as leave hours."""
        return TimesheetLeaveSerializer(
            [
                {
                    "date": day.date,
                    "hours": day.hours,
                    "leave_request_id": day.request_id,
                    "paid": day.paid,
                    "pay_code_name": day.pay_code_name,
                }
                for day in self._content(timesheet).leave
            ],
            many=True,
        ).data

    @extend_schema_field(TimesheetDaySerializer(many=True))
    def get_days(self, timesheet) -> list[dict]:
        return [{"date": day.isoformat(), **_figures(bucket)} for day, bucket in self._content(timesheet).days]

    @extend_schema_field(TimesheetProjectSerializer(many=True))
    def get_projects(self, timesheet) -> list[dict]:
        return [
            {"project_id": project.pk, "project_name": project.name, **_figures(bucket)}
            for project, bucket in self._content(timesheet).projects
        ]

    @extend_schema_field(TimesheetTaskSerializer(many=True))
    def get_tasks(self, timesheet) -> list[dict]:
        return [
            {"task_id": task.pk, "task_name": task.name, "project_id": task.project_id, **_figures(bucket)}
            for task, bucket in self._content(timesheet).tasks
        ]

    def get_running_entry_id(self, timesheet) -> int | None:
        return self._content(timesheet).running_entry_id

    def _over_limit(self, timesheet) -> list:
        cached = getattr(timesheet, "_over_limit", None)
        if cached is None:
            cached = timesheet._over_limit = over_limit_spans(
                organisation=timesheet.organisation,
                employee=timesheet.employee,
                first=timesheet.period_start,
                last=timesheet.period_end,
                settings=selectors.timesheet_settings_get(organisation=timesheet.organisation),
            )
        return cached

    def get_flagged(self, timesheet) -> bool:
        return bool(self._over_limit(timesheet))

    @extend_schema_field(OverLimitSerializer(many=True))
    def get_over_limit(self, timesheet) -> list[dict]:
        return [breach.as_dict() for breach in self._over_limit(timesheet)]

    @extend_schema_field(TimeEntrySerializer(many=True))
    def get_entries(self, timesheet) -> list[dict]:
        return TimeEntrySerializer(self._content(timesheet).entries, many=True, context=self.context).data

    @extend_schema_field(TimesheetEntryChangeSerializer(many=True, allow_null=True))
    def get_changes_since_rejection(self, timesheet) -> list[dict] | None:
        changes = sheet_totals.changes_since_rejection(timesheet=timesheet, entries=self._content(timesheet).entries)
        if changes is None:
            return None
        return [
            {"kind": c.kind, "entry_id": c.entry_id, "fields": c.fields, "before": c.before, "now": c.now}
            for c in changes
        ]


# =============================================================================
# Inputs
# =============================================================================


class TimesheetOpenSerializer(EmployeeInputMixin):
    """Whose timesheet (default: your own) and which period: ``period_start`` (the first day of a
    period) or ``date`` (any day in it); neither: the period holding today."""

    employee_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.timesheet_employee_list,
        source="employee",
        required=False,
        help_text="Default: your own. A manager may name their office's people and their direct reports.",
    )
    period_start = serializers.DateField(required=False)
    date = serializers.DateField(required=False, source="day", help_text="Any day of the period.")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("period_start") and attrs.get("day"):
            raise serializers.ValidationError({"date": ["Give period_start or date, not both."]})
        return attrs


class TimesheetReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text="Shown to the employee.")


class TimesheetBulkApproveSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_WHOLE_NUMBER),
        min_length=1,
        max_length=MAX_BULK_APPROVE,
    )


class TimesheetBulkSkippedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=["not_found", "not_permitted", "not_submitted", "timer_running"])


class TimesheetBulkApproveResultSerializer(serializers.Serializer):
    approved = serializers.ListField(child=serializers.IntegerField())
    approved_count = serializers.IntegerField()
    skipped = TimesheetBulkSkippedSerializer(many=True)
    skipped_count = serializers.IntegerField()


class TimesheetSettingsSerializer(serializers.ModelSerializer):
    period = ChoiceField(choices=TimesheetPeriod.choices, required=False)
    over_limit = ChoiceField(
        choices=OverLimitPolicy.choices,
        required=False,
        help_text="Time beyond a contract's hours limit: refuse (422) or flag (accepted, flagged on the timesheet).",
    )

    class Meta:
        model = TimesheetSettings
        fields = ["period", "anchor", "auto_lock_days", "over_limit", "updated_at"]
        read_only_fields = ["updated_at"]
        extra_kwargs = {"auto_lock_days": {"min_value": 0, "max_value": 366}}


__all__ = [
    "TimesheetSerializer",
    "TimesheetDetailSerializer",
    "TimesheetOpenSerializer",
    "TimesheetReasonSerializer",
    "TimesheetBulkApproveSerializer",
    "TimesheetBulkApproveResultSerializer",
    "TimesheetSettingsSerializer",
]
