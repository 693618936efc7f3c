"""Reads of time tracking: scoped to the actor's organisation and role (DESIGN §3).

Clients, projects and tasks are reference data every member may read (rates are hidden from
employees by the serializers). Time entries and contracts by role (``restrict_to`` in
timetracking/models.py): owners, admins and OAuth clients all; managers their own and their
office's employees'; everyone else their own.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, Q, QuerySet, Subquery, Sum

from hr import selectors as hr_selectors
from organisations.actors import Actor
from organisations.choices import Role
from trackyoursheets.api.filters import apply_filterset

from . import payroll_time, rates  # noqa: F401  (payroll_time: what payroll reads, issue 18)
from .choices import TimesheetStatus
from .filters import (
    ClientFilterSet,
    ContractFilterSet,
    ProjectFilterSet,
    ProjectViewerFilterSet,
    TaskFilterSet,
    TimeEntryFilterSet,
    TimesheetFilterSet,
    day_range_q,
)
from .models import (
    Client,
    Contract,
    ImportJob,
    Project,
    ProjectViewer,
    Task,
    TimeEntry,
    TimeSettings,
    Timesheet,
    TimesheetSettings,
    employee_timezone,
    local_day_bounds,
    own_or_office,
)
from .periods import Period

if TYPE_CHECKING:  # annotations only: other apps read employees through hr.selectors
    from hr.models import Employee

CENT = Decimal("0.01")
SECONDS_PER_HOUR = Decimal(3600)


def hours(seconds: int | Decimal) -> Decimal:
    """Seconds as hours with two places (half up)."""
    return (Decimal(seconds) / SECONDS_PER_HOUR).quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# =============================================================================
# Settings and the actor's employee record
# =============================================================================


#: what a write reads of the time settings and the timesheet settings (entry_write_reads)
_SETTINGS_READ = ("id", "allow_overlapping", "rounding_mode", "rounding_minutes")
_SHEET_SETTINGS_READ = ("id", "period", "anchor", "auto_lock_days", "over_limit")


def time_settings_get(*, organisation) -> TimeSettings:
    """The organisation's time settings; the defaults (unsaved) when it has none."""
    return TimeSettings.objects.for_organisation(organisation).first() or TimeSettings(organisation=organisation)


@dataclass(frozen=True)
class EntryWriteReads:
    """What a new entry's checks read (entry_write_reads); ``limited`` None: not read."""

    settings: TimeSettings
    sheet_settings: TimesheetSettings
    approved: Period | None = None
    limited: bool | None = None


def entry_write_reads(*, organisation, employee: Employee, day: datetime.date, project_id: int) -> EntryWriteReads:
    """Take the employee's row lock until the end of the caller's transaction
    (``hr.selectors.employee_lock``) and read, in that one statement, what a new entry of
    ``employee`` on the local ``day`` for ``project_id`` is checked against: the time and
    timesheet settings, the approved timesheet holding the day (period locks) and whether a
    contract with an hours limit covers the project. One statement instead of five (issue 13
    point 14)."""
    org = organisation
    stored, sheets = TimeSettings.objects.for_organisation(org), TimesheetSettings.objects.for_organisation(org)
    read = {f"t_{name}": Subquery(stored.values(name)[:1]) for name in _SETTINGS_READ}
    read |= {f"s_{name}": Subquery(sheets.values(name)[:1]) for name in _SHEET_SETTINGS_READ}
    approved = Timesheet.objects.filter(organisation=org, employee_id=employee.pk, status=TimesheetStatus.APPROVED)
    approved = approved.filter(period_start__lte=day, period_end__gte=day).order_by("period_start", "pk")
    read |= {f"a_{name}": Subquery(approved.values(name)[:1]) for name in ("period_start", "period_end")}
    limits = Q(weekly_hours_limit__isnull=False) | Q(daily_hours_limit__isnull=False)
    covers = Q(project__isnull=True) | Q(project_id=project_id)
    read["limited"] = Exists(Contract.objects.filter(limits, covers, employee_id=employee.pk))
    row = hr_selectors.employee_lock(employee=employee, read=read)
    if row is None:
        return EntryWriteReads(TimeSettings(organisation=org), TimesheetSettings(organisation=org))

    def made(model, prefix: str, names: Sequence[str]):
        found = {name: row[f"{prefix}{name}"] for name in names}
        return model(organisation=org, **found) if found["id"] is not None else model(organisation=org)

    start, end = row["a_period_start"], row["a_period_end"]
    return EntryWriteReads(
        settings=made(TimeSettings, "t_", _SETTINGS_READ),
        sheet_settings=made(TimesheetSettings, "s_", _SHEET_SETTINGS_READ),
        approved=Period(start, end) if start is not None else None,
        limited=bool(row["limited"]),
    )


def actor_employee(*, actor: Actor) -> Employee | None:
    """The employee behind a session or personal token: the one whose membership is the actor's."""
    if actor.membership is None:
        return None
    return (
        hr_selectors.employee_queryset(organisation=actor.organisation)
        .select_related("office", "membership")
        .filter(membership=actor.membership)
        .first()
    )


def time_employee_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Employee]:
    """Employees whose time the actor may read and record: everyone for the whole organisation,
    a manager's office (and themselves), otherwise only the actor's own record."""
    qs = hr_selectors.employee_queryset(organisation=actor.organisation).select_related("office", "membership")
    seen = own_or_office(actor, prefix="")
    return qs if seen is None else qs.filter(seen)


def time_employee_seen(*, actor: Actor, employee: Employee) -> bool:
    """True when ``employee`` (an instance at hand) is one :func:`time_employee_list` gives the
    actor, decided from its columns without a query: the actor's organisation and, for a role
    that sees less, the actor's own record or a manager's office. False means "not decided
    here": ask :func:`time_employee_list`."""
    if employee.organisation_id != actor.organisation.pk:
        return False
    if actor.sees_whole_organisation:
        return True
    membership = actor.membership
    if membership is None:
        return False
    if employee.membership_id == membership.pk:
        return True
    return bool(actor.role == Role.MANAGER and membership.office_id and employee.office_id == membership.office_id)


# =============================================================================
# Clients, projects, tasks, contracts
# =============================================================================


def client_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Client]:

    qs = Client.objects.visible_to(actor).order_by("name", "id")
    return apply_filterset(ClientFilterSet, filters, qs) if filters else qs


def client_get(*, actor: Actor, pk: int) -> Client:
    return client_list(actor=actor).get(pk=pk)


def project_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Project]:

    qs = Project.objects.visible_to(actor).select_related("client").order_by("name", "id")
    return apply_filterset(ProjectFilterSet, filters, qs) if filters else qs


def project_get(*, actor: Actor, pk: int) -> Project:
    return project_list(actor=actor).get(pk=pk)


def task_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Task]:

    qs = Task.objects.visible_to(actor).select_related("project", "assignee").order_by("project_id", "name", "id")
    return apply_filterset(TaskFilterSet, filters, qs) if filters else qs


def task_get(*, actor: Actor, pk: int) -> Task:
    return task_list(actor=actor).get(pk=pk)


def contract_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Contract]:

    qs = (
        Contract.objects.visible_to(actor)
        .select_related("employee", "project")
        .order_by("employee_id", "project_id", "id")
    )
    return apply_filterset(ContractFilterSet, filters, qs) if filters else qs


def contract_get(*, actor: Actor, pk: int) -> Contract:
    return contract_list(actor=actor).get(pk=pk)


def project_viewer_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[ProjectViewer]:
    """Project viewers and their projects (owners, admins, managers; nobody else)."""
    qs = (
        ProjectViewer.objects.visible_to(actor)
        .select_related("membership__user", "project")
        .order_by("project_id", "membership_id", "id")
    )
    return apply_filterset(ProjectViewerFilterSet, filters, qs) if filters else qs


def project_viewer_get(*, actor: Actor, pk: int) -> ProjectViewer:
    return project_viewer_list(actor=actor).get(pk=pk)


def import_job_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[ImportJob]:
    return ImportJob.objects.visible_to(actor).defer("source_text").order_by("-created_at", "-id")


def import_job_get(*, actor: Actor, pk: int) -> ImportJob:
    return import_job_list(actor=actor).get(pk=pk)


# =============================================================================
# Time entries
# =============================================================================


def time_entry_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[TimeEntry]:
    """Entries the actor may see, newest first, with employee (and login), project, client and
    task loaded in the same query."""

    qs = (
        TimeEntry.objects.visible_to(actor)
        .select_related("employee__membership", "project__client", "task")
        .order_by("-start_time", "-id")
    )
    if filters is None:
        return qs
    return apply_filterset(functools.partial(TimeEntryFilterSet, organisation=actor.organisation), filters, qs)


def time_entry_get(*, actor: Actor, pk: int) -> TimeEntry:
    return time_entry_list(actor=actor).get(pk=pk)


def running_timer(*, actor: Actor, employee: Employee) -> TimeEntry | None:
    return time_entry_list(actor=actor).filter(employee=employee, end_time__isnull=True).first()


# =============================================================================
# Week grid (pages)
# =============================================================================


@dataclass
class WeekRow:
    project: Project
    task: Task | None
    seconds: list[int]

    @property
    def total(self) -> int:
        return sum(self.seconds)


@dataclass
class WeekGrid:
    days: list[datetime.date]
    rows: list[WeekRow]
    daily_totals: list[int]

    @property
    def total(self) -> int:
        return sum(self.daily_totals)


def week_grid(
    *, actor: Actor, employee: Employee, monday: datetime.date, tz: zoneinfo.ZoneInfo | None = None
) -> WeekGrid:
    """An employee's finished entries of one week (Monday..Sunday in ``tz``, by default their
    timezone; pages pass the reader's) as project/task rows by day, with daily totals; a DST day
    is simply 23 or 25 hours long."""
    tz = tz or employee_timezone(employee, actor.organisation)
    days = [monday + datetime.timedelta(days=n) for n in range(7)]
    start, end = local_day_bounds(days[0], days[-1], tz)
    entries = (
        time_entry_list(actor=actor)
        .filter(employee=employee, start_time__gte=start, start_time__lt=end, end_time__isnull=False)
        .order_by("start_time", "id")
    )
    rows: dict[tuple, WeekRow] = {}
    totals = [0] * 7
    for entry in entries:
        index = (entry.start_time.astimezone(tz).date() - monday).days
        key = (entry.project_id, entry.task_id)
        row = rows.setdefault(key, WeekRow(project=entry.project, task=entry.task, seconds=[0] * 7))
        row.seconds[index] += entry.duration_seconds or 0
        totals[index] += entry.duration_seconds or 0
    ordered = sorted(rows.values(), key=lambda r: (r.project.name.lower(), r.task.name.lower() if r.task else ""))
    return WeekGrid(days=days, rows=ordered, daily_totals=totals)


# =============================================================================
# Summary report
# =============================================================================


def _rate_tables(organisation, groups: Sequence[Mapping[str, Any]]):
    project_ids = {g["project_id"] for g in groups}
    task_ids = {g["task_id"] for g in groups if g["task_id"]}
    employee_ids = {g["employee_id"] for g in groups}
    projects = {
        p.pk: p
        for p in Project.objects.for_organisation(organisation).select_related("client").filter(pk__in=project_ids)
    }
    task_rates = dict(
        Task.objects.for_organisation(organisation)
        .filter(pk__in=task_ids, hourly_rate__isnull=False)
        .values_list("pk", "hourly_rate")
    )
    contracts = {
        (employee_id, project_id): rate
        for employee_id, project_id, rate in Contract.objects.for_organisation(organisation)
        .filter(employee_id__in=employee_ids)
        .values_list("employee_id", "project_id", "hourly_rate")
    }
    employees = {
        e.pk: e
        for e in hr_selectors.employee_queryset(organisation=organisation)
        .select_related("membership")
        .filter(pk__in=employee_ids)
    }
    return projects, task_rates, contracts, employees


def effective_rate(*, task_id, employee_id, project: Project, task_rates: dict, contracts: dict) -> Decimal:
    """The hourly rate of time: the task's rate, then the employee's contract for the project,
    then their contract for all projects, then the project's rate, then the client's default."""
    for rate in (
        task_rates.get(task_id),
        contracts.get((employee_id, project.pk)),
        contracts.get((employee_id, None)),
        project.hourly_rate,
        project.client.default_rate if project.client is not None else None,
    ):
        if rate is not None:
            return rate
    return Decimal("0")


def summary_report(
    *,
    actor: Actor,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    project_id: int | None = None,
    employee_id: int | None = None,
    user_id: int | None = None,
) -> dict:
    """Total and billable hours, entry count and amounts (billable hours x the effective rate)
    by project and by employee, over the finished entries the actor may see. The database sums
    the durations per (project, employee, task, billable); rates are applied to those sums."""
    qs = TimeEntry.objects.visible_to(actor).filter(end_time__isnull=False)
    if start_date or end_date:
        qs = qs.filter(day_range_q(actor.organisation, start_date, end_date))
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    if employee_id is not None:
        qs = qs.filter(employee_id=employee_id)
    if user_id is not None:
        qs = qs.filter(employee__membership__user_id=user_id)
    groups = list(
        qs.order_by()
        .values("project_id", "employee_id", "task_id", "billable")
        .annotate(seconds=Sum("duration_seconds"), entries=Count("id"))
    )
    projects, task_rates, contracts, employees = _rate_tables(actor.organisation, groups)
    # with dated bill rates (issue 15 point 5) each entry is priced on its own local date
    dated = rates.dated_bill_amounts(qs, organisation=actor.organisation)

    def bucket():
        return {"seconds": 0, "billable_seconds": 0, "entries": 0, "amount": Decimal("0")}

    total = bucket()
    by_project: dict[int, dict] = defaultdict(bucket)
    by_employee: dict[int, dict] = defaultdict(bucket)
    for group in groups:
        seconds = group["seconds"] or 0
        billable_seconds = seconds if group["billable"] else 0
        rate = effective_rate(
            task_id=group["task_id"],
            employee_id=group["employee_id"],
            project=projects[group["project_id"]],
            task_rates=task_rates,
            contracts=contracts,
        )
        amount = Decimal(billable_seconds) * rate / SECONDS_PER_HOUR
        if dated is not None:  # a group's billable amount, counted once (on its billable row)
            key = (group["project_id"], group["employee_id"], group["task_id"])
            amount = dated.pop(key, Decimal("0")) if group["billable"] else Decimal("0")
        for target in (total, by_project[group["project_id"]], by_employee[group["employee_id"]]):
            target["seconds"] += seconds
            target["billable_seconds"] += billable_seconds
            target["entries"] += group["entries"]
            target["amount"] += amount

    def figures(values: dict) -> dict:
        return {
            "hours": hours(values["seconds"]),
            "billable_hours": hours(values["billable_seconds"]),
            "entries": values["entries"],
            "amount": money(values["amount"]),
        }

    project_rows = [
        {"project_id": pk, "project_name": projects[pk].name, "client_id": projects[pk].client_id, **figures(v)}
        for pk, v in by_project.items()
    ]
    project_rows.sort(key=lambda r: (r["project_name"].lower(), r["project_id"]))
    employee_rows = []
    for pk, values in by_employee.items():
        employee = employees[pk]
        employee_rows.append(
            {
                "employee_id": pk,
                "user_id": employee.membership.user_id if employee.membership_id else None,
                "employee_name": str(employee),
                **figures(values),
            }
        )
    employee_rows.sort(key=lambda r: (r["employee_name"].lower(), r["employee_id"]))
    return {
        "start_date": start_date,
        "end_date": end_date,
        "total_hours": hours(total["seconds"]),
        "billable_hours": hours(total["billable_seconds"]),
        "total_entries": total["entries"],
        "amount": money(total["amount"]),
        "currency": actor.organisation.currency,
        "by_project": project_rows,
        "by_employee": employee_rows,
    }


# =============================================================================
# Timesheets (issue 15): settings, lists; the detail's totals are in timetracking/sheet_totals.py
# =============================================================================


def timesheet_settings_get(*, organisation) -> TimesheetSettings:
    """The organisation's timesheet settings; the defaults (unsaved: weekly from Monday, no
    automatic lock) when it has none."""
    found = TimesheetSettings.objects.for_organisation(organisation).first()
    return found or TimesheetSettings(organisation=organisation)


def timesheet_employee_list(*, actor: Actor) -> QuerySet[Employee]:
    """Employees whose timesheets the actor may open: those whose time they may record, plus
    their direct reports (``Employee.manager``) wherever those work."""
    qs = time_employee_list(actor=actor)
    if actor.sees_whole_organisation or actor.membership is None:
        return qs
    return (
        hr_selectors.employee_queryset(organisation=actor.organisation)
        .select_related("office", "membership")
        .filter(Q(pk__in=qs.values("pk")) | Q(manager__membership=actor.membership))
    )


def timesheet_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Timesheet]:
    """Timesheets the actor may see (own; a manager their office's and direct reports'; the whole
    organisation for owners, admins and OAuth clients), newest period first."""
    qs = (
        Timesheet.objects.visible_to(actor)
        .select_related("employee__office", "employee__membership", "organisation")
        .order_by("-period_start", "employee_id", "id")
    )
    return apply_filterset(TimesheetFilterSet, filters, qs) if filters else qs


def timesheet_get(*, actor: Actor, pk: int) -> Timesheet:
    return timesheet_list(actor=actor).get(pk=pk)
