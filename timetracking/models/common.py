"""Shared pieces of the time-tracking models: field options, tag normalisation, duration
rounding, the local-day arithmetic (an employee's office timezone, else the organisation's)
and the row visibility rule (own, or a manager's office)."""

from __future__ import annotations

import datetime
import zoneinfo

from django.db.models import Q

from organisations.choices import Role

from ..choices import (
    RoundingMode,
)

#: field options of an hourly rate or a budget (money)
RATE = {"max_digits": 12, "decimal_places": 2}
#: field options of an estimate in hours
HOURS = {"max_digits": 9, "decimal_places": 2}
TAG_MAX_LENGTH = 50


def normalise_tags(value) -> str:
    """Tags as stored: lower case, inner whitespace collapsed, no empties, no duplicates (first
    occurrence keeps its place), joined by commas. Accepts ``"a, B,,a"`` or ``["a", "B"]``."""
    if value is None:
        return ""
    parts = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    seen: list[str] = []
    for part in parts:
        tag = " ".join(str(part).split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return ",".join(seen)


def tag_list(tags: str) -> list[str]:
    return [t for t in tags.split(",") if t] if tags else []


def round_duration(seconds: int, mode: str, step_minutes: int) -> int:
    """A duration rounded to the organisation's step. An aligned duration (a whole number of
    steps) is never changed; ``nearest`` rounds halves up and never rounds a non-zero
    duration down to zero; ``up`` moves to the next step."""
    if mode == RoundingMode.NONE or not step_minutes or seconds <= 0:
        return seconds
    step = step_minutes * 60
    remainder = seconds % step
    if remainder == 0:
        return seconds
    if mode == RoundingMode.UP:
        return seconds - remainder + step
    rounded = seconds - remainder + (step if remainder * 2 >= step else 0)
    return rounded or step


def employee_timezone(employee, organisation) -> zoneinfo.ZoneInfo:
    """The timezone of an employee's days: their office's, else the organisation's."""
    office = getattr(employee, "office", None) if employee is not None else None
    name = office.timezone if office is not None else organisation.timezone
    return zoneinfo.ZoneInfo(name or "UTC")


def local_day_bounds(first: datetime.date, last: datetime.date, tz: zoneinfo.ZoneInfo):
    """``[start, end)`` in UTC covering the local days ``first``..``last`` (inclusive): each
    bound is a local midnight converted to UTC, so DST changes move the bounds, never the days."""
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz).astimezone(datetime.UTC)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end.astimezone(datetime.UTC)


def own_or_office(actor, prefix: str = "employee__") -> Q | None:
    """Rows of the actor's own employee record, plus those of their office's employees for a
    manager; ``None`` means every row (owners, admins, OAuth clients, system jobs)."""
    if actor.sees_whole_organisation:
        return None
    if actor.membership is None:
        return Q(pk__in=[])
    seen = Q(**{f"{prefix}membership": actor.membership})
    if actor.role == Role.MANAGER and actor.membership.office_id:
        seen |= Q(**{f"{prefix}office_id": actor.membership.office_id})
    return seen
