"""Building payroll runs' sources for the tests: hourly and salaried employees, their worked
time in approved timesheets, a weekly schedule."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from organisations.actors import system_actor
from payroll import services
from payroll.models import PaySchedule, PayScheduleAssignment
from tests.hr.factories import EmployeeFactory
from tests.timetracking.factories import ClientFactory, ProjectFactory, TimeEntryFactory, TimesheetFactory

MONDAY = datetime.date(2026, 3, 2)


def hourly(office, rate="20.00", **kwargs):
    return EmployeeFactory(office=office, pay_type="hourly", pay_rate=Decimal(rate), **kwargs)


def salaried(office, salary="52000.00", **kwargs):
    return EmployeeFactory(office=office, pay_type="salary", pay_rate=Decimal(salary), **kwargs)


def project_of(organisation):
    return ProjectFactory(organisation=organisation, client=ClientFactory(organisation=organisation))


def work(employee, project, day: datetime.date, hours, start_hour: int = 8, minutes: int = 0):
    """A finished entry from ``start_hour`` local time to ``hours`` (plus ``minutes``) later on the
    wall clock: across a DST change the real duration is an hour shorter or longer."""
    tz = zoneinfo.ZoneInfo(employee.office.timezone if employee.office else employee.organisation.timezone)
    start = datetime.datetime.combine(day, datetime.time(start_hour), tzinfo=tz)
    end = start + datetime.timedelta(hours=float(hours), minutes=minutes)  # wall-clock arithmetic
    start_utc, end_utc = start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)
    return TimeEntryFactory(
        employee=employee,
        organisation=employee.organisation,
        project=project,
        start_time=start_utc,
        end_time=end_utc,
        duration_seconds=int((end_utc - start_utc).total_seconds()),
    )


def approve_week(employee, monday: datetime.date = MONDAY, status: str = "approved"):
    return TimesheetFactory(employee=employee, organisation=employee.organisation, period_start=monday, status=status)


def weekly_schedule(organisation, employees, anchor: datetime.date = MONDAY, **kwargs) -> PaySchedule:
    schedule = PaySchedule.objects.create(
        organisation=organisation, name=kwargs.pop("name", "Weekly"), frequency="weekly", anchor_date=anchor, **kwargs
    )
    PayScheduleAssignment.objects.bulk_create(
        [PayScheduleAssignment(organisation=organisation, pay_schedule=schedule, employee=e) for e in employees]
    )
    return schedule


def make_run(organisation, employees=None, **kwargs):
    """A draft off-cycle run over ``employees`` (one new hourly employee by default), through the service."""
    if employees is None:
        employees = [EmployeeFactory(office__organisation=organisation, pay_type="hourly", pay_rate=Decimal("10"))]
    return services.payroll_run_create(
        actor=system_actor(organisation),
        employee_ids=[e.pk for e in employees],
        period_start=kwargs.pop("period_start", MONDAY),
        period_end=kwargs.pop("period_end", MONDAY + datetime.timedelta(days=6)),
        **kwargs,
    )
