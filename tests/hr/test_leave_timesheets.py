"""Leave meets timesheets (issue 16): approving a timesheet posts per-hour and per-period accruals
(once per period), and approved leave shows on the employee's timesheet as leave hours."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from hr.models import LeaveLedgerEntry
from organisations.choices import Role
from tests.hr.factories import LeavePolicyFactory, LeaveRequestFactory, LeaveTypeFactory
from tests.timetracking.conftest import person, token_client
from tests.timetracking.factories import TimeEntryFactory, TimesheetFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 14, 0, tzinfo=datetime.UTC)


@pytest.fixture
def people(organisation, office):
    return person(organisation, office, name="Eli"), person(organisation, office, Role.MANAGER, name="Morgan")


def test_approving_a_timesheet_accrues_per_hour_worked_once(organisation, people):
    employee, manager = people
    per_hour = LeavePolicyFactory(
        leave_type__organisation=organisation, accrual_method="per_hour_worked", hours_per_hour_worked=Decimal("0.0385")
    )
    per_period = LeavePolicyFactory(
        leave_type__organisation=organisation, accrual_method="per_timesheet_period", hours_per_period=Decimal("3.08")
    )
    for n in range(10):  # 10 one-hour entries in the week of 2 March
        TimeEntryFactory(employee=employee, start_time=START + datetime.timedelta(hours=2 * n))
    sheet = TimesheetFactory(employee=employee, status="submitted")
    response = token_client(manager).post(f"/v1/timesheets/{sheet.pk}/approve")
    assert response.status_code == 200, response.content
    rows = LeaveLedgerEntry.objects.filter(account__employee=employee).order_by("account__leave_type_id")
    assert [(row.account.leave_type_id, row.hours) for row in rows] == [
        (per_hour.leave_type_id, Decimal("0.39")),  # 10 h × 0.0385, rounded once
        (per_period.leave_type_id, Decimal("3.08")),
    ]
    assert rows[0].effective_date == datetime.date(2026, 3, 8)
    # reopened and approved again: the period is not accrued twice
    admin = person(organisation, None, Role.ADMIN, name="Ada")
    assert (
        token_client(admin).post(f"/v1/timesheets/{sheet.pk}/reopen", {"reason": "Fix"}, format="json").status_code
        == 200
    )
    assert token_client(employee).post(f"/v1/timesheets/{sheet.pk}/submit").status_code == 200
    assert token_client(manager).post(f"/v1/timesheets/{sheet.pk}/approve").status_code == 200
    assert LeaveLedgerEntry.objects.filter(account__employee=employee).count() == 2


def test_bulk_approval_accrues_too(organisation, people):
    employee, manager = people
    policy = LeavePolicyFactory(
        leave_type__organisation=organisation, accrual_method="per_timesheet_period", hours_per_period=Decimal("2")
    )
    sheet = TimesheetFactory(employee=employee, status="submitted")
    response = token_client(manager).post("/v1/timesheets/bulk-approve", {"ids": [sheet.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert LeaveLedgerEntry.objects.get(account__leave_type=policy.leave_type).hours == Decimal("2.00")


def test_approved_leave_is_on_the_timesheet(organisation, people):
    employee, _manager = people
    leave_type = LeaveTypeFactory(organisation=organisation, name="Sick", pay_code_name="Sick")
    LeaveRequestFactory(
        employee=employee,
        leave_type=leave_type,
        status="approved",
        start_date=datetime.date(2026, 3, 3),
        end_date=datetime.date(2026, 3, 4),
        hours=16,
        days=[["2026-03-03", "8.00"], ["2026-03-04", "8.00"]],
    )
    LeaveRequestFactory(  # a request still waiting is not on the timesheet
        employee=employee,
        leave_type=leave_type,
        start_date=datetime.date(2026, 3, 5),
        end_date=datetime.date(2026, 3, 5),
    )
    sheet = TimesheetFactory(employee=employee)
    body = token_client(employee).get(f"/v1/timesheets/{sheet.pk}").json()
    assert [(d["date"], d["hours"], d["pay_code_name"], d["paid"]) for d in body["leave"]] == [
        ("2026-03-03", "8.00", "Sick", True),
        ("2026-03-04", "8.00", "Sick", True),
    ]
