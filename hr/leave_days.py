"""Working days and hours of a leave request (issue 16 point 2): pure arithmetic on local dates.

A day's hours come from the employee's work schedule (hours per weekday); a holiday takes the day
off (a half-day holiday half of it). Everything is a calendar date in the employee's own zone,
never an instant, so a DST change (a 23- or 25-hour day) changes nothing: a working day is its
scheduled hours. A year-long range is 366 dictionary lookups (microseconds).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .choices import LeaveUnit

ZERO = Decimal("0")
HALF = Decimal("0.5")
CENT = Decimal("0.01")
#: the longest range one request may cover
MAX_REQUEST_DAYS = 366


def hours_round(value: Decimal) -> Decimal:
    """Hours to the cent of an hour, half-up (once, at the end of a computation)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LeaveDay:
    date: datetime.date
    hours: Decimal
    #: share of a working day (1, 0.5)
    fraction: Decimal


@dataclass(frozen=True)
class LeaveCount:
    days: list[LeaveDay]

    @property
    def working_days(self) -> Decimal:
        return sum((day.fraction for day in self.days), ZERO)

    @property
    def hours(self) -> Decimal:
        return hours_round(sum((day.hours for day in self.days), ZERO))


def count_leave(
    *,
    week: tuple[Decimal, ...],
    holidays: dict[datetime.date, bool],
    start: datetime.date,
    end: datetime.date,
    unit: str = LeaveUnit.FULL_DAYS,
    hours_per_day: Decimal | None = None,
) -> LeaveCount:
    """The leave days of ``start``..``end`` (inclusive). ``week`` is the scheduled hours Monday to
    Sunday; ``holidays`` maps a date to ``half_day``. Half days count half of each working day;
    a request in hours is the given hours of one working day (at most its scheduled hours)."""
    days: list[LeaveDay] = []
    day, one = start, datetime.timedelta(days=1)
    while day <= end:
        scheduled = week[day.weekday()]
        if scheduled > 0:
            half_holiday = holidays.get(day)
            fraction = Decimal("1")
            if half_holiday is True:
                fraction = HALF
            elif half_holiday is False:
                fraction = ZERO
            if unit == LeaveUnit.HALF_DAYS:
                fraction = min(fraction, HALF)
            if fraction > 0:
                hours = scheduled * fraction
                if unit == LeaveUnit.HOURS and hours_per_day is not None:
                    hours = min(hours, hours_per_day)
                    fraction = hours_round(hours / scheduled)
                days.append(LeaveDay(date=day, hours=hours_round(hours), fraction=fraction))
        day += one
    return LeaveCount(days=days)
