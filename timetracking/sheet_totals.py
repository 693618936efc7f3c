"""A timesheet's content (issue 15 point 1): its entries and their totals by day, project, task
and billable. Reads only; the days are the local dates of the period in the employee's office
timezone (the organisation's when they have none), so a DST day counts 23 or 25 hours.

An entry belongs to the period its start falls in (the same rule the period locks use)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet

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
    )
