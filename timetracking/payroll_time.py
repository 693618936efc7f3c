"""What payroll reads of time tracking (issue 18), in a number of queries that does not grow with
the number of employees: approved time by employee and local day, the employees whose time in a
range is not (yet) approved, the hourly pay rate in force on each day, and the workweek (the
organisation's timesheet week). Re-exported by :mod:`timetracking.selectors`."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import Sum
from django.db.models.functions import TruncDate

from hr import selectors as hr_selectors
from trackyoursheets.bulk import filter_in

from .choices import RateKind, TimesheetPeriod, TimesheetStatus
from .models import Contract, TimeEntry, Timesheet, TimesheetSettings, employee_timezone, local_day_bounds
from .periods import Period
from .rates import _changes

__all__ = [
    "PaidTime",
    "PaidDay",
    "approved_days_for_payroll",
    "entry_local_days",
    "approved_time_between",
    "time_for_payroll",
    "unapproved_time_employee_ids",
    "pay_rates_between",
    "workweek_of",
    "workweeks_ending_in",
]


@dataclass(frozen=True)
class PaidTime:
    """One approved, finished time entry as payroll sees it: its local day and its seconds."""

    entry_id: int
    employee_id: int
    timesheet_id: int
    day: datetime.date
    start_time: datetime.datetime | None  # not read (the entries come in start order)
    seconds: int


class PaidDay(NamedTuple):
    """One employee's approved, finished time of one local day and pay code hint, summed by the
    database: its seconds, its entries (in start order) and the approved timesheet holding the
    day (a tuple: a 5,000-employee period has 50,000 of them).
    ``pay_code_hint``: ``TimeEntry.pay_code_hint`` of these entries ("" for none: one row
    per employee, day and hint)."""

    employee_id: int
    day: datetime.date
    seconds: int
    entry_ids: list[int] | tuple[int, ...]
    timesheet_id: int
    sheet_start: datetime.date
    sheet_end: datetime.date
    pay_code_hint: str = ""


def workweek_of(*, organisation, day: datetime.date) -> Period:
    """The workweek holding ``day``: the organisation's timesheet week (weeks start on Sunday
    when its timesheets do, else on Monday)."""
    settings = TimesheetSettings.objects.filter(organisation=organisation).first()
    sunday = settings is not None and settings.period == TimesheetPeriod.WEEKLY_SUNDAY
    start = day - datetime.timedelta(days=(day.weekday() + 1) % 7 if sunday else day.weekday())
    return Period(start, start + datetime.timedelta(days=6))


def workweeks_ending_in(*, organisation, first: datetime.date, last: datetime.date) -> list[Period]:
    """The workweeks that end in ``first``..``last`` (a workweek belongs to the pay period in which
    it ends); a range shorter than any workweek's end is one "week" of its own days."""
    week = workweek_of(organisation=organisation, day=first)
    weeks = []
    while week.end <= last:
        weeks.append(week)
        week = Period(week.start + datetime.timedelta(days=7), week.end + datetime.timedelta(days=7))
    return weeks or [Period(first, last)]


def _entries(organisation, employees, first: datetime.date, last: datetime.date):
    """Finished entries of ``employees`` whose local day is in ``first``..``last``, in start order:
    ``(id, employee id, None, seconds, local day)``. The local day is computed by the database,
    one query per timezone of the employees (their offices'), never per employee."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for employee in employees:
        by_zone[employee_timezone(employee, organisation).key].append(employee.pk)
    result = []
    for zone, employee_ids in by_zone.items():
        start, end = local_day_bounds(first, last, zoneinfo.ZoneInfo(zone))
        rows = (
            TimeEntry.objects.for_organisation(organisation)
            .filter(employee_id__in=employee_ids, end_time__isnull=False, start_time__gte=start, start_time__lt=end)
            .annotate(local_day=TruncDate("start_time", tzinfo=zoneinfo.ZoneInfo(zone)))
            .order_by("start_time", "id")
            .values_list("pk", "employee_id", "duration_seconds", "local_day")
        )
        result.extend((pk, employee_id, None, seconds or 0, day) for pk, employee_id, seconds, day in rows)
    return result


def _day_totals(organisation, employees, first: datetime.date, last: datetime.date):
    """``(employee id, local day, seconds, entry ids in start order, pay code hint)`` of the
    finished entries of ``employees`` whose local day is in ``first``..``last``, one row per
    employee, day and hint (``TimeEntry.pay_code_hint``, "" for none): on
    PostgreSQL summed and aggregated by the database (a 5,000-employee period is 50,000 rows, not
    100,000 entries), one query per timezone of the employees."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for employee in employees:
        by_zone[employee_timezone(employee, organisation).key].append(employee.pk)
    result = []
    for zone, employee_ids in by_zone.items():
        tz = zoneinfo.ZoneInfo(zone)
        start, end = local_day_bounds(first, last, tz)
        entries = filter_in(TimeEntry.objects.for_organisation(organisation), "employee_id", employee_ids)
        entries = entries.filter(end_time__isnull=False, start_time__gte=start, start_time__lt=end).annotate(
            local_day=TruncDate("start_time", tzinfo=tz)
        )
        if connection.vendor == "postgresql":
            rows = (
                entries.values("employee_id", "local_day", "pay_code_hint")
                .annotate(seconds=Sum("duration_seconds"), ids=ArrayAgg("id", order_by=("start_time", "id")))
                .order_by("employee_id", "local_day", "pay_code_hint")
                .values_list("employee_id", "local_day", "seconds", "ids", "pay_code_hint")
            )
            # the cursor's own rows: psycopg already returns dates and lists, Django's converters
            # would only cost ~0.5 s per 50,000 rows
            with connection.cursor() as cursor:
                cursor.execute(*rows.query.sql_with_params())
                result.extend(
                    (employee_id, day, seconds or 0, ids, hint)
                    for employee_id, day, seconds, ids, hint in cursor.fetchall()  # rows loaded in one C loop
                )
            continue
        days: dict[tuple, list] = {}
        ordered = entries.order_by("start_time", "id").values_list(
            "pk", "employee_id", "duration_seconds", "local_day", "pay_code_hint"
        )
        for pk, employee_id, seconds, day, hint in ordered:
            total = days.setdefault((employee_id, day, hint), [0, []])
            total[0] += seconds or 0
            total[1].append(pk)
        result.extend((key[0], key[1], total[0], tuple(total[1]), key[2]) for key, total in sorted(days.items()))
    return result


def approved_days_for_payroll(
    *, organisation, employees, first: datetime.date, last: datetime.date
) -> tuple[list[PaidDay], set[int]]:
    """:func:`time_for_payroll` by employee, local day and pay code hint (:class:`PaidDay`, by
    employee, day, then hint: "" first), and the ids of the employees with time there outside an approved timesheet (two
    queries per timezone at most)."""
    totals = _day_totals(organisation, employees, first, last)
    sheets = _approved_sheets(organisation, {e.pk for e in employees}, first, last)
    result, unapproved = [], set()
    for employee_id, day, seconds, entry_ids, hint in totals:
        for sheet_id, sheet_start, sheet_end in sheets.get(employee_id, ()):
            if sheet_start <= day <= sheet_end:
                result.append(PaidDay(employee_id, day, seconds, entry_ids, sheet_id, sheet_start, sheet_end, hint))
                break
        else:
            unapproved.add(employee_id)
    return result, unapproved


def entry_local_days(*, organisation, entry_ids) -> list[tuple[int, int, datetime.date]]:
    """``(entry id, employee id, local day)`` of the entries ``entry_ids`` (one query)."""
    entries = (
        TimeEntry.objects.for_organisation(organisation).filter(pk__in=entry_ids).select_related("employee__office")
    )
    return [
        (e.pk, e.employee_id, e.start_time.astimezone(employee_timezone(e.employee, organisation)).date())
        for e in entries
    ]


def _approved_sheets(organisation, employee_ids, first, last) -> dict[int, list[tuple]]:
    sheets = defaultdict(list)
    rows = (
        filter_in(Timesheet.objects.for_organisation(organisation), "employee_id", employee_ids)
        .filter(status=TimesheetStatus.APPROVED)
        .filter(period_start__lte=last, period_end__gte=first)
        .values_list("pk", "employee_id", "period_start", "period_end")
    )
    for pk, employee_id, start, end in rows:
        sheets[employee_id].append((pk, start, end))
    return sheets


def time_for_payroll(
    *, organisation, employees, first: datetime.date, last: datetime.date
) -> tuple[list[PaidTime], set[int]]:
    """The finished entries of ``employees`` (offices loaded) on local days ``first``..``last``
    that lie in an APPROVED timesheet, in start order, and the ids of the employees with time
    there outside one (two queries)."""
    entries = _entries(organisation, employees, first, last)
    sheets = _approved_sheets(organisation, {e.pk for e in employees}, first, last)
    result, unapproved = [], set()
    for pk, employee_id, start_time, seconds, day in entries:
        sheet = next((s for s in sheets.get(employee_id, ()) if s[1] <= day <= s[2]), None)
        if sheet is not None:
            result.append(PaidTime(pk, employee_id, sheet[0], day, start_time, seconds))
        else:
            unapproved.add(employee_id)
    return result, unapproved


def approved_time_between(*, organisation, employees, first: datetime.date, last: datetime.date) -> list[PaidTime]:
    """The approved part of :func:`time_for_payroll`."""
    return time_for_payroll(organisation=organisation, employees=employees, first=first, last=last)[0]


def unapproved_time_employee_ids(*, organisation, employees, first, last) -> set[int]:
    """Employees with finished time on ``first``..``last`` outside an approved timesheet."""
    entries = _entries(organisation, employees, first, last)
    sheets = _approved_sheets(organisation, {e.pk for e in employees}, first, last)
    return {
        employee_id
        for _pk, employee_id, _start, _seconds, day in entries
        if not any(s[1] <= day <= s[2] for s in sheets.get(employee_id, ()))
    }


def pay_rates_between(*, organisation, employees, days) -> dict[int, dict[datetime.date, Decimal | None]]:
    """Employee id → {day → hourly pay rate in force that day} (:func:`timetracking.rates.pay_rate_for`'s
    rule: their contract for all projects, its pay-rate history, else the HR hourly rate; None for
    none), for many employees in two queries."""
    contracts = {
        c.employee_id: c
        for c in filter_in(
            Contract.objects.for_organisation(organisation), "employee_id", [e.pk for e in employees]
        ).filter(project__isnull=True)
    }
    history = _changes(organisation, RateKind.PAY, contracts=[c.pk for c in contracts.values()])
    rates: dict[int, dict[datetime.date, Decimal | None]] = {}
    for employee in employees:
        contract = contracts.get(employee.pk)
        fallback = hr_selectors.employee_hourly_pay_rate(employee=employee)
        own = {}
        for day in days:
            rate = history.at(("contract", contract.pk), day, contract.pay_rate) if contract is not None else None
            own[day] = Decimal(rate) if rate is not None else fallback
        rates[employee.pk] = own
    return rates
