"""Timesheet periods (issue 15 point 1): pure date arithmetic, no database.

A period is a run of *local dates* (``start`` .. ``end``, inclusive) in the employee's office
timezone (the organisation's when they have none). Instants are derived from those dates only
at the edges, with zoneinfo (:func:`timetracking.models.local_day_bounds`), so a week across a
DST change is simply 167 or 169 hours long and never loses or gains a day.
"""

from __future__ import annotations

import calendar
import datetime
import zoneinfo
from dataclasses import dataclass

from .choices import TimesheetPeriod
from .models import local_day_bounds

#: the default anchor of two-week periods: a Monday
DEFAULT_ANCHOR = datetime.date(2024, 1, 1)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def days(self) -> list[datetime.date]:
        return [self.start + datetime.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def bounds(self, tz: zoneinfo.ZoneInfo) -> tuple[datetime.datetime, datetime.datetime]:
        """``[start, end)`` in UTC: the local midnights opening ``start`` and closing ``end``."""
        return local_day_bounds(self.start, self.end, tz)

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def label(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def _month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period_containing(day: datetime.date, kind: str, anchor: datetime.date | None = None) -> Period:
    """The period of ``kind`` that holds the local date ``day``."""
    if kind == TimesheetPeriod.WEEKLY_SUNDAY:
        start = day - datetime.timedelta(days=(day.weekday() + 1) % 7)
        return Period(start, start + datetime.timedelta(days=6))
    if kind == TimesheetPeriod.BIWEEKLY:
        anchor = anchor or DEFAULT_ANCHOR
        start = anchor + datetime.timedelta(days=14 * ((day - anchor).days // 14))
        return Period(start, start + datetime.timedelta(days=13))
    if kind == TimesheetPeriod.SEMI_MONTHLY:
        if day.day <= 15:
            return Period(day.replace(day=1), day.replace(day=15))
        return Period(day.replace(day=16), _month_end(day))
    if kind == TimesheetPeriod.MONTHLY:
        return Period(day.replace(day=1), _month_end(day))
    start = day - datetime.timedelta(days=day.weekday())  # weekly, starting Monday (the default)
    return Period(start, start + datetime.timedelta(days=6))


def is_period_start(day: datetime.date, kind: str, anchor: datetime.date | None = None) -> bool:
    return period_containing(day, kind, anchor).start == day


def local_date(instant: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.date:
    return instant.astimezone(tz).date()
