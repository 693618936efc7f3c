"""One representation of the time entry (issue 12 point 6): REST, the fast list path, GraphQL and the
CSV importer all derive their fields from ``timetracking/representation.py``."""

from __future__ import annotations

import datetime

import pytest
from graphene.utils.str_converters import to_camel_case

from timetracking import importer, representation
from timetracking.api import serializers
from timetracking.graphql import TimeEntryType
from trackyoursheets.schema import schema

from .factories import TimeEntryFactory

pytestmark = pytest.mark.django_db

NAMES = [spec.name for spec in representation.TIME_ENTRY]
UTC = datetime.UTC


def test_rest_renders_the_declared_fields_in_order():
    assert list(serializers.TimeEntrySerializer().fields) == NAMES


def test_graphql_declares_the_same_fields():
    graphql = set(schema.graphql_schema.get_type("TimeEntry").fields)
    assert {to_camel_case(name) for name in NAMES} <= graphql
    assert set(TimeEntryType._meta.fields) - set(NAMES) == {"database_id", "project", "task"}


def test_the_importer_accepts_the_declared_columns():
    declared = {spec.csv.headers[0] for spec in representation.TIME_ENTRY if spec.csv is not None}
    assert list(importer.COLUMNS) == [
        "date",
        "start",
        "end",
        "duration",
        "project",
        "task",
        "notes",
        "tags",
        "billable",
        "employee_email",
        "project_id",  # TimeTracker's export (issue 13 point 8)
        "task_id",
        "overnight",  # an end before the start is the next day only when the row says so (issue 14)
    ]
    assert set(importer.COLUMNS) - {"date", "project_id", "task_id", "overnight"} == declared


def test_the_input_serializer_writes_the_writable_fields():
    written = set(serializers.TimeEntryInputSerializer().fields) - {"user_id"}  # user_id picks employee_id
    assert written == set(representation.writable_names())


def test_the_list_path_reads_each_column_once():
    assert len(representation.ROWS.columns) == len(set(representation.ROWS.columns))
    assert set(representation.ROWS.instants) == {"start_time", "end_time", "created_at", "updated_at"}


def test_an_entry_renders_as_before(employee, project, task):
    """The JSON of issue 7 (key for key, value for value), from the instance and from a row."""
    entry = TimeEntryFactory(
        employee=employee,
        project=project,
        task=task,
        start_time=datetime.datetime(2026, 3, 2, 9, 0, 0, 999_999, tzinfo=UTC),
        end_time=datetime.datetime(2026, 3, 2, 10, 30, 18, tzinfo=UTC),
        duration_seconds=5418,
        notes="Homepage",
        tags="",
        billable=True,
        paid=False,
        source="manual",
    )
    expected = {
        "id": entry.pk,
        "employee_id": employee.pk,
        "user_id": employee.membership.user_id,
        "project_id": project.pk,
        "task_id": task.pk,
        "client_id": project.client_id,
        "start_time": "2026-03-02T09:00:00Z",
        "end_time": "2026-03-02T10:30:18Z",
        "duration_seconds": 5418,
        "duration_hours": "1.51",
        "duration_formatted": "01:30:18",
        "notes": "Homepage",
        "tags": "",
        "billable": True,
        "paid": False,
        "source": "manual",
        "is_active": False,
        "created_at": representation.instant(entry.created_at),
        "updated_at": representation.instant(entry.updated_at),
    }
    assert serializers.TimeEntrySerializer(entry).data == expected
    assert list(serializers.TimeEntrySerializer(entry).data) == list(expected)
    page = serializers.TimeEntryListPage(type(entry).objects.filter(pk=entry.pk))
    assert page[0:1] == [expected]


def test_the_hand_written_row_renderer_is_the_declarations():
    """The list renders rows with a function written out by hand (issue 13 point 14); it must say
    what the declaration says, field for field and in order, for datetimes and for text instants."""
    rows = representation.ROWS
    assert rows._by_hand  # TIME_ENTRY changed: update _HAND_WRITTEN_PLAN and _entry_from_text_row
    at = datetime.datetime(2026, 3, 2, 9, 0, 0, 999_999, tzinfo=UTC)
    samples = [
        (1, 2, 3, 4, 5, 6, at, at + datetime.timedelta(seconds=s), s, "n", "a,b", True, False, "manual", at, at)
        for s in (0, 17, 18, 54, 1799, 359_999, 400_000)
    ] + [(7, 2, None, 4, None, None, at, None, None, "", None, False, True, "timer", at, at)]
    texts = [tuple(representation.instant(v) if isinstance(v, datetime.datetime) else v for v in r) for r in samples]

    for given, as_text in ((samples, False), (texts, True)):
        fast = rows.render(given, instants_as_text=as_text)
        generic = rows.render_generic(given, instants_as_text=as_text)
        assert fast == generic
        assert [list(entry) for entry in fast] == [NAMES] * len(given)
        # the report export's column-major rendering says the same, column for column
        columns = rows.render_columns(given, instants_as_text=as_text)
        assert rows.names == tuple(NAMES)
        assert [dict(zip(rows.names, values, strict=True)) for values in zip(*columns, strict=True)] == fast
    assert len(rows.render_columns([], instants_as_text=True)) == len(NAMES)
