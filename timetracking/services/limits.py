"""Contract hours limits (issue 15 point 5): a contract may cap the hours it covers per week and
per day (a contract for one project covers that project's time; one without a project covers all
the employee's time). Time beyond a limit is refused with a 422 problem naming the limit, or —
with the organisation's ``TimesheetSettings.over_limit`` set to ``flag`` — accepted and flagged on
the timesheet (:func:`over_limit_spans`).

Time counts on the local day (in the employee's office timezone) its entry starts, as on the
timesheet; weeks start on Monday, or on Sunday when the organisation's periods do.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from trackyoursheets.exceptions import DomainError

from ..choices import OverLimitPolicy, TimesheetPeriod
from ..models import Contract, TimeEntry, TimesheetSettings, employee_timezone, local_day_bounds
from ..periods import local_date

__all__ = [
    "HoursLimitExceeded",
    "LimitBreach",
    "check_hours_limits",
    "limit_refusal",
    "over_limit_spans",
    "week_start",
]

SECONDS_PER_HOUR = Decimal(3600)
CENT = Decimal("0.01")


class HoursLimitExceeded(DomainError):
    """Time beyond a contract's weekly or daily hours limit (the organisation refuses it)."""

    slug = "hours-limit"
    title = "Hours limit exceeded"


@dataclass(frozen=True)
class LimitBreach:
    contract_id: int
    limit: str  # "weekly" or "daily"
    first_day: datetime.date
    last_day: datetime.date
    seconds: int
    limit_hours: Decimal

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.seconds) / SECONDS_PER_HOUR).quantize(CENT)

    def as_dict(self) -> dict:
        return {
            "contract_id": self.contract_id,
            "limit": self.limit,
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "hours": str(self.hours),
            "limit_hours": str(self.limit_hours),
        }


def week_start(day: datetime.date, settings: TimesheetSettings) -> datetime.date:
    if settings.period == TimesheetPeriod.WEEKLY_SUNDAY:
        return day - datetime.timedelta(days=(day.weekday() + 1) % 7)
    return day - datetime.timedelta(days=day.weekday())


def _limited_contracts(employee_id: int, project_ids=None) -> list[Contract]:
    qs = Contract.objects.filter(employee_id=employee_id).filter(
        Q(weekly_hours_limit__isnull=False) | Q(daily_hours_limit__isnull=False)
    )
    if project_ids is not None:
        qs = qs.filter(Q(project__isnull=True) | Q(project_id__in=project_ids))
    return list(qs.order_by("project_id", "id"))


def check_hours_limits(
    *, organisation, entry: TimeEntry, settings: TimesheetSettings, limited: bool | None = None
) -> list[LimitBreach]:
    """The limits ``entry`` (finished, not yet saved or changed) would exceed. Refused with a 422
    naming the first when the organisation refuses such time; returned (to be flagged) otherwise.
    One query when the employee has no limited contract; none when ``limited`` is False (the
    caller read that no limited contract covers the entry's project)."""
    if entry.end_time is None or not entry.duration_seconds or limited is False:
        return []
    contracts = _limited_contracts(entry.employee_id, [entry.project_id])
    if not contracts:
        return []
    tz = employee_timezone(entry.employee, organisation)
    day = local_date(entry.start_time, tz)
    monday = week_start(day, settings)
    start, end = local_day_bounds(monday, monday + datetime.timedelta(days=6), tz)
    day_start, day_end = local_day_bounds(day, day, tz)
    rows = (
        TimeEntry.objects.filter(employee_id=entry.employee_id, end_time__isnull=False)
        .filter(start_time__gte=start, start_time__lt=end)
        .exclude(pk=entry.pk)
        .values("project_id")
        .annotate(
            week=Sum("duration_seconds"),
            day=Sum("duration_seconds", filter=Q(start_time__gte=day_start, start_time__lt=day_end)),
        )
        .order_by()
    )
    used = {row["project_id"]: (row["week"] or 0, row["day"] or 0) for row in rows}
    breaches = []
    for contract in contracts:
        covered = [v for p, v in used.items() if contract.project_id is None or p == contract.project_id]
        week = sum(v[0] for v in covered) + entry.duration_seconds
        today = sum(v[1] for v in covered) + entry.duration_seconds
        if contract.weekly_hours_limit is not None and week > contract.weekly_hours_limit * SECONDS_PER_HOUR:
            breaches.append(
                LimitBreach(
                    contract.pk,
                    "weekly",
                    monday,
                    monday + datetime.timedelta(days=6),
                    week,
                    contract.weekly_hours_limit,
                )
            )
        if contract.daily_hours_limit is not None and today > contract.daily_hours_limit * SECONDS_PER_HOUR:
            breaches.append(LimitBreach(contract.pk, "daily", day, day, today, contract.daily_hours_limit))
    if breaches and settings.over_limit == OverLimitPolicy.REFUSE:
        raise limit_refusal(entry.employee_id, breaches[0])
    return breaches


def limit_refusal(employee_id: int, breach: LimitBreach) -> HoursLimitExceeded:
    """The 422 of time beyond ``breach`` (one entry, or rows of a CSV import)."""
    values = {
        "hours": breach.hours,
        "limit": breach.limit_hours,
        "contract": breach.contract_id,
        "employee": employee_id,
        "first": breach.first_day.isoformat(),
        "last": breach.last_day.isoformat(),
    }
    if breach.limit == "weekly":
        detail = _(
            "This time brings employee %(employee)s to %(hours)s hours in the week %(first)s to %(last)s, over "
            "the weekly limit of %(limit)s hours of contract %(contract)s."
        )
    else:
        detail = _(
            "This time brings employee %(employee)s to %(hours)s hours on %(first)s, over the daily limit of "
            "%(limit)s hours of contract %(contract)s."
        )
    message = detail % values
    return HoursLimitExceeded(message, errors={"end_time": [message]}, code="hours_limit", limit=breach.as_dict())


def over_limit_spans(
    *, organisation, employee, first: datetime.date, last: datetime.date, settings: TimesheetSettings
) -> list[LimitBreach]:
    """Every day and week overlapping ``first``..``last`` in which the employee's time exceeds a
    limit of one of their contracts (what a timesheet flags). Two queries (none past the first
    when no contract has a limit)."""
    contracts = _limited_contracts(employee.pk)
    if not contracts:
        return []
    tz = employee_timezone(employee, organisation)
    monday = week_start(first, settings)
    last_week = week_start(last, settings)
    start, end = local_day_bounds(monday, last_week + datetime.timedelta(days=6), tz)
    by_day: dict[tuple[int, datetime.date], int] = defaultdict(int)
    rows = TimeEntry.objects.filter(
        employee_id=employee.pk, end_time__isnull=False, start_time__gte=start, start_time__lt=end
    ).values_list("project_id", "start_time", "duration_seconds")
    for project_id, started, seconds in rows:
        by_day[(project_id, local_date(started, tz))] += seconds or 0
    breaches = []
    for contract in contracts:
        days: dict[datetime.date, int] = defaultdict(int)
        for (project_id, day), seconds in by_day.items():
            if contract.project_id is None or project_id == contract.project_id:
                days[day] += seconds
        if contract.weekly_hours_limit is not None:
            cursor = monday
            while cursor <= last_week:
                week_end = cursor + datetime.timedelta(days=6)
                total = sum(s for d, s in days.items() if cursor <= d <= week_end)
                if total > contract.weekly_hours_limit * SECONDS_PER_HOUR:
                    breaches.append(
                        LimitBreach(contract.pk, "weekly", cursor, week_end, total, contract.weekly_hours_limit)
                    )
                cursor += datetime.timedelta(days=7)
        if contract.daily_hours_limit is not None:
            for day in sorted(days):
                if first <= day <= last and days[day] > contract.daily_hours_limit * SECONDS_PER_HOUR:
                    breaches.append(LimitBreach(contract.pk, "daily", day, day, days[day], contract.daily_hours_limit))
    return breaches
