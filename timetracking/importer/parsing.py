"""Reading and checking a time-entry CSV: the accepted columns, the file's rows, one row's
fields and permissions, and overlaps between rows and with stored entries (see
:mod:`timetracking.importer` for the format)."""

from __future__ import annotations

import csv
import datetime
import re
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from hr import selectors as hr_selectors
from organisations.actors import Actor
from trackyoursheets.limits import FREE_TEXT_MAX_LENGTH, MAX_YEAR, MIN_YEAR

from .. import representation, selectors
from ..choices import ProjectStatus
from ..models import TAG_MAX_LENGTH, TimeEntry, TimeSettings, normalise_tags

#: canonical column -> accepted header spellings (after normalising): the local day, then the time
#: entry's columns as declared in timetracking/representation.py
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "day"),
    **representation.csv_columns(),
    # TimeTracker's export (issue 13 point 8): ids instead of names, ISO 8601 start/end times
    "project_id": ("project_id",),
    "task_id": ("task_id",),
    # an end at or before the start is the next day only when the row says so (issue 14 point 2)
    "overnight": ("overnight",),
}
ALIASES = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
TRUE = {"true", "yes", "y", "1", "t"}
FALSE = {"false", "no", "n", "0", "f"}
TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
MAX_DURATION = datetime.timedelta(hours=24)


# =============================================================================
# Reading the file
# =============================================================================


def decode_csv(data: bytes | str) -> str:
    """The text of an upload: UTF-8 with or without a BOM; anything else is a 422."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"file": _("The file is not UTF-8 text.")}) from None
    else:
        text = data
    return text.removeprefix("\ufeff")


def _delimiter(text: str) -> str:
    header = next((line for line in _lines(text) if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


def _header_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` (with their endings), one at a time: ``io.StringIO`` would copy the
    whole file into a buffer of four bytes per character."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        stop = end if stop == -1 else stop + 1
        yield text[start:stop]
        start = stop


def _reader(text: str) -> tuple[csv.reader, dict[str, int]]:
    """A CSV reader positioned after the header, and canonical column -> index."""
    reader = csv.reader(_lines(text), delimiter=_delimiter(text))
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)
    if header is None:
        raise ValidationError({"file": _("The file is empty.")})
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        column = ALIASES.get(_header_key(name))
        if column is not None and column not in index:
            index[column] = position
    # TimeTracker's ``start_time`` carries its own date (ISO 8601), so ``date`` is then optional
    needs_date = _header_key(header[index["start"]]) != "start_time" if "start" in index else True
    missing = [c for c in ("date", "start") if c not in index and (c != "date" or needs_date)]
    if "project" not in index and "project_id" not in index:
        missing.append("project")
    if "end" not in index and "duration" not in index:
        missing.append("end or duration")
    if missing:
        raise ValidationError({"file": _("Missing columns: %(names)s.") % {"names": ", ".join(missing)}})
    return reader, index


def _rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: cell}) for every non-blank data row; the header is line 1."""
    reader, index = _reader(text)
    line = reader.line_num
    for cells in reader:
        row_line, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        yield row_line, {column: (cells[i].strip() if i < len(cells) else "") for column, i in index.items()}


def count_rows(text: str) -> int:
    return sum(1 for _row in _rows(text))


# =============================================================================
# Validating rows
# =============================================================================


@dataclass
class _Lookups:
    actor: Actor
    projects: dict[str, object]
    projects_by_id: dict[str, object]
    tasks: dict[tuple[int, str], object]
    tasks_by_id: dict[str, object]
    employees: dict[str, object]
    own: object | None
    zones: dict[int, zoneinfo.ZoneInfo]
    settings: TimeSettings


def _lookups(actor: Actor) -> _Lookups:
    project_rows = list(selectors.project_list(actor=actor))
    projects = {p.name.lower(): p for p in project_rows}
    task_rows = list(selectors.task_list(actor=actor).select_related(None))
    tasks = {(t.project_id, t.name.lower()): t for t in task_rows}
    employees: dict[str, object] = {}
    for employee in selectors.time_employee_list(actor=actor).select_related("office", "membership__user"):
        for email in (employee.email, employee.membership.user.email if employee.membership_id else ""):
            if email:
                employees.setdefault(email.lower(), employee)
    org_tz = zoneinfo.ZoneInfo(actor.organisation.timezone or "UTC")
    zones = defaultdict(lambda: org_tz)
    for employee in employees.values():
        if employee.office_id:
            zones[employee.pk] = zoneinfo.ZoneInfo(employee.office.timezone)
    return _Lookups(
        actor=actor,
        projects=projects,
        projects_by_id={str(p.pk): p for p in project_rows},
        tasks=tasks,
        tasks_by_id={str(t.pk): t for t in task_rows},
        employees=employees,
        own=selectors.actor_employee(actor=actor),
        zones=zones,
        settings=selectors.time_settings_get(organisation=actor.organisation),
    )


def _parse_time(text: str) -> datetime.time | None:
    match = TIME.match(text)
    if not match:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return datetime.time(hour, minute, second)


def _parse_instant(text: str) -> datetime.datetime | None:
    """An ISO 8601 date and time (TimeTracker's ``start_time``/``end_time``); naive means local."""
    if not DATE.match(text[:10]) or len(text) <= 10:
        return None
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


def _parse_duration(text: str) -> datetime.timedelta | None:
    match = TIME.match(text)
    if match:
        return datetime.timedelta(hours=int(match[1]), minutes=int(match[2]), seconds=int(match[3] or 0))
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return datetime.timedelta(seconds=int(value * 3600))


@dataclass
class _Row:
    employee_id: int
    project_id: int
    task_id: int | None
    start: datetime.datetime
    end: datetime.datetime
    duration: int
    notes: str
    tags: str
    billable: bool


def _check_row(lookups: _Lookups, cells: dict[str, str]) -> tuple[_Row | None, list[str]]:
    errors: list[str] = []
    email = cells.get("employee_email", "")
    if email:
        employee = lookups.employees.get(email.lower())
        if employee is None:
            errors.append(_("employee_email: no employee %(email)s whose time you may record.") % {"email": email})
    else:
        employee = lookups.own
        if employee is None:
            errors.append(_("employee_email: required (you have no employee record of your own)."))
    project, project_errors = _project(lookups, cells)
    errors.extend(project_errors)
    task = None
    if cells.get("task_id") and project is not None:
        task = lookups.tasks_by_id.get(cells["task_id"])
        if task is None or task.project_id != project.pk:
            task = None
            errors.append(_("task_id: no task %(id)s in this project.") % {"id": cells["task_id"]})
    elif cells.get("task") and project is not None:
        task = lookups.tasks.get((project.pk, cells["task"].lower()))
        if task is None:
            errors.append(_('task: no task named "%(name)s" in this project.') % {"name": cells["task"]})
    start_instant = _parse_instant(cells["start"])
    end_instant = _parse_instant(cells["end"]) if cells.get("end") else None
    day = start_instant.date() if start_instant is not None else None
    match = DATE.match(cells.get("date", ""))
    if match and start_instant is None:
        try:
            day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            day = None
    if day is None and start_instant is None:
        errors.append(_("date: use YYYY-MM-DD."))
    elif day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
        errors.append(_("date: between the years %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR})
        day = None
    start_time = start_instant.time() if start_instant is not None else _parse_time(cells["start"])
    if start_time is None:
        errors.append(_("start: use HH:MM or HH:MM:SS."))
    end_time = _parse_time(cells["end"]) if cells.get("end") and end_instant is None else None
    overnight_text = cells.get("overnight", "").lower()
    if overnight_text and overnight_text not in TRUE | FALSE:
        errors.append(_("overnight: use true or false."))
    overnight = overnight_text in TRUE
    if end_time is not None and start_time is not None:
        clock = {"start": start_time.strftime("%H:%M"), "end": end_time.strftime("%H:%M")}
        if not overnight and end_time <= start_time:
            errors.append(
                _(
                    "end: %(end)s is not after the start (%(start)s); set overnight to true if the entry ends "
                    "the next day."
                )
                % clock
            )
        elif overnight and end_time >= start_time:
            errors.append(
                _("end: an overnight entry ends the next day, so its end (%(end)s) is earlier than its start.") % clock
            )
    duration = None
    if cells.get("end"):
        if end_time is None and end_instant is None:
            errors.append(_("end: use HH:MM or HH:MM:SS."))
    elif cells.get("duration"):
        duration = _parse_duration(cells["duration"])
        if duration is None or duration <= datetime.timedelta(0):
            errors.append(_("duration: use hours (1.5), H:MM or H:MM:SS, more than zero."))
            duration = None
    else:
        errors.append(_("end: give an end time or a duration."))
    billable_text = cells.get("billable", "").lower()
    if billable_text and billable_text not in TRUE | FALSE:
        errors.append(_("billable: use true or false."))
    tags = normalise_tags(cells.get("tags", ""))
    if any(len(t) > TAG_MAX_LENGTH for t in tags.split(",")):
        errors.append(_("tags: a tag has at most %(max)s characters.") % {"max": TAG_MAX_LENGTH})
    if len(cells.get("notes", "")) > FREE_TEXT_MAX_LENGTH:
        errors.append(_("notes: at most %(max)s characters.") % {"max": FREE_TEXT_MAX_LENGTH})
    if errors or employee is None or project is None or day is None or start_time is None:
        return None, errors

    tz = lookups.zones[employee.pk]
    start = _instant(start_instant, tz) if start_instant else None
    start = start or datetime.datetime.combine(day, start_time, tzinfo=tz).astimezone(datetime.UTC)
    if end_instant is not None:
        end = _instant(end_instant, tz)
    elif end_time is not None:
        end_day = day + datetime.timedelta(days=1) if overnight else day
        end = datetime.datetime.combine(end_day, end_time, tzinfo=tz).astimezone(datetime.UTC)
    else:
        end = start + duration
    if end <= start:
        return None, [_("end: must be after the start.")]
    if end - start > MAX_DURATION:
        return None, [_("end: an entry lasts at most 24 hours.")]
    left = hr_selectors.employee_accrual_refusal(employee=employee, start=start, end=end)
    if left:  # people who left do not accrue (issue 13 point 4), as in the time-entry services
        return None, [f"employee_email: {left}"]
    billable = project.billable if not billable_text else billable_text in TRUE
    seconds = lookups.settings.round(int((end - start).total_seconds()))
    return (
        _Row(
            employee_id=employee.pk,
            project_id=project.pk,
            task_id=task.pk if task else None,
            start=start,
            end=end,
            duration=seconds,
            notes=cells.get("notes", ""),
            tags=tags,
            billable=billable,
        ),
        [],
    )


def _instant(value: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """An ISO 8601 value in UTC: with its own offset, else in the employee's local time."""
    return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(datetime.UTC)


def _project(lookups: _Lookups, cells: dict[str, str]) -> tuple[object | None, list[str]]:
    """The row's project, by ``project_id`` (TimeTracker) or by name; archived ones take no time."""
    if cells.get("project_id"):
        project = lookups.projects_by_id.get(cells["project_id"])
        if project is None:
            return None, [_("project_id: no project %(id)s.") % {"id": cells["project_id"]}]
    elif not cells.get("project"):
        return None, [_("project: required.")]
    else:
        project = lookups.projects.get(cells["project"].lower())
        if project is None:
            return None, [_('project: no project named "%(name)s".') % {"name": cells["project"]}]
    if project.status == ProjectStatus.ARCHIVED:
        return None, [_('project: "%(name)s" is archived and takes no new time.') % {"name": project.name}]
    return project, []


FAR = 2**62  # a running timer's end, in epoch seconds


def _check_overlaps(lookups: _Lookups, intervals: dict, add_error: Callable, stored_up_to=None) -> None:
    """Rows of one employee that overlap each other or a stored entry of theirs. ``intervals`` holds
    ``start, end, line`` triplets (epoch seconds) per employee in compact arrays; the rows this
    import has just written (ids above ``stored_up_to``) are not "stored entries"."""
    if lookups.settings.allow_overlapping or not intervals:
        return
    low = min(min(values[0::3]) for values in intervals.values())
    high = max(max(values[1::3]) for values in intervals.values())
    stored = TimeEntry.objects.filter(
        employee_id__in=list(intervals), start_time__lt=datetime.datetime.fromtimestamp(high, datetime.UTC)
    ).filter(Q(end_time__isnull=True) | Q(end_time__gt=datetime.datetime.fromtimestamp(low, datetime.UTC)))
    if stored_up_to is not None:
        stored = stored.filter(pk__lte=stored_up_to)
    for employee_id, start, end, pk in stored.values_list("employee_id", "start_time", "end_time", "pk").iterator(
        chunk_size=5000
    ):
        intervals[employee_id].extend((int(start.timestamp()), int(end.timestamp()) if end else FAR, -pk))
    for values in intervals.values():
        rows = sorted(zip(values[0::3], values[1::3], values[2::3], strict=True))
        latest_end, latest_ref = None, None
        for start, end, ref in rows:
            if latest_end is not None and start < latest_end:
                if ref > 0:
                    other = (
                        (_("line %(n)s") % {"n": latest_ref})
                        if latest_ref > 0
                        else (_("stored entry %(id)s") % {"id": -latest_ref})
                    )
                    add_error(ref, _("overlaps %(other)s of the same employee.") % {"other": other})
                elif latest_ref > 0:
                    add_error(latest_ref, _("overlaps stored entry %(id)s of the same employee.") % {"id": -ref})
            if latest_end is None or end > latest_end:
                latest_end, latest_ref = end, ref
