"""Writes of time tracking (issue 7): settings, clients, projects, tasks, contracts, time
entries, timers and bulk actions. CSV imports live in :mod:`timetracking.importer`.

Every service is keyword-only, runs in one transaction, ``full_clean()``s what it saves and
records its outbox event in that same transaction (STYLE §2.2).

Rules enforced here:

- who may write: clients, projects, tasks and contracts need an owner, admin or manager (a
  manager's contracts only for their office's employees); time is recorded by the employee
  themselves, a manager for their office, or the whole organisation (owners, admins, OAuth);
- an archived project takes no new time; a task must belong to the entry's project;
- one employee's entries may not overlap unless the organisation allows it (409);
- at most one running timer per employee (a partial unique constraint: a concurrent second
  start loses with a 409, never two running timers);
- ``duration_seconds`` is derived: end - start, rounded by the organisation's rule (an
  aligned duration is never rounded).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hr import selectors as hr_selectors
from integrations.outbox import record_event
from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from organisations.choices import Role
from trackyoursheets.db import model_update
from trackyoursheets.exceptions import Conflict, NotPermitted

from . import events, selectors
from .choices import BulkAction, EntrySource, ProjectStatus
from .models import (
    Client,
    Contract,
    Project,
    Task,
    TimeEntry,
    TimeSettings,
    normalise_tags,
    tag_list,
)

__all__ = [
    "time_settings_update",
    "client_create",
    "client_update",
    "client_delete",
    "project_create",
    "project_update",
    "project_archive",
    "task_create",
    "task_update",
    "task_delete",
    "contract_create",
    "contract_update",
    "contract_delete",
    "time_entry_create",
    "time_entry_update",
    "time_entry_delete",
    "timer_start",
    "timer_stop",
    "time_entry_bulk",
    "BulkResult",
]

if TYPE_CHECKING:  # annotations only: other apps read employees through hr.selectors
    from hr.models import Employee

MAX_BULK = 500
ENTRY_FIELDS = frozenset({"employee", "project", "task", "start_time", "end_time", "notes", "tags", "billable", "paid"})


# =============================================================================
# Role checks
# =============================================================================


def _require_admin(actor: Actor) -> None:
    if not actor.sees_whole_organisation:
        raise NotPermitted(_("Only owners and admins may change the time settings."))


def _require_manager(actor: Actor) -> None:
    """Clients, projects, tasks: owners, admins, managers and organisation-wide credentials."""
    if not (actor.sees_whole_organisation or actor.role == Role.MANAGER):
        raise NotPermitted(_("Your role does not allow managing clients, projects and tasks."))


def _require_tracks_for(actor: Actor, employee: Employee) -> None:
    """Time of ``employee`` may be recorded by the actor (themselves, their manager, the organisation)."""
    if not selectors.time_employee_list(actor=actor).filter(pk=employee.pk).exists():
        raise NotPermitted(_("You may only record time for yourself or, as a manager, your office."))


def _save(obj) -> None:
    obj.full_clean()
    obj.save()


# =============================================================================
# Settings
# =============================================================================


#: what each update service may change (issue 12: explicit field lists, not ``**fields``)
TIME_SETTINGS_FIELDS = ["allow_overlapping", "rounding_mode", "rounding_minutes"]
CLIENT_UPDATE_FIELDS = ["name", "email", "company", "phone", "default_rate", "archived"]
PROJECT_UPDATE_FIELDS = [
    "client",
    "name",
    "description",
    "hourly_rate",
    "estimated_hours",
    "budget",
    "status",
    "billable",
]
TASK_UPDATE_FIELDS = [
    "project",
    "name",
    "description",
    "status",
    "priority",
    "assignee",
    "estimated_hours",
    "hourly_rate",
]
CONTRACT_UPDATE_FIELDS = ["employee", "project", "hourly_rate", "notes"]


def _stripped_name(data: dict) -> dict:
    return {**data, "name": data["name"].strip()} if isinstance(data.get("name"), str) else data


@transaction.atomic
def time_settings_update(*, actor: Actor, data: dict) -> TimeSettings:
    """Overlap and rounding rules of the organisation (owners and admins)."""
    _require_admin(actor)
    settings = TimeSettings.objects.for_organisation(actor.organisation).select_for_update().first()
    if settings is None:
        settings = TimeSettings(organisation=actor.organisation)
        for key in TIME_SETTINGS_FIELDS:
            if key in data:
                setattr(settings, key, data[key])
        _save(settings)
        changes = {key: [None, getattr(settings, key)] for key in TIME_SETTINGS_FIELDS}
    else:
        settings, changes = model_update(instance=settings, fields=TIME_SETTINGS_FIELDS, data=data)
    audit_change(actor=actor, action="timesettings.update", obj=settings, changes=changes)
    return settings


# =============================================================================
# Clients
# =============================================================================


@transaction.atomic
def client_create(*, actor: Actor, name: str, **fields) -> Client:
    _require_manager(actor)
    client = Client(organisation=actor.organisation, name=name.strip(), **fields)
    _save(client)
    audit_change(actor=actor, action="client.create", obj=client, after=audit_snapshot(client))
    return client


@transaction.atomic
def client_update(*, actor: Actor, client: Client, data: dict) -> Client:
    _require_manager(actor)
    client, changes = model_update(instance=client, fields=CLIENT_UPDATE_FIELDS, data=_stripped_name(data))
    audit_change(actor=actor, action="client.update", obj=client, changes=changes)
    return client


@transaction.atomic
def client_delete(*, actor: Actor, client: Client) -> Client:
    """A client is archived, never deleted (its projects and their time keep pointing at it)."""
    _require_manager(actor)
    was = client.archived
    client.archived = True
    _save(client)
    audit_change(actor=actor, action="client.archive", obj=client, changes={"archived": [was, True]})
    return client


# =============================================================================
# Projects
# =============================================================================


@transaction.atomic
def project_create(*, actor: Actor, name: str, **fields) -> Project:
    _require_manager(actor)
    project = Project(organisation=actor.organisation, name=name.strip(), **fields)
    _save(project)
    audit_change(actor=actor, action="project.create", obj=project, after=audit_snapshot(project))
    record_event(actor.organisation, events.PROJECT_CREATED, events.project_payload(project), actor=actor)
    return project


@transaction.atomic
def project_update(*, actor: Actor, project: Project, data: dict) -> Project:
    """Change a project; moving it to ``archived`` records ``time.project.archived``."""
    _require_manager(actor)
    was = project.status
    project, changes = model_update(instance=project, fields=PROJECT_UPDATE_FIELDS, data=_stripped_name(data))
    audit_change(actor=actor, action="project.update", obj=project, changes=changes)
    archived = project.status == ProjectStatus.ARCHIVED and was != ProjectStatus.ARCHIVED
    topic = events.PROJECT_ARCHIVED if archived else events.PROJECT_UPDATED
    record_event(actor.organisation, topic, events.project_payload(project), actor=actor)
    return project


@transaction.atomic
def project_archive(*, actor: Actor, project: Project) -> Project:
    """``DELETE /v1/projects/{id}``: the project is archived (it keeps its time, takes no new)."""
    _require_manager(actor)
    if project.status == ProjectStatus.ARCHIVED:
        return project
    was = project.status
    project.status = ProjectStatus.ARCHIVED
    _save(project)
    audit_change(actor=actor, action="project.archive", obj=project, changes={"status": [was, project.status]})
    record_event(actor.organisation, events.PROJECT_ARCHIVED, events.project_payload(project), actor=actor)
    return project


# =============================================================================
# Tasks
# =============================================================================


@transaction.atomic
def task_create(*, actor: Actor, project: Project, name: str, **fields) -> Task:
    _require_manager(actor)
    task = Task(organisation=actor.organisation, project=project, name=name.strip(), **fields)
    _save(task)
    audit_change(actor=actor, action="task.create", obj=task, after=audit_snapshot(task))
    return task


@transaction.atomic
def task_update(*, actor: Actor, task: Task, data: dict) -> Task:
    """Managers and up change any field; the assignee may move their task's status."""
    fields = TASK_UPDATE_FIELDS
    own = selectors.actor_employee(actor=actor) if set(data) <= {"status"} and task.assignee_id else None
    if own is not None and own.pk == task.assignee_id:
        fields = ["status"]
    else:
        _require_manager(actor)
    task, changes = model_update(instance=task, fields=fields, data=_stripped_name(data))
    audit_change(actor=actor, action="task.update", obj=task, changes=changes)
    return task


@transaction.atomic
def task_delete(*, actor: Actor, task: Task) -> None:
    """Delete a task; its time entries stay, without a task."""
    _require_manager(actor)
    pk, before = task.pk, audit_snapshot(task)
    task.delete()
    audit_change(actor=actor, action="task.delete", obj=task, object_id=pk, before=before)


# =============================================================================
# Contracts
# =============================================================================


def _require_contract_manager(actor: Actor, employee: Employee) -> None:
    if actor.sees_whole_organisation:
        return
    if actor.role == Role.MANAGER and actor.membership.office_id and employee.office_id == actor.membership.office_id:
        return
    raise NotPermitted(_("Only owners, admins and the employee's office manager may set contract rates."))


@transaction.atomic
def contract_create(
    *, actor: Actor, employee: Employee, hourly_rate, project: Project | None = None, notes: str = ""
) -> Contract:
    _require_contract_manager(actor, employee)
    contract = Contract(
        organisation=actor.organisation, employee=employee, project=project, hourly_rate=hourly_rate, notes=notes
    )
    _save(contract)
    audit_change(actor=actor, action="contract.create", obj=contract, after=audit_snapshot(contract))
    return contract


@transaction.atomic
def contract_update(*, actor: Actor, contract: Contract, data: dict) -> Contract:
    _require_contract_manager(actor, contract.employee)
    if "employee" in data:
        _require_contract_manager(actor, data["employee"])  # and may move it only to their own people
    contract, changes = model_update(instance=contract, fields=CONTRACT_UPDATE_FIELDS, data=data)
    audit_change(actor=actor, action="contract.update", obj=contract, changes=changes)
    return contract


@transaction.atomic
def contract_delete(*, actor: Actor, contract: Contract) -> None:
    _require_contract_manager(actor, contract.employee)
    pk, before = contract.pk, audit_snapshot(contract)
    contract.delete()
    audit_change(actor=actor, action="contract.delete", obj=contract, object_id=pk, before=before)


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


def _check_overlap(settings: TimeSettings, entry: TimeEntry) -> None:
    """Refuse an entry that overlaps another of the same employee (a running timer reaches into
    the future), unless the organisation allows overlapping entries."""
    if settings.allow_overlapping:
        return
    others = TimeEntry.objects.filter(employee_id=entry.employee_id).exclude(pk=entry.pk)
    others = others.filter(Q(end_time__isnull=True) | Q(end_time__gt=entry.start_time))
    if entry.end_time is not None:
        others = others.filter(start_time__lt=entry.end_time)
    clash = others.order_by("start_time", "id").first()
    if clash is not None and clash.end_time is None and entry.end_time is None:
        raise _running_conflict(entry.employee)  # a second timer (a start that lost a race lands here too)
    if clash is not None:
        until = clash.end_time.strftime("%Y-%m-%dT%H:%M:%SZ") if clash.end_time else _("now (a running timer)")
        raise Conflict(
            _(
                "This entry overlaps entry %(id)s (%(start)s to %(end)s) of the same employee; the organisation "
                "does not allow overlapping entries."
            )
            % {"id": clash.pk, "start": clash.start_time.strftime("%Y-%m-%dT%H:%M:%SZ"), "end": until},
            errors={"start_time": [_("Overlaps entry %(id)s.") % {"id": clash.pk}]},
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
    """Save a new entry; losing the race for the one running timer is a 409, not a 500."""
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as error:
        if entry.end_time is None:
            raise _running_conflict(entry.employee) from error
        raise


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
) -> TimeEntry:
    """A time entry; without ``end_time`` it is a running timer (``time.timer.started``)."""
    _require_tracks_for(actor, employee)
    _check_project(project)
    settings = selectors.time_settings_get(organisation=actor.organisation)
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
    _derive(settings, entry)
    entry.full_clean(validate_constraints=False)
    if (
        entry.external_id
        and TimeEntry.objects.filter(
            organisation=actor.organisation, source=source, external_id=entry.external_id
        ).exists()
    ):
        raise ValidationError({"external_id": _("An entry with this external id already exists.")})
    if end_time is not None:
        _lock_employee(employee)
    elif TimeEntry.objects.filter(employee=employee, end_time__isnull=True).exists():
        raise _running_conflict(employee)
    _check_overlap(settings, entry)
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
    _lock_employee(entry.employee)
    _check_overlap(settings, entry)
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
    entry = (
        TimeEntry.objects.select_for_update()
        .filter(organisation=actor.organisation, employee=employee, end_time__isnull=True)
        .first()
    )
    if entry is None:
        raise Conflict(_("No timer is running for this employee."), code="no_timer")
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


# =============================================================================
# Bulk actions
# =============================================================================


@dataclass
class BulkResult:
    action: str
    changed: list[int] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


@transaction.atomic
def time_entry_bulk(*, actor: Actor, entry_ids: list[int], action: str, value=None) -> BulkResult:
    """One action on many entries: ``delete``, ``set_billable``/``set_paid`` (a boolean value),
    ``add_tag``/``remove_tag`` (a tag). Running entries are skipped; people other than owners,
    admins and organisation-wide clients may change only their own entries; ids the actor cannot
    see are skipped as not found. Each change records its event."""
    if action not in BulkAction.values:
        raise ValidationError({"action": _("One of: %(values)s.") % {"values": ", ".join(BulkAction.values)}})
    if action in (BulkAction.SET_BILLABLE, BulkAction.SET_PAID) and not isinstance(value, bool):
        raise ValidationError({"value": _("Must be true or false for %(action)s.") % {"action": action}})
    tag = ""
    if action in (BulkAction.ADD_TAG, BulkAction.REMOVE_TAG):
        tag = normalise_tags(value if isinstance(value, str) else "")
        if not tag or "," in tag:
            raise ValidationError({"value": _("Give one tag for %(action)s.") % {"action": action}})
    if len(entry_ids) > MAX_BULK:
        raise ValidationError({"entry_ids": _("At most %(max)s ids at once.") % {"max": MAX_BULK}})

    result = BulkResult(action=action)
    wanted = list(dict.fromkeys(entry_ids))
    found = {
        e.pk: e for e in selectors.time_entry_list(actor=actor).select_for_update(of=("self",)).filter(pk__in=wanted)
    }
    own = selectors.actor_employee(actor=actor)
    for pk in wanted:
        entry = found.get(pk)
        if entry is None:
            result.skipped.append({"id": pk, "reason": "not_found"})
            continue
        if not actor.sees_whole_organisation and (own is None or entry.employee_id != own.pk):
            result.skipped.append({"id": pk, "reason": "not_permitted"})
            continue
        if entry.end_time is None:
            result.skipped.append({"id": pk, "reason": "running"})
            continue
        if action == BulkAction.DELETE:
            payload = events.entry_payload(entry)
            entry.delete()
            record_event(actor.organisation, events.ENTRY_DELETED, payload, actor=actor)
            result.changed.append(pk)
            continue
        if action == BulkAction.SET_BILLABLE:
            unchanged = entry.billable == value
            entry.billable = value
        elif action == BulkAction.SET_PAID:
            unchanged = entry.paid == value
            entry.paid = value
        else:
            tags = tag_list(entry.tags)
            if action == BulkAction.ADD_TAG:
                unchanged = tag in tags
                tags = tags if unchanged else [*tags, tag]
            else:
                unchanged = tag not in tags
                tags = [t for t in tags if t != tag]
            entry.tags = ",".join(tags)
        if unchanged:
            result.skipped.append({"id": pk, "reason": "unchanged"})
            continue
        entry.full_clean(validate_constraints=False)
        entry.save(update_fields=["billable", "paid", "tags", "updated_at"])
        record_event(actor.organisation, events.ENTRY_UPDATED, events.entry_payload(entry), actor=actor)
        result.changed.append(pk)
    if result.changed:  # one row for the whole action, naming every entry it changed
        audit_change(
            actor=actor,
            action=f"timeentry.bulk_{action}",
            object_type=TimeEntry._meta.label,
            object_id=",".join(map(str, result.changed))[:64],
            changes={"entry_ids": [None, result.changed]},
        )
    return result
