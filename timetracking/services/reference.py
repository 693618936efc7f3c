"""What time is recorded against: the organisation's time settings, clients, projects, tasks and
employees' contract rates (owners, admins and managers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from organisations.choices import Role
from trackyoursheets.db import model_update
from trackyoursheets.exceptions import NotPermitted

from .. import events, selectors
from ..choices import ProjectStatus, TaskStatus
from ..models import (
    Client,
    Contract,
    Project,
    Task,
    TimeSettings,
)
from .common import _require_admin, _require_manager, _save

if TYPE_CHECKING:  # annotations only: other apps read employees through hr.selectors
    from hr.models import Employee


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
CONTRACT_UPDATE_FIELDS = [
    "employee",
    "project",
    "hourly_rate",
    "pay_rate",
    "weekly_hours_limit",
    "daily_hours_limit",
    "notes",
]


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
    record_event(actor.organisation, events.TASK_CREATED, events.task_payload(task), actor=actor)
    return task


@transaction.atomic
def task_update(*, actor: Actor, task: Task, data: dict) -> Task:
    """Managers and up change any field; the assignee may move their task's status. Moving it to
    ``done`` records ``time.task.completed``, any other change ``time.task.updated``."""
    fields = TASK_UPDATE_FIELDS
    was = task.status
    own = selectors.actor_employee(actor=actor) if set(data) <= {"status"} and task.assignee_id else None
    if own is not None and own.pk == task.assignee_id:
        fields = ["status"]
    else:
        _require_manager(actor)
    task, changes = model_update(instance=task, fields=fields, data=_stripped_name(data))
    audit_change(actor=actor, action="task.update", obj=task, changes=changes)
    completed = task.status == TaskStatus.DONE and was != TaskStatus.DONE
    topic = events.TASK_COMPLETED if completed else events.TASK_UPDATED
    record_event(actor.organisation, topic, events.task_payload(task), actor=actor)
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
    membership = actor.membership
    office_id = membership.office_id if membership is not None else None
    if actor.role == Role.MANAGER and office_id and employee.office_id == office_id:
        return
    raise NotPermitted(_("Only owners, admins and the employee's office manager may set contract rates."))


@transaction.atomic
def contract_create(
    *,
    actor: Actor,
    employee: Employee,
    hourly_rate,
    project: Project | None = None,
    notes: str = "",
    pay_rate=None,
    weekly_hours_limit=None,
    daily_hours_limit=None,
) -> Contract:
    """A contract: the bill rate of the employee's time (``hourly_rate``), their pay rate and
    optional hours limits per week and per day (issue 15 point 5)."""
    _require_contract_manager(actor, employee)
    contract = Contract(
        organisation=actor.organisation,
        employee=employee,
        project=project,
        hourly_rate=hourly_rate,
        notes=notes,
        pay_rate=pay_rate,
        weekly_hours_limit=weekly_hours_limit,
        daily_hours_limit=daily_hours_limit,
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
