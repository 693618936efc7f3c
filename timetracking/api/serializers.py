"""REST shapes of time tracking. Field names follow the TimeTracker API (``project_id``,
``task_id``, ``start_time``, ``end_time``, ``notes``, ``tags``, ``billable``, ...). Money is a
decimal string with the organisation's ``currency``; rates are null for roles that may not see
them (STYLE §3.8: owners, admins, managers and OAuth clients see them)."""

from __future__ import annotations

from django.db import connections
from django.db.models import CharField, Func
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from trackyoursheets.api.fields import ChoiceField, ScopedPrimaryKeyRelatedField, actor_of

from .. import representation, selectors
from ..choices import BulkAction, ProjectStatus, RoundingMode, RoundingStep, TaskPriority, TaskStatus
from ..models import Client, Contract, ImportJob, Project, Task, TimeEntry, TimeSettings, normalise_tags
from ..policies import can_see_rates

MAX_BULK = 500


def Rate(**kwargs):  # noqa: N802
    return serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, allow_null=True, **kwargs)


def Hours(**kwargs):  # noqa: N802
    return serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0, allow_null=True, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class TagsField(serializers.Field):
    """Tags as one comma-separated string (``"development,frontend"``), or a list of strings on input;
    stored lower case, trimmed, without duplicates."""

    def to_internal_value(self, data):
        if isinstance(data, list) and all(isinstance(item, str) for item in data):
            return normalise_tags(data)
        if isinstance(data, str):
            return normalise_tags(data)
        raise serializers.ValidationError(_("Give a comma-separated string or a list of strings."))

    def to_representation(self, value):
        return value or ""


class RateMaskMixin:
    """Rates and budgets are null for roles that may not see them."""

    rate_fields: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not can_see_rates(actor_of(self.context)):
            for name in self.rate_fields:
                data[name] = None
        return data


class CurrencyMixin(serializers.Serializer):
    currency = serializers.SerializerMethodField(help_text="ISO 4217 code of the organisation's currency.")

    def get_currency(self, obj) -> str:
        actor = actor_of(self.context)
        return actor.organisation.currency if actor is not None else obj.organisation.currency


# =============================================================================
# Settings
# =============================================================================


class TimeSettingsSerializer(serializers.ModelSerializer):
    allow_overlapping = serializers.BooleanField(required=False)
    rounding_mode = ChoiceField(RoundingMode, required=False)
    rounding_minutes = ChoiceField(RoundingStep, required=False)

    class Meta:
        model = TimeSettings
        fields = ["allow_overlapping", "rounding_mode", "rounding_minutes"]


# =============================================================================
# Clients, projects, tasks, contracts
# =============================================================================


class ClientSerializer(RateMaskMixin, CurrencyMixin, serializers.ModelSerializer):
    rate_fields = ("default_rate",)
    default_rate = Rate(required=False)
    archived = serializers.BooleanField(required=False)

    class Meta:
        model = Client
        fields = [
            "id",
            "name",
            "email",
            "company",
            "phone",
            "default_rate",
            "currency",
            "archived",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class ProjectSerializer(RateMaskMixin, CurrencyMixin, serializers.ModelSerializer):
    rate_fields = ("hourly_rate", "budget")
    client_id = serializers.IntegerField(read_only=True, allow_null=True)
    client_name = serializers.SerializerMethodField()
    status = ChoiceField(ProjectStatus, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "description",
            "client_id",
            "client_name",
            "hourly_rate",
            "estimated_hours",
            "budget",
            "currency",
            "status",
            "billable",
            "created_at",
            "updated_at",
        ]

    def get_client_name(self, project) -> str | None:
        return project.client.name if project.client_id else None


class ProjectInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    client_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.client_list, source="client", required=False, allow_null=True
    )
    hourly_rate = Rate(required=False)
    estimated_hours = Hours(required=False)
    budget = Rate(required=False)
    status = ChoiceField(ProjectStatus, required=False)
    billable = serializers.BooleanField(required=False)


class TaskSerializer(RateMaskMixin, serializers.ModelSerializer):
    rate_fields = ("hourly_rate",)
    project_id = serializers.IntegerField(read_only=True)
    project_name = serializers.SerializerMethodField()
    assignee_id = serializers.IntegerField(read_only=True, allow_null=True)
    status = ChoiceField(TaskStatus, read_only=True)
    priority = ChoiceField(TaskPriority, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "project_id",
            "project_name",
            "name",
            "description",
            "status",
            "priority",
            "assignee_id",
            "estimated_hours",
            "hourly_rate",
            "created_at",
            "updated_at",
        ]

    def get_project_name(self, task) -> str:
        return task.project.name


class TaskInputSerializer(serializers.Serializer):
    project_id = ScopedPrimaryKeyRelatedField(selector=selectors.project_list, source="project")
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    status = ChoiceField(TaskStatus, required=False)
    priority = ChoiceField(TaskPriority, required=False, help_text="1 (lowest) to 5 (urgent).")
    assignee_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.time_employee_list, source="assignee", required=False, allow_null=True
    )
    estimated_hours = Hours(required=False)
    hourly_rate = Rate(required=False, help_text="When set, the first choice of the effective rate.")


class TaskUpdateSerializer(TaskInputSerializer):
    project_id = ScopedPrimaryKeyRelatedField(selector=selectors.project_list, source="project", required=False)
    name = serializers.CharField(max_length=200, required=False)


class ContractSerializer(CurrencyMixin, serializers.ModelSerializer):
    employee_id = serializers.IntegerField(read_only=True)
    project_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Contract
        fields = ["id", "employee_id", "project_id", "hourly_rate", "currency", "notes", "created_at", "updated_at"]


class ContractInputSerializer(serializers.Serializer):
    employee_id = ScopedPrimaryKeyRelatedField(selector=selectors.time_employee_list, source="employee")
    project_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.project_list,
        source="project",
        required=False,
        allow_null=True,
        help_text="Empty: the employee's rate for every project.",
    )
    hourly_rate = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    notes = serializers.CharField(required=False, allow_blank=True)


class ContractUpdateSerializer(ContractInputSerializer):
    employee_id = ScopedPrimaryKeyRelatedField(selector=selectors.time_employee_list, source="employee", required=False)
    hourly_rate = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)


# =============================================================================
# Time entries
# =============================================================================


def _declared_entry_fields() -> dict[str, serializers.Field]:
    """The REST fields of :data:`representation.TIME_ENTRY` that are not the model field of their
    name (the ModelSerializer builds the others from the model), all read-only."""
    kinds = {
        "int": serializers.IntegerField,
        "str": serializers.CharField,
        "bool": serializers.BooleanField,
        "tags": TagsField,
    }
    declared = {}
    for spec in representation.TIME_ENTRY:
        if spec.kind is None:
            continue
        options: dict = {"read_only": True}
        if spec.kind != "tags" and not spec.required:
            options["allow_null"] = True
        if spec.help_text:
            options["help_text"] = spec.help_text
        declared[spec.name] = kinds[spec.kind](**options)
    return declared


#: the declared fields above as a base class (DRF collects declared fields from Serializer bases)
_TimeEntryDeclaredFields = type("_TimeEntryDeclaredFields", (serializers.ModelSerializer,), _declared_entry_fields())


class TimeEntrySerializer(_TimeEntryDeclaredFields):
    # a time entry: the fields of timetracking.representation.TIME_ENTRY (no docstring: it would
    # become the OpenAPI description)

    class Meta:
        model = TimeEntry
        fields = [spec.name for spec in representation.TIME_ENTRY]

    def to_representation(self, entry):
        """Built directly from the declaration (a list page does not come through here:
        :class:`TimeEntryListPage` renders the same from plain rows)."""
        return representation.render_entry(entry)


#: ``to_char`` pattern of :func:`representation.instant`'s ``%Y-%m-%dT%H:%M:%SZ`` (seconds truncated, as strftime does)
_PG_INSTANT = 'YYYY-MM-DD"T"HH24:MI:SS"Z"'


class _UtcInstantText(Func):
    """A timestamp rendered by PostgreSQL as :func:`representation.instant` renders it, so a list page
    neither parses nor formats 400 datetimes in Python. PostgreSQL only (see :class:`TimeEntryListPage`)."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError("PostgreSQL only")

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char({sql} AT TIME ZONE 'UTC', %s)", (*params, _PG_INSTANT)


class TimeEntryListPage:
    """A list page of time entries for ``EnvelopePagination``: ``count()`` is the filtered
    queryset's, a slice is read as plain tuples (employee login and client joined in the same
    query, timestamps formatted by PostgreSQL) and rendered from :data:`representation.ROWS`, key
    for key as :class:`TimeEntrySerializer` renders an entry, without model instances or
    per-field serializer calls. ``tests/timetracking/test_api.py`` pins the two to the same output."""

    rows = representation.ROWS

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, key: slice) -> list[dict]:
        queryset, rows = self.queryset, self.rows
        if connections[queryset.db].vendor == "postgresql":
            texts = {f"{name}_text": _UtcInstantText(name) for name in rows.instants}
            columns = [f"{name}_text" if name in rows.instants else name for name in rows.columns]
            return rows.render(queryset.annotate(**texts).values_list(*columns)[key], instants_as_text=True)
        return rows.render(queryset.values_list(*rows.columns)[key])


class EmployeeInputMixin(serializers.Serializer):
    """``employee_id`` or ``user_id`` (the employee's login); without either, the actor's own
    employee record (a session or personal token)."""

    employee_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.time_employee_list,
        source="employee",
        required=False,
        help_text="Default: the employee record of the signed-in person.",
    )
    user_id = serializers.IntegerField(required=False, write_only=True, help_text="The employee's login (user id).")

    require_employee = True

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user_id = attrs.pop("user_id", None)
        actor = actor_of(self.context)
        if user_id is not None:
            employee = selectors.time_employee_list(actor=actor).filter(membership__user_id=user_id).first()
            if employee is None:
                raise serializers.ValidationError({"user_id": [_("No employee with this user id.")]})
            if "employee" in attrs and attrs["employee"].pk != employee.pk:
                raise serializers.ValidationError({"user_id": [_("Names another employee than employee_id.")]})
            attrs["employee"] = employee
        if self.require_employee and "employee" not in attrs:
            employee = selectors.actor_employee(actor=actor)
            if employee is None:
                raise serializers.ValidationError(
                    {"employee_id": [_("Required: this credential has no employee record of its own.")]}
                )
            attrs["employee"] = employee
        return attrs


class TimeEntryInputSerializer(EmployeeInputMixin):
    project_id = ScopedPrimaryKeyRelatedField(selector=selectors.project_list, source="project")
    task_id = ScopedPrimaryKeyRelatedField(selector=selectors.task_list, source="task", required=False, allow_null=True)
    start_time = serializers.DateTimeField()
    end_time = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Omit (or null) to start a running timer."
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    tags = TagsField(required=False)
    billable = serializers.BooleanField(required=False, help_text="Default: the project's billable flag.")
    paid = serializers.BooleanField(required=False)


class TimeEntryUpdateSerializer(TimeEntryInputSerializer):
    require_employee = False
    project_id = ScopedPrimaryKeyRelatedField(selector=selectors.project_list, source="project", required=False)
    start_time = serializers.DateTimeField(required=False)


class TimerStartSerializer(EmployeeInputMixin):
    project_id = ScopedPrimaryKeyRelatedField(selector=selectors.project_list, source="project")
    task_id = ScopedPrimaryKeyRelatedField(selector=selectors.task_list, source="task", required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    tags = TagsField(required=False)
    billable = serializers.BooleanField(required=False)


class TimerStopSerializer(EmployeeInputMixin):
    pass


class TimerStatusSerializer(serializers.Serializer):
    active = serializers.BooleanField()
    timer = TimeEntrySerializer(allow_null=True)


class TimeEntryBulkInputSerializer(serializers.Serializer):
    entry_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=MAX_BULK
    )
    action = ChoiceField(BulkAction)
    value = serializers.JSONField(
        required=False, allow_null=True, help_text="A boolean for set_billable/set_paid; a tag for add_tag/remove_tag."
    )


class TimeEntryBulkSkippedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField(help_text="not_found, not_permitted, running or unchanged.")


class TimeEntryBulkResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    changed = serializers.ListField(child=serializers.IntegerField())
    changed_count = serializers.IntegerField()
    skipped = TimeEntryBulkSkippedSerializer(many=True)
    skipped_count = serializers.IntegerField()


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
    project_id = serializers.IntegerField(required=False, min_value=1)
    employee_id = serializers.IntegerField(required=False, min_value=1)
    user_id = serializers.IntegerField(required=False, min_value=1)

    def validate(self, attrs):
        if attrs.get("start_date") and attrs.get("end_date") and attrs["end_date"] < attrs["start_date"]:
            raise serializers.ValidationError({"end_date": [_("Must be on or after start_date.")]})
        return attrs
