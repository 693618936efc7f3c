"""A timesheet's content (issue 15 point 1): its entries and their totals by day, project, task
and billable. Reads only; the days are the local dates of the period in the employee's office
timezone (the organisation's when they have none), so a DST day counts 23 or 25 hours.

An entry belongs to the period its start falls in (the same rule the period locks use)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet

from hr import selectors as hr_selectors

from .models import TimeEntry, Timesheet, employee_timezone
from .periods import Period


@dataclass
class Bucket:
    seconds: int = 0
    billable_seconds: int = 0
    entries: int = 0

    def add(self, entry: TimeEntry) -> None:
        seconds = entry.duration_seconds or 0
        self.seconds += seconds
        self.billable_seconds += seconds if entry.billable else 0
        self.entries += 1


@dataclass
class TimesheetContent:
    timesheet: Timesheet
    entries: list[TimeEntry]
    days: list[tuple[datetime.date, Bucket]]
    projects: list[tuple[object, Bucket]]
    tasks: list[tuple[object, Bucket]]
    total: Bucket = field(default_factory=Bucket)
    running_entry_id: int | None = None
    #: approved leave of the period per request and day (issue 16: read from hr, shown as leave hours)
    leave: list = field(default_factory=list)


def timesheet_entries(*, timesheet: Timesheet) -> QuerySet[TimeEntry]:
    """The employee's entries that start in the period (running timers included), oldest first.
    Whoever may see the timesheet reads its entries (an approver from another office too)."""
    tz = employee_timezone(timesheet.employee, timesheet.organisation)
    start, end = Period(timesheet.period_start, timesheet.period_end).bounds(tz)
    return (
        TimeEntry.objects.filter(
            organisation_id=timesheet.organisation_id,
            employee_id=timesheet.employee_id,
            start_time__gte=start,
            start_time__lt=end,
        )
        .select_related("employee__membership", "project__client", "task")
        .order_by("start_time", "id")
    )


def timesheet_content(*, timesheet: Timesheet) -> TimesheetContent:
    """Entries and totals in one query (the rows are summed here, never one query per day)."""
    tz = employee_timezone(timesheet.employee, timesheet.organisation)
    period = Period(timesheet.period_start, timesheet.period_end)
    days = {day: Bucket() for day in period.days}
    projects: dict[int, tuple[object, Bucket]] = {}
    tasks: dict[int, tuple[object, Bucket]] = {}
    total = Bucket()
    entries = list(timesheet_entries(timesheet=timesheet))
    running = None
    for entry in entries:
        if entry.end_time is None:
            running = entry.pk
            continue
        days[entry.start_time.astimezone(tz).date()].add(entry)
        projects.setdefault(entry.project_id, (entry.project, Bucket()))[1].add(entry)
        if entry.task_id is not None:
            tasks.setdefault(entry.task_id, (entry.task, Bucket()))[1].add(entry)
        total.add(entry)
    return TimesheetContent(
        timesheet=timesheet,
        entries=entries,
        days=list(days.items()),
        projects=sorted(projects.values(), key=lambda pair: (pair[0].name.lower(), pair[0].pk)),
        tasks=sorted(tasks.values(), key=lambda pair: (pair[0].name.lower(), pair[0].pk)),
        total=total,
        running_entry_id=running,
        leave=hr_selectors.approved_leave_hours(
            timesheet.organisation, period.start, period.end, employee_ids=[timesheet.employee_id]
        ),
    )


def page_totals(timesheets: list[Timesheet]) -> dict[int, Bucket]:
    """Totals of a page of timesheets in one query, whatever the page's size (the query-count
    guard: a list of 1 or 100 timesheets reads the same number of times). Running timers are left
    out, as in :func:`timesheet_content`."""
    totals = {sheet.pk: Bucket() for sheet in timesheets}
    if not timesheets:
        return totals
    spans: dict[int, list[tuple[datetime.datetime, datetime.datetime, int]]] = {}
    for sheet in timesheets:
        tz = employee_timezone(sheet.employee, sheet.organisation)
        start, end = Period(sheet.period_start, sheet.period_end).bounds(tz)
        spans.setdefault(sheet.employee_id, []).append((start, end, sheet.pk))
    low = min(start for rows in spans.values() for start, _end, _pk in rows)
    high = max(end for rows in spans.values() for _start, end, _pk in rows)
    entries = TimeEntry.objects.filter(
        organisation_id=timesheets[0].organisation_id,
        employee_id__in=list(spans),
        start_time__gte=low,
        start_time__lt=high,
        end_time__isnull=False,
    ).values_list("employee_id", "start_time", "duration_seconds", "billable")
    for employee_id, start_time, duration, billable in entries:  # tuples: no model per entry
        for start, end, pk in spans[employee_id]:
            if start <= start_time < end:
                bucket = totals[pk]
                bucket.seconds += duration or 0
                bucket.billable_seconds += (duration or 0) if billable else 0
                bucket.entries += 1
                break
    return totals


# =============================================================================
# What changed since a rejection (issue 15 point 9: the approver's view of a resubmission)
# =============================================================================

#: the fields of an entry the approver compares, in display order
SNAPSHOT_FIELDS = ("start", "end", "duration_seconds", "project", "task", "billable", "notes", "tags")


def entry_snapshot(entry: TimeEntry, tz) -> dict:
    """What the approver judged of one entry: local start and end, duration, project and task
    (names), billable, notes and tags."""
    return {
        "start": entry.start_time.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        "end": entry.end_time.astimezone(tz).strftime("%Y-%m-%d %H:%M") if entry.end_time else "",
        "duration_seconds": entry.duration_seconds or 0,
        "project": entry.project.name,
        "task": entry.task.name if entry.task_id else "",
        "billable": entry.billable,
        "notes": entry.notes,
        "tags": entry.tags,
    }


def rejection_snapshot(*, timesheet: Timesheet) -> dict:
    """The period's entries as the rejecting approver saw them (stored on the timesheet)."""
    tz = employee_timezone(timesheet.employee, timesheet.organisation)
    return {"entries": {str(e.pk): entry_snapshot(e, tz) for e in timesheet_entries(timesheet=timesheet)}}


@dataclass
class EntryChange:
    kind: str  # "added", "changed" or "removed"
    entry_id: int
    now: dict | None
    before: dict | None
    fields: list[str]


def changes_since_rejection(*, timesheet: Timesheet, entries: list[TimeEntry]) -> list[EntryChange] | None:
    """The entries added, changed and removed since the timesheet was last rejected (``entries``:
    its current entries), in time order; None when it was never rejected."""
    snapshot = (timesheet.rejected_entries or {}).get("entries")
    if snapshot is None:
        return None
    tz = employee_timezone(timesheet.employee, timesheet.organisation)
    changes: list[EntryChange] = []
    current = {str(e.pk): entry_snapshot(e, tz) for e in entries}
    for key, now in current.items():
        before = snapshot.get(key)
        if before is None:
            changes.append(EntryChange("added", int(key), now, None, []))
        else:
            differ = [name for name in SNAPSHOT_FIELDS if before.get(name) != now[name]]
            if differ:
                changes.append(EntryChange("changed", int(key), now, before, differ))
    for key, before in snapshot.items():
        if key not in current:
            changes.append(EntryChange("removed", int(key), None, before, []))
    return sorted(changes, key=lambda c: ((c.now or c.before or {}).get("start", ""), c.entry_id))
