"""Bulk approval of timesheets (issue 15, benchmark): a fixed number of SQL statements whatever the
number of timesheets, and the same audit rows, events and refusals as one approval at a time."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations.models import OutboxEvent
from organisations.models import AuditEvent
from tests.hr.factories import EmployeeFactory
from timetracking.models import Timesheet

from .factories import TimeEntryFactory, TimesheetFactory

pytestmark = pytest.mark.django_db

WEEK = datetime.date(2026, 3, 2)


def submitted_sheets(organisation, office, count: int) -> list[Timesheet]:
    return [
        TimesheetFactory(employee=EmployeeFactory(organisation=organisation, office=office), status="submitted")
        for _ in range(count)
    ]


def bulk_approve(api, sheets):
    response = api.post("/v1/timesheets/bulk-approve", {"ids": [s.pk for s in sheets]}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_bulk_approve_of_1_or_20_takes_the_same_number_of_statements(as_manager, organisation, ny_office):
    bulk_approve(as_manager, submitted_sheets(organisation, ny_office, 1))  # warm (content types, settings)
    one, twenty = submitted_sheets(organisation, ny_office, 1), submitted_sheets(organisation, ny_office, 20)

    with CaptureQueriesContext(connection) as for_one:
        assert len(bulk_approve(as_manager, one)["approved"]) == 1
    with CaptureQueriesContext(connection) as for_twenty:
        assert len(bulk_approve(as_manager, twenty)["approved"]) == 20

    assert len(for_one.captured_queries) == len(for_twenty.captured_queries), "\n".join(
        q["sql"][:120] for q in for_twenty.captured_queries
    )
    assert AuditEvent.objects.filter(object_type="timetracking.Timesheet").count() == 22
    assert OutboxEvent.objects.filter(topic="time.timesheet.approved").count() == 22


def test_bulk_approve_writes_the_rows_and_events_of_one_approval_at_a_time(as_manager, organisation, ny_office):
    single, bulk = submitted_sheets(organisation, ny_office, 2)

    assert as_manager.post(f"/v1/timesheets/{single.pk}/approve").status_code == 200
    assert bulk_approve(as_manager, [bulk])["approved"] == [bulk.pk]

    one_row = AuditEvent.objects.get(object_type="timetracking.Timesheet", object_id=str(single.pk))
    bulk_row = AuditEvent.objects.get(object_type="timetracking.Timesheet", object_id=str(bulk.pk))
    assert bulk_row.changes.keys() == one_row.changes.keys()
    assert bulk_row.changes["status"] == one_row.changes["status"] == ["submitted", "approved"]
    assert bulk_row.changes["decided_by_id"] == one_row.changes["decided_by_id"]
    assert bulk_row.changes["decided_at"][0] is None and bulk_row.changes["decided_at"][1]
    for name in ("source", "actor_label", "actor_user_id", "api_token_id", "status_code"):
        assert getattr(bulk_row, name) == getattr(one_row, name), name
    assert bulk_row.method == "POST" and bulk_row.request_id
    events = {e.payload["id"]: e for e in OutboxEvent.objects.filter(topic="time.timesheet.approved")}
    assert events[bulk.pk].payload == {**events[single.pk].payload, "id": bulk.pk, "employee_id": bulk.employee_id}
    assert events[bulk.pk].actor_label == events[single.pk].actor_label
    assert events[bulk.pk].request_id == bulk_row.request_id


def test_bulk_approve_skips_a_period_with_a_running_timer_and_nothing_else(as_manager, organisation, ny_office):
    running, later_timer, plain = submitted_sheets(organisation, ny_office, 3)
    TimeEntryFactory(
        employee=running.employee,
        start_time=datetime.datetime(2026, 3, 4, 14, tzinfo=datetime.UTC),
        end_time=None,
        duration_seconds=None,
    )
    TimeEntryFactory(  # a timer started after the period does not hold it up
        employee=later_timer.employee,
        start_time=datetime.datetime(2026, 3, 12, 14, tzinfo=datetime.UTC),
        end_time=None,
        duration_seconds=None,
    )

    body = bulk_approve(as_manager, [running, later_timer, plain])

    assert body["approved"] == [later_timer.pk, plain.pk]
    assert body["skipped"] == [{"id": running.pk, "reason": "timer_running"}]
    assert Timesheet.objects.get(pk=running.pk).status == "submitted"
    audited = set(AuditEvent.objects.filter(object_type="timetracking.Timesheet").values_list("object_id", flat=True))
    assert audited == {str(later_timer.pk), str(plain.pk)}
    assert sorted(e.payload["id"] for e in OutboxEvent.objects.filter(topic="time.timesheet.approved")) == sorted(
        [later_timer.pk, plain.pk]
    )
