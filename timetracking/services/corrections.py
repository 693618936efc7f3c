"""Time people can correct (issue 14 point 2): local times typed on a page become instants by
one rule, and the week grid's durations become entries.

- :func:`time_entry_span` — a day and two clock times in the reader's zone. An end at or before
  the start is refused unless the entry is explicitly *overnight* (it then ends the next day).
  REST and GraphQL clients send instants (``start_time``/``end_time``), where the same rule is
  "the end must be after the start" (:meth:`TimeEntry.clean`): an overnight entry is simply an
  ``end_time`` on the next day, so all three agree.
- :func:`week_grid_save` — Harvest/Toggl-style durations per project/task and day. An unchanged
  cell (to the minute) is left alone; 0 deletes the cell's entries; a new duration changes the
  cell's last entry (or creates one after the day's last entry, else at 09:00). Every change
  goes through the entry services (audit, events, overlap and leaver rules).
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from organisations.actors import Actor

from ..models import Project, Task, TimeEntry, local_day_bounds
from .entries import time_entry_create, time_entry_delete, time_entry_update

if TYPE_CHECKING:  # annotations only: other apps read employees through hr.selectors
    from hr.models import Employee

__all__ = ["WeekCell", "parse_duration", "time_entry_span", "week_grid_save"]

#: where a new entry of the week grid starts when its day has no other entry
DAY_START = datetime.time(9, 0)
MAX_CELL_SECONDS = 24 * 3600


def time_entry_span(
    *,
    day: datetime.date,
    start: datetime.time,
    end: datetime.time,
    tz: zoneinfo.ZoneInfo,
    overnight: bool = False,
) -> tuple[datetime.datetime, datetime.datetime]:
    """``(start_time, end_time)`` in UTC of an entry typed as a day and two clock times in ``tz``.

    An end at or before the start is an error, unless ``overnight``: then the entry ends on the
    next day (and its end must be earlier on the clock than its start, or it would last more
    than a day)."""
    start_at = datetime.datetime.combine(day, start, tzinfo=tz)
    end_at = datetime.datetime.combine(day + datetime.timedelta(days=1 if overnight else 0), end, tzinfo=tz)
    clock = {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
    if overnight and end >= start:
        raise ValidationError(
            {
                "end": _(
                    "An overnight entry ends the next day: its end (%(end)s) must be earlier than its "
                    "start (%(start)s)."
                )
                % clock
            }
        )
    if not overnight and end <= start:
        raise ValidationError(
            {
                "end": _(
                    "The end (%(end)s) is not after the start (%(start)s). Tick “Overnight” if the entry "
                    "ends the next day."
                )
                % clock
            }
        )
    return start_at.astimezone(datetime.UTC), end_at.astimezone(datetime.UTC)


def parse_duration(text: str) -> int:
    """Seconds of a typed duration: ``1:30``, ``1.5`` or ``1,5`` hours, ``90m``; empty is 0."""
    value = (text or "").strip().lower().replace(",", ".")
    if not value:
        return 0
    if match := re.fullmatch(r"(\d{1,2}):([0-5]\d)", value):
        seconds = int(match[1]) * 3600 + int(match[2]) * 60
    elif match := re.fullmatch(r"(\d{1,4})\s*m(in)?", value):
        seconds = int(match[1]) * 60
    elif re.fullmatch(r"\d{1,2}(\.\d{1,2})?\s*h?", value):
        seconds = round(float(value.rstrip("h ")) * 3600)
    else:
        raise ValidationError(
            _("“%(text)s” is not a duration: type hours and minutes (1:30) or hours (1.5).") % {"text": text}
        )
    if seconds > MAX_CELL_SECONDS:
        raise ValidationError(_("A day has at most 24 hours (“%(text)s”).") % {"text": text})
    return seconds


@dataclass(frozen=True)
class WeekCell:
    """One cell of the week grid as typed: a project (and task), a day, a duration in seconds."""

    project: Project
    task: Task | None
    day: datetime.date
    seconds: int


def _cell_label(cell: WeekCell) -> str:
    name = cell.project.name if cell.task is None else f"{cell.project.name} · {cell.task.name}"
    return f"{name}, {date_format(cell.day, 'D j M')}"


@transaction.atomic
def week_grid_save(*, actor: Actor, employee: Employee, tz: zoneinfo.ZoneInfo, cells: list[WeekCell]) -> dict[str, int]:
    """Apply the typed durations of the week grid; returns how many entries were created,
    changed and deleted. A refusal names the cell (project, task and day) in words."""
    counts = {"created": 0, "changed": 0, "deleted": 0}
    for cell in cells:
        start, end = local_day_bounds(cell.day, cell.day, tz)
        day_entries = list(
            TimeEntry.objects.for_organisation(actor.organisation)
            .filter(employee=employee, start_time__gte=start, start_time__lt=end, end_time__isnull=False)
            .order_by("start_time", "id")
        )
        mine = [
            e
            for e in day_entries
            if e.project_id == cell.project.pk and e.task_id == (cell.task.pk if cell.task else None)
        ]
        current = sum(e.duration_seconds or 0 for e in mine)
        if current // 60 == cell.seconds // 60:
            continue  # unchanged to the minute: an unchanged re-submit changes nothing
        try:
            if cell.seconds == 0:
                for entry in mine:
                    time_entry_delete(actor=actor, entry=entry)
                    counts["deleted"] += 1
            elif mine:
                last = mine[-1]
                keep = (last.duration_seconds or 0) + cell.seconds - current
                if keep <= 0:
                    raise ValidationError(
                        _("This cell holds %(n)s entries; lower it in the entries list, where each can be edited.")
                        % {"n": len(mine)}
                    )
                time_entry_update(
                    actor=actor,
                    entry=last,
                    data={"end_time": last.start_time + datetime.timedelta(seconds=keep)},
                )
                counts["changed"] += 1
            else:
                latest = max((e.end_time for e in day_entries if e.end_time is not None), default=None)
                begin = latest or datetime.datetime.combine(cell.day, DAY_START, tzinfo=tz).astimezone(datetime.UTC)
                time_entry_create(
                    actor=actor,
                    employee=employee,
                    project=cell.project,
                    task=cell.task,
                    start_time=begin,
                    end_time=begin + datetime.timedelta(seconds=cell.seconds),
                )
                counts["created"] += 1
        except ValidationError as error:
            raise ValidationError(
                _("%(cell)s: %(reason)s") % {"cell": _cell_label(cell), "reason": " ".join(error.messages)}
            ) from error
    return counts
