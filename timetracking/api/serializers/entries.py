"""REST shapes of time entries, timers and bulk actions."""

from __future__ import annotations

from django.db import connections
from django.db.models import CharField, Func
from django.utils.translation import gettext as _
from rest_framework import serializers

from trackyoursheets.api.fields import ChoiceField, ScopedPrimaryKeyRelatedField, actor_of
from trackyoursheets.limits import FREE_TEXT_MAX_LENGTH, MAX_WHOLE_NUMBER

from ... import representation, selectors
from ...choices import BulkAction
from ...models import TimeEntry
from .common import MAX_BULK, TagsField

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
    user_id = serializers.IntegerField(
        required=False,
        write_only=True,
        min_value=1,
        max_value=MAX_WHOLE_NUMBER,
        help_text="The employee's login (user id).",
    )

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
    notes = serializers.CharField(required=False, allow_blank=True, max_length=FREE_TEXT_MAX_LENGTH)
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
    notes = serializers.CharField(required=False, allow_blank=True, max_length=FREE_TEXT_MAX_LENGTH)
    tags = TagsField(required=False)
    billable = serializers.BooleanField(required=False)


class TimerStopSerializer(EmployeeInputMixin):
    pass


class TimerStatusSerializer(serializers.Serializer):
    active = serializers.BooleanField()
    timer = TimeEntrySerializer(allow_null=True)


class TimeEntryBulkInputSerializer(serializers.Serializer):
    entry_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_WHOLE_NUMBER), allow_empty=False, max_length=MAX_BULK
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
