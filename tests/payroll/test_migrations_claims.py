"""Migration ``payroll 0010_claims_by_timesheet_days`` (issue 18): live per-entry time claims
become one claim per run, employee and approved timesheet, over the days they covered; released
ones stay, one day long."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.hr.factories import EmployeeFactory
from tests.timetracking.factories import TimesheetFactory

BEFORE = [("payroll", "0008_holiday_pay_leave_expense_sources")]
AFTER = [("payroll", "0010_claims_by_timesheet_days")]
MONDAY = datetime.date(2026, 3, 2)


@pytest.mark.django_db(transaction=True)
def test_live_entry_claims_become_one_claim_per_timesheet(real_migrations, organisation, office):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Run, Claim = apps.get_model("payroll", "PayrollRun"), apps.get_model("payroll", "PayrollSourceClaim")
    employee = EmployeeFactory(office=office, pay_type="hourly")
    sheet = TimesheetFactory(employee=employee, organisation=organisation, period_start=MONDAY, status="approved")
    run = Run.objects.create(
        organisation_id=organisation.pk, period_start=MONDAY, period_end=MONDAY, pay_date=MONDAY, status="ready"
    )
    for n, day in enumerate((0, 1, 3)):
        Claim.objects.create(
            organisation_id=organisation.pk,
            run=run,
            kind="time_entry",
            object_id=1000 + n,
            employee_id=employee.pk,
            day=MONDAY + datetime.timedelta(days=day),
        )
    Claim.objects.create(
        organisation_id=organisation.pk, run=run, kind="time_entry", object_id=999, employee_id=employee.pk,
        day=MONDAY, released=True,
    )  # fmt: skip
    Claim.objects.create(organisation_id=organisation.pk, run=run, kind="commission_line", object_id=7)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    New = executor.loader.project_state(AFTER).apps.get_model("payroll", "PayrollSourceClaim")
    rows = New.objects.order_by("kind", "released").values_list(
        "kind", "object_id", "employee_id", "day", "day_to", "released"
    )
    assert list(rows) == [
        ("commission_line", 7, None, None, None, False),
        ("time_entry", sheet.pk, employee.pk, MONDAY, MONDAY + datetime.timedelta(days=3), False),
        ("time_entry", 999, employee.pk, MONDAY, MONDAY, True),
    ]
