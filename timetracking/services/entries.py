"""Time entries and running timers: the overlap rule, the single running timer per employee and
the derived (rounded) duration."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hr import selectors as hr_selectors
from integrations.outbox import record_event
from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from trackyoursheets.exceptions import Conflict

from .. import events, selectors
from ..choices import EntrySource, ProjectStatus
from ..models import (
    Project,
    Task,
    TimeEntry,
    TimeSettings,
    employee_timezone,
    normalise_tags,
)
from ..periods import local_date
from .common import _require_tracks_for
from .limits import check_hours_limits
from .locks import PeriodLocks, ensure_time_unlocked

if TYPE_CHECKING:  # annotations only: other apps read employees through hr.selectors
    from hr.models import Employee

ENTRY_FIELDS = frozenset({"employee", "project", "task", "start_time", "end_time", "notes", "tags", "billable", "paid"})


# =============================================================================
# Time entries
# =============================================================================


def _now() -> datetime.datetime:
    return timezone.now().replace(microsecond=0)


def _lock_employee(employee: Employee) -> None:
    """Serialise one employee's writes (PostgreSQL row lock) so two overlapping entries cannot
    both pass the overlap check; a no-op on SQLite, which has one writer anyway."""
    hr_selectors.employee_lock(employee=employee)


def _check_project(project: Project) -> None:
    if project.status == ProjectStatus.ARCHIVED:
        raise ValidationError({"project_id": _("The project is archived and takes no new time.")})


def _check_still_employed(entry: TimeEntry) -> None:
    """People who left do not accrue (issue 13 point 4): one rule, read from hr, for every write
    path (REST, GraphQL, pages, timers, bulk and CSV imports go through here or its twin in the
    importer)."""
    reason = hr_selectors.employee_accrual_refusal(employee=entry.employee, start=entry.start_time, end=entry.end_time)
    if reason:
        raise ValidationError({"employee_id": reason})


def _check_overlap(settings: TimeSettings, entry: TimeEntry) -> None:
    """Refuse an entry that overlaps another of the same employee (a running timer reaches into
    the future), unless the organisation allows overlapping entries."""
    if settings.allow_overlapping:
        return
    others = TimeEntry.objects.filter(employee_id=entry.employee_id).exclude(pk=entry.pk)
    others = others.filter(Q(end_time__isnull=True) | Q(end_time__gt=entry.start_time))
    if entry.end_time is not None:
        others = others.filter(start_time__lt=entry.end_time)
    clash = others.select_related("project").order_by("start_time", "id").first()
    if clash is not None and clash.end_time is None and entry.end_time is None:
        raise _running_conflict(entry.employee)  # a second timer (a start that lost a race lands here too)
    if clash is not None:
        # in the reader's words and zone (issue 14 point 2): the project and local times, no
        # internal id (machines get ``conflicting_entry_id``) and no UTC on a page
        zone = timezone.get_current_timezone()
        start = timezone.localtime(clash.start_time, zone)
        words = {
            "project": clash.project.name,
            "day": date_format(start, "D j M Y"),
            "start": start.strftime("%H:%M"),
            "end": timezone.localtime(clash.end_time, zone).strftime("%H:%M")
            if clash.end_time
            else _("now (a running timer)"),
            "zone": str(zone),
        }
        raise Conflict(
            _(
                "This entry overlaps another entry of the same person: %(project)s on %(day)s from %(start)s to "
                "%(end)s (%(zone)s). The organisation does not allow overlapping entries."
            )
            % words,
            errors={"start_time": [_("Overlaps %(project)s, %(start)s to %(end)s on %(day)s.") % words]},
            code="overlap",
            conflicting_entry_id=clash.pk,
        )


def _derive(settings: TimeSettings, entry: TimeEntry) -> None:
    if entry.end_time is None:
        entry.duration_seconds = None
    elif entry.start_time is not None and entry.end_time > entry.start_time:
        entry.duration_seconds = settings.round(int((entry.end_time - entry.start_time).total_seconds()))


def _running_conflict(employee: Employee) -> Conflict:
    running = TimeEntry.objects.filter(employee=employee, end_time__isnull=True).values_list("pk", flat=True).first()
    return Conflict(
        _("A timer is already running for this employee; stop it first."),
        code="timer_running",
        running_entry_id=running,
    )


def _insert_entry(entry: TimeEntry) -> None:
    """Save a new entry; losing the race for the one running timer is a 409, not a 500 (a
    finished entry needs no savepoint: any IntegrityError of its insert ends the request)."""
    if entry.end_time is not None:
        entry.save()
        return
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as error:
        if entry.end_time is None:
            raise _running_conflict(entry.employee) from error
        raise


#: TimeEntry's foreign keys, which full_clean() would look up again (one query each)
_RELATIONS = ("organisation", "employee", "project", "task")


def validate_entry(
    *, organisation, entry: TimeEntry, settings: TimeSettings, sheet_settings, limited: bool | None = None
) -> list:
    """The rules a new time entry passes, shared with time requests (a request is validated as the
    entry it would become, issue 15 point 3): the project takes time, the duration is derived
    (rounded), the field bounds, the task's project, leavers, the overlap rule and the contract
    hours limits (refused, or returned to be flagged). The related rows are the instances given
    (scoped by the caller): no query to re-check that they exist. ``limited`` False: no contract
    limit covers the entry (read by the caller, see ``check_hours_limits``)."""
    _check_project(entry.project)
    _derive(settings, entry)
    entry.full_clean(exclude=_RELATIONS, validate_constraints=False)
    _check_still_employed(entry)
    _check_overlap(settings, entry)
    return check_hours_limits(organisation=organisation, entry=entry, settings=sheet_settings, limited=limited)


@transaction.atomic
def time_entry_create(
    *,
    actor: Actor,
    employee: Employee,
    project: Project,
    start_time: datetime.datetime,
    end_time: datetime.datetime | None = None,
    task: Task | None = None,
    notes: str = "",
    tags=None,
    billable: bool | None = None,
    paid: bool = False,
    source: str = EntrySource.MANUAL,
    external_id: str = "",
    allow_locked: bool = False,
    approver_checked: bool = False,
) -> TimeEntry:
    """A time entry; without ``end_time`` it is a running timer (``time.timer.started``).

    Only the approval of a time request (:mod:`timetracking.services.requests`) passes the last
    two: ``approver_checked`` (the approver's right was checked instead of the right to record the
    employee's time) and ``allow_locked`` (an owner or admin approves into a locked period)."""
    if not approver_checked:
        _require_tracks_for(actor, employee)
    _check_project(project)
    # the employee's writes queue behind each other and behind an approval of their timesheet, so
    # the period-lock check below sees an approval that committed first (issue 15 point 2); the row
    # lock is taken in the statement that reads the settings, the approved timesheet holding the
    # entry's day and whether a contract limits its hours (issue 13 point 14)
    day = local_date(start_time, employee_timezone(employee, actor.organisation))
    reads = selectors.entry_write_reads(
        organisation=actor.organisation, employee=employee, day=day, project_id=project.pk
    )
    if not allow_locked:
        PeriodLocks(actor.organisation, settings=reads.sheet_settings).check_read(employee, start_time, reads.approved)
    entry = TimeEntry(
        organisation=actor.organisation,
        employee=employee,
        project=project,
        task=task,
        start_time=start_time,
        end_time=end_time,
        notes=notes or "",
        tags=normalise_tags(tags),
        billable=project.billable if billable is None else billable,
        paid=paid,
        source=source,
        external_id=external_id or "",
    )
    if (
        external_id
        and TimeEntry.objects.filter(organisation=actor.organisation, source=source, external_id=external_id).exists()
    ):
        raise ValidationError({"external_id": _("An entry with this external id already exists.")})
    if end_time is None and TimeEntry.objects.filter(employee=employee, end_time__isnull=True).exists():
        raise _running_conflict(employee)
    validate_entry(
        organisation=actor.organisation,
        entry=entry,
        settings=reads.settings,
        sheet_settings=reads.sheet_settings,
        limited=reads.limited,
    )
    _insert_entry(entry)
    action = "timeentry.timer_start" if end_time is None else "timeentry.create"
    audit_change(actor=actor, action=action, obj=entry, after=audit_snapshot(entry))
    topic = events.TIMER_STARTED if end_time is None else events.ENTRY_CREATED
    record_event(actor.organisation, topic, events.entry_payload(entry), actor=actor)
    return entry


@transaction.atomic
def time_entry_update(*, actor: Actor, entry: TimeEntry, data: dict) -> TimeEntry:
    """Change an entry the actor may see (their own; a manager their office's; admins any): the
    fields in ``ENTRY_FIELDS`` that ``data`` carries (others are refused). Moving it to another
    project needs that project active; the duration is derived again."""
    fields = dict(data)
    before = audit_snapshot(entry)
    unknown = set(fields) - ENTRY_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in sorted(unknown)})
    # the period it leaves and the period it lands in must both be unlocked (issue 15 point 2),
    # checked under the employees' locks (see time_entry_create)
    new_employee = fields.get("employee", entry.employee)
    for person in sorted({entry.employee, new_employee}, key=lambda e: e.pk):
        _lock_employee(person)
    locks = PeriodLocks(actor.organisation)
    locks.check(entry.employee, [entry.start_time])
    locks.check(new_employee, [fields.get("start_time", entry.start_time)])
    if "employee" in fields and fields["employee"].pk != entry.employee_id:
        _require_tracks_for(actor, fields["employee"])
    if "project" in fields and fields["project"].pk != entry.project_id:
        _check_project(fields["project"])
        if "task" not in fields and entry.task_id is not None:
            fields["task"] = None  # the old task belongs to the old project
    settings = selectors.time_settings_get(organisation=actor.organisation)
    for key, value in fields.items():
        setattr(entry, key, normalise_tags(value) if key == "tags" else value)
    _derive(settings, entry)
    entry.full_clean(validate_constraints=False)
    if fields.keys() & {"employee", "start_time", "end_time"}:
        _check_still_employed(entry)
    _check_overlap(settings, entry)
    if fields.keys() & {"employee", "project", "start_time", "end_time"}:
        check_hours_limits(organisation=actor.organisation, entry=entry, settings=locks.settings)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as error:
        raise _running_conflict(entry.employee) from error
    audit_change(actor=actor, action="timeentry.update", obj=entry, before=before, after=audit_snapshot(entry))
    record_event(actor.organisation, events.ENTRY_UPDATED, events.entry_payload(entry), actor=actor)
    return entry


@transaction.atomic
def time_entry_delete(*, actor: Actor, entry: TimeEntry) -> None:
    _lock_employee(entry.employee)
    ensure_time_unlocked(organisation=actor.organisation, employee=entry.employee, instants=[entry.start_time])
    payload = events.entry_payload(entry)
    pk, before = entry.pk, audit_snapshot(entry)
    entry.delete()
    audit_change(actor=actor, action="timeentry.delete", obj=entry, object_id=pk, before=before)
    record_event(actor.organisation, events.ENTRY_DELETED, payload, actor=actor)


# =============================================================================
# Timers
# =============================================================================


@transaction.atomic
def timer_start(
    *,
    actor: Actor,
    employee: Employee,
    project: Project,
    task: Task | None = None,
    notes: str = "",
    tags=None,
    billable: bool | None = None,
) -> TimeEntry:
    """Start the employee's timer now. A second running timer is refused with a 409, also when
    two starts race (the partial unique constraint decides, so exactly one wins)."""
    return time_entry_create(
        actor=actor,
        employee=employee,
        project=project,
        task=task,
        start_time=_now(),
        notes=notes,
        tags=tags,
        billable=billable,
        source=EntrySource.TIMER,
    )


@transaction.atomic
def timer_stop(*, actor: Actor, employee: Employee, end_time: datetime.datetime | None = None) -> TimeEntry:
    """Stop the employee's running timer (409 when none runs); its duration is rounded by the
    organisation's rule."""
    _require_tracks_for(actor, employee)
    _lock_employee(employee)
    entry = (
        TimeEntry.objects.select_for_update()
        .filter(organisation=actor.organisation, employee=employee, end_time__isnull=True)
        .first()
    )
    if entry is None:
        raise Conflict(_("No timer is running for this employee."), code="no_timer")
    ensure_time_unlocked(organisation=actor.organisation, employee=employee, instants=[entry.start_time])
    end = end_time or _now()
    if end <= entry.start_time:
        end = entry.start_time + datetime.timedelta(seconds=1)
    entry.end_time = end
    settings = selectors.time_settings_get(organisation=actor.organisation)
    _derive(settings, entry)
    entry.full_clean(validate_constraints=False)
    _check_overlap(settings, entry)
    entry.save()
    audit_change(
        actor=actor,
        action="timeentry.timer_stop",
        obj=entry,
        changes={"end_time": [None, entry.end_time], "duration_seconds": [None, entry.duration_seconds]},
    )
    record_event(actor.organisation, events.TIMER_STOPPED, events.entry_payload(entry), actor=actor)
    return entry
