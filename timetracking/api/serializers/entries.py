"""REST shapes of time entries, timers and bulk actions."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import CharField, Func
from django.db.models.sql.constants import INNER
from django.utils.translation import gettext as _
from rest_framework import serializers

from trackyoursheets.api.fields import ChoiceField, ScopedPrimaryKeyRelatedField, actor_of
from trackyoursheets.db import prepared_cursor
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
    per-field serializer calls. ``tests/timetracking/test_api.py`` pins the two to the same output.

    On PostgreSQL the count and the page are written from one compilation of the queryset's WHERE
    clause (:class:`_PageStatements`): the same SQL the ORM writes, without compiling the filters,
    the select list, the joins and the order twice per request (issue 13 point 14)."""

    rows = representation.ROWS

    def __init__(self, queryset):
        self.queryset = queryset
        self._statements = _PAGE_STATEMENTS.for_queryset(queryset)

    def count(self) -> int:
        if self._statements is not None:
            return self._statements.count()
        return self.queryset.count()

    def __getitem__(self, key: slice) -> list[dict]:
        queryset, rows = self.queryset, self.rows
        if self._statements is not None:
            return rows.render(self._statements.page(key.start, key.stop), instants_as_text=True)
        if connections[queryset.db].vendor == "postgresql":
            return rows.render(_page_values(queryset)[key], instants_as_text=True)
        return rows.render(queryset.values_list(*rows.columns)[key])


def _page_values(queryset):
    """The page's columns, the instants formatted by PostgreSQL (``values_list`` of ROWS.columns)."""
    rows = representation.ROWS
    texts = {f"{name}_text": _UtcInstantText(name) for name in rows.instants}
    columns = [f"{name}_text" if name in rows.instants else name for name in rows.columns]
    return queryset.annotate(**texts).values_list(*columns)


#: the same, for the report export of time entries (timetracking/exports.py)
page_values = _page_values


class _CompiledWhere:
    """One filtered queryset's count and page statements, sharing its compiled WHERE clause."""

    def __init__(self, frame: _Frame, connection, tables: str, table_params: tuple, where: str, params: tuple) -> None:
        self.frame, self.connection, self.where, self.params = frame, connection, where, params
        self.tables, self.table_params = tables, table_params

    def _fetch(self, sql: str, params: tuple) -> list[tuple]:
        # prepared on PostgreSQL: the same text each request of the same filters (planned once)
        with prepared_cursor(self.connection.alias) as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def count(self) -> int:
        where = f" WHERE {self.where}" if self.where else ""
        sql = f'SELECT COUNT(*) AS "__count" FROM {self.tables}{where}'
        return self._fetch(sql, (*self.table_params, *self.params))[0][0]

    def page(self, low: int, high: int) -> list[tuple]:
        where = f" WHERE {self.where}" if self.where else ""
        limit = self.connection.ops.limit_offset_sql(low, high)
        sql = f"{self.frame.select}{where} ORDER BY {self.frame.order} {limit}"
        return self._fetch(sql, (*self.frame.params, *self.params))


class _Frame:
    """The parts of the page statement that do not depend on the filters, as the ORM writes them
    for the selector's queryset without a WHERE clause: the select list and joins (with their
    parameters, the to_char patterns) and the ORDER BY."""

    def __init__(self, using: str) -> None:
        base = TimeEntry.objects.using(using).order_by(*_PageStatements.ORDER)
        sql, params = _page_values(base)[0:1].query.sql_with_params()
        select, rest = sql.split(" ORDER BY ", 1)
        if " WHERE " in select:  # pragma: no cover - the base queryset has no filter
            raise ValueError(sql)
        self.select, self.params = select, tuple(params)
        self.order = rest.rsplit(" LIMIT ", 1)[0]


class _PageStatements:
    """When a filtered time-entry queryset can share one compiled WHERE clause between its count
    and its page: PostgreSQL (the page's instants are text, no value needs a converter), the
    selector's order, no join or annotation of its own (a filter that joins another table, as
    ``client_id`` does, goes through the ORM as before), no slicing, distinct or extra. The frame
    is built once per database alias and process. ``tests/timetracking/test_list_statements.py``
    checks that the statements are those the ORM writes."""

    ORDER = ("-start_time", "-id")

    def __init__(self) -> None:
        self._frames: dict[str, _Frame] = {}

    def for_queryset(self, queryset) -> _CompiledWhere | None:
        connection = connections[queryset.db]
        query = queryset.query
        if (
            connection.vendor != "postgresql"
            or query.order_by != self.ORDER
            or query.annotations
            or query.select_related
            or query.values_select
            or query.distinct
            or query.extra
            or query.extra_tables
            or query.combinator
            or query.select_for_update
            or query.is_sliced
            or not self._joins_allowed(query)
        ):
            return None
        frame = self._frames.get(queryset.db)
        if frame is None:
            frame = self._frames[queryset.db] = _Frame(queryset.db)
        compiler = query.get_compiler(using=queryset.db)
        try:
            where, params = compiler.compile(query.where)
        except FullResultSet:
            where, params = "", ()
        except EmptyResultSet:
            return None  # the ORM answers 0 and [] without a query
        from_sql, from_params = compiler.get_from_clause()
        return _CompiledWhere(frame, connection, " ".join(from_sql), tuple(from_params), where, tuple(params))

    @staticmethod
    def _joins_allowed(query) -> bool:
        """The entries' table, and the employees' joined as the page joins them (the date filters
        join it for the offices' time zones): the page's FROM clause is then the frame's."""
        used = {alias for alias, refs in query.alias_refcount.items() if refs}
        table = TimeEntry._meta.db_table
        if used == {table}:
            return True
        employee = query.alias_map.get("hr_employee")
        return (
            used == {table, "hr_employee"}
            and employee is not None
            and employee.join_type == INNER
            and employee.parent_alias == table
            and employee.join_field.name == "employee"
        )


_PAGE_STATEMENTS = _PageStatements()


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
