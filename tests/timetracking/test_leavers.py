"""Issue 13 point 4: people who left do not accrue. Time cannot be booked for a terminated
employee after their termination date, nor for a deactivated member, by anyone, on every write
path (REST create/update, timers, CSV import, GraphQL): a 422 problem saying why."""

from __future__ import annotations

import datetime

import pytest

from organisations.choices import MembershipStatus
from timetracking.models import TimeEntry

from .factories import TimeEntryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_in_process")]

LEFT = "Eli left on 2026-05-31: time after that date cannot be booked."
CREATE = "mutation($input: TimeEntryInput!) { createTimeEntry(input: $input) { databaseId } }"


@pytest.fixture(autouse=True)
def _plain_name(employee):
    employee.last_name = ""
    employee.save()


@pytest.fixture
def leaver(employee):
    employee.termination_date = datetime.date(2026, 5, 31)
    employee.status = "terminated"
    employee.save()
    return employee


def entry_body(project, employee, start, end):
    return {"project_id": project.pk, "employee_id": employee.pk, "start_time": start, "end_time": end}


def test_rest_create_after_the_termination_date_is_a_422_saying_why(as_manager, leaver, project):
    # New York: the last day ends at 2026-06-01T04:00Z
    refused = as_manager.post(
        "/v1/time-entries", entry_body(project, leaver, "2026-06-01T13:00:00Z", "2026-06-01T14:00:00Z"), format="json"
    )
    reaching = as_manager.post(
        "/v1/time-entries", entry_body(project, leaver, "2026-06-01T03:00:00Z", "2026-06-01T05:00:00Z"), format="json"
    )
    last_day = as_manager.post(
        "/v1/time-entries", entry_body(project, leaver, "2026-05-31T13:00:00Z", "2026-05-31T21:00:00Z"), format="json"
    )

    assert refused.status_code == 422
    assert refused.json()["errors"] == {"employee_id": [LEFT]}
    assert reaching.status_code == 422
    assert last_day.status_code == 201, last_day.json()
    assert TimeEntry.objects.count() == 1


def test_rest_update_cannot_move_time_past_the_date(as_manager, leaver, project):
    entry = TimeEntryFactory(
        employee=leaver,
        project=project,
        start_time=datetime.datetime(2026, 5, 30, 13, tzinfo=datetime.UTC),
        end_time=datetime.datetime(2026, 5, 30, 14, tzinfo=datetime.UTC),
    )

    moved = as_manager.patch(
        f"/v1/time-entries/{entry.pk}",
        {"start_time": "2026-06-02T13:00:00Z", "end_time": "2026-06-02T14:00:00Z"},
        format="json",
    )
    noted = as_manager.patch(f"/v1/time-entries/{entry.pk}", {"notes": "Still editable"}, format="json")

    assert moved.status_code == 422
    assert moved.json()["errors"] == {"employee_id": [LEFT]}
    assert noted.status_code == 200


def test_a_deactivated_member_books_nothing(as_manager, employee, project):
    employee.membership.status = MembershipStatus.DEACTIVATED
    employee.membership.save()

    refused = as_manager.post(
        "/v1/time-entries", entry_body(project, employee, "2026-01-12T13:00:00Z", "2026-01-12T14:00:00Z"), format="json"
    )

    assert refused.status_code == 422
    assert refused.json()["errors"] == {"employee_id": ["Eli is a deactivated member: time cannot be booked."]}


def test_a_terminated_employee_without_a_date_books_nothing(as_manager, employee, project):
    employee.status = "terminated"
    employee.save()

    refused = as_manager.post(
        "/v1/time-entries", entry_body(project, employee, "2026-01-12T13:00:00Z", "2026-01-12T14:00:00Z"), format="json"
    )

    assert refused.status_code == 422
    assert refused.json()["errors"] == {"employee_id": ["Eli has left: time cannot be booked."]}


def test_timer_start_after_leaving_is_a_422(as_employee, leaver, project):
    response = as_employee.post("/v1/timer/start", {"project_id": project.pk}, format="json")

    assert response.status_code == 422
    assert response.json()["errors"] == {"employee_id": [LEFT]}


def test_csv_import_refuses_rows_after_the_date(as_manager, leaver, project):
    text = (
        "date,start,end,project,employee_email\n"
        "2026-05-31,09:00,10:00,Website,eli@example.test\n"
        "2026-06-01,09:00,10:00,Website,eli@example.test\n"
    )

    response = as_manager.post("/v1/time-entries/import-csv", {"csv": text}, format="json")

    assert response.status_code == 422
    assert response.json()["row_errors"] == [{"line": 3, "reason": f"employee_email: {LEFT}"}]
    assert TimeEntry.objects.count() == 0


def test_graphql_create_after_leaving_is_a_422(as_manager, leaver, project, gql):
    variables = {
        "input": {
            "projectId": str(project.pk),
            "employeeId": str(leaver.pk),
            "startTime": "2026-06-02T13:00:00Z",
            "endTime": "2026-06-02T14:00:00Z",
        }
    }

    error = gql(as_manager, CREATE, variables).json()["errors"][0]

    assert error["extensions"]["status"] == 422
    assert LEFT in error["message"]
