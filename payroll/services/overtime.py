"""Splitting a workweek's hours into Regular, Overtime and Double time (issue 18 point 2): pure,
no database, to the second (so never a minute lost or invented: the pieces of an entry always add
up to it).

Per workweek (the organisation's timesheet week), in start order: each day's hours beyond the
daily threshold are overtime and beyond the daily double-time threshold double time; regular hours
beyond the weekly threshold are overtime; with the seventh-day rule, when every day of the
workweek was worked, the seventh day's first 8 hours are overtime and the rest double time."""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

REGULAR = "regular"
OVERTIME = "overtime"
DOUBLE_TIME = "double_time"
HOLIDAY = "holiday"  # regular hours worked on a holiday (the holiday pay rule, applied by the time adapter)
HOUR = 3600
SEVENTH_DAY_OVERTIME_SECONDS = 8 * HOUR


@dataclass(frozen=True)
class Thresholds:
    """A rule's thresholds in seconds (None: no such threshold) and multipliers."""

    weekly: int | None = 40 * HOUR
    daily: int | None = None
    daily_double: int | None = None
    seventh_day: bool = False
    overtime_multiplier: Decimal = Decimal("1.5")
    double_time_multiplier: Decimal = Decimal("2")

    @classmethod
    def of(cls, rule) -> Thresholds:
        """From an ``OvertimeRule`` (None: the default, 40 h a week × 1.5)."""
        if rule is None:
            return cls()

        def seconds(hours):
            return None if hours is None else int(Decimal(hours) * HOUR)

        return cls(
            weekly=seconds(rule.weekly_threshold_hours),
            daily=seconds(rule.daily_threshold_hours),
            daily_double=seconds(rule.daily_double_threshold_hours),
            seventh_day=rule.seventh_day,
            overtime_multiplier=rule.overtime_multiplier,
            double_time_multiplier=rule.double_time_multiplier,
        )

    def multiplier(self, kind: str) -> Decimal:
        if kind == OVERTIME:
            return Decimal(self.overtime_multiplier)
        if kind == DOUBLE_TIME:
            return Decimal(self.double_time_multiplier)
        return Decimal("1")


class Piece(NamedTuple):
    key: object  # the caller's handle on the entry
    day: datetime.date
    kind: str
    seconds: int


@functools.lru_cache(maxsize=256)
def _bands(thresholds: Thresholds, seventh: bool) -> tuple[tuple[int | None, str], ...]:
    """``(end, kind)`` bands of one day's seconds, in order (``None``: no end); the same few for
    every employee of a run, so kept (thresholds are frozen)."""
    if seventh:
        return ((SEVENTH_DAY_OVERTIME_SECONDS, OVERTIME), (None, DOUBLE_TIME))
    bands: list[tuple[int | None, str]] = []
    if thresholds.daily is not None:
        bands.append((thresholds.daily, REGULAR))
        if thresholds.daily_double is not None and thresholds.daily_double > thresholds.daily:
            bands.append((thresholds.daily_double, OVERTIME))
            bands.append((None, DOUBLE_TIME))
        else:
            bands.append((None, OVERTIME))
    elif thresholds.daily_double is not None:
        bands.append((thresholds.daily_double, REGULAR))
        bands.append((None, DOUBLE_TIME))
    else:
        bands.append((None, REGULAR))
    return tuple(bands)


def split_week(
    items: list[tuple[object, datetime.date, int]], thresholds: Thresholds, week_days: list[datetime.date]
) -> list[Piece]:
    """``items`` are one employee's ``(key, local day, seconds)`` of one workweek in start order;
    returns their pieces by kind (the pieces of an item sum to its seconds)."""
    seventh_day = None
    if thresholds.seventh_day:
        worked = {day for _key, day, seconds in items if seconds > 0}
        seventh_day = week_days[-1] if all(d in worked for d in week_days) else None
    used: dict[datetime.date, int] = defaultdict(int)
    week_regular = 0
    pieces: list[Piece] = []
    for key, day, seconds in items:
        remaining, position = seconds, used[day]
        bands = _bands(thresholds, day == seventh_day)
        while remaining > 0:
            band = 0  # the band holding ``position`` (the last has no end)
            while (limit := bands[band][0]) is not None and position >= limit:
                band += 1
            end, kind = bands[band]
            take = remaining if end is None else min(remaining, end - position)
            if kind == REGULAR and thresholds.weekly is not None:
                room = thresholds.weekly - week_regular
                if room <= 0:
                    kind = OVERTIME
                else:
                    take = min(take, room)
                    week_regular += take
            if pieces and pieces[-1].key == key and pieces[-1].kind == kind:
                pieces[-1] = Piece(key, day, kind, pieces[-1].seconds + take)
            else:
                pieces.append(Piece(key, day, kind, take))
            position += take
            remaining -= take
        used[day] = position
    return pieces
