"""GraphQL of time tracking: ``clients``, ``projects``, ``tasks`` and ``timeEntries(filter)``
connections, and the ``createTimeEntry``, ``updateTimeEntry``, ``deleteTimeEntry``, ``startTimer``
and ``stopTimer`` mutations.

Thin (STYLE §2.5): reads through :mod:`timetracking.selectors` (tenancy and role visibility as on
REST), filters through :mod:`timetracking.filters`, writes through
:mod:`timetracking.services`. Scope ``time.read`` / ``time.write``. Its Query and Mutation are
mixed into trackyoursheets/schema.py.
"""

from __future__ import annotations

import graphene
from graphene import relay

from trackyoursheets.api.graphql import (
    CountableConnection,
    DateTime,
    Related,
    TenantConnectionField,
    TenantMutation,
    TenantObjectField,
    TenantObjectType,
    TenantRelation,
    problem_error,
    scoped_related,
    scoped_target,
)

from . import representation, selectors, services
from .filters import ClientFilterSet, ProjectFilterSet, TaskFilterSet, TimeEntryFilterSet
from .models import Client, Project, Task, TimeEntry
from .policies import can_see_rates

READ = "time.read"
WRITE = "time.write"

__all__ = ["ClientType", "ProjectType", "TaskType", "TimeEntryType", "Query", "Mutation"]


def _rate(info, value):
    return value if can_see_rates(info.context.actor) else None


class ClientType(TenantObjectType):
    """A client of the organisation. Scope `time.read`; `defaultRate` is null for employees."""

    read_scope = READ
    list_selector = selectors.client_list

    currency = graphene.String(required=True)

    class Meta:
        model = Client
        name = "Client"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "name",
            "email",
            "company",
            "phone",
            "default_rate",
            "currency",
            "archived",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_default_rate(client, info):
        return _rate(info, client.default_rate)

    @staticmethod
    def resolve_currency(client, info):
        return info.context.actor.organisation.currency


class ProjectType(TenantObjectType):
    """A project. Scope `time.read`; `hourlyRate` and `budget` are null for employees."""

    viewer_access = True  # project viewers read their projects and their tasks (issue 15 point 4)
    read_scope = READ
    list_selector = selectors.project_list

    client = TenantRelation(ClientType, "client")
    client_id = graphene.Int()
    status = graphene.String(required=True, description="active, on_hold or archived.")
    currency = graphene.String(required=True)

    class Meta:
        model = Project
        name = "Project"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "name",
            "description",
            "client",
            "client_id",
            "hourly_rate",
            "estimated_hours",
            "budget",
            "currency",
            "status",
            "billable",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_client_id(project, info):
        return project.client_id

    @staticmethod
    def resolve_hourly_rate(project, info):
        return _rate(info, project.hourly_rate)

    @staticmethod
    def resolve_budget(project, info):
        return _rate(info, project.budget)

    @staticmethod
    def resolve_currency(project, info):
        return info.context.actor.organisation.currency

    @staticmethod
    def resolve_status(project, info):
        return project.status


class TaskType(TenantObjectType):
    """A task of a project. Scope `time.read`."""

    viewer_access = True  # project viewers read their projects and their tasks (issue 15 point 4)
    read_scope = READ
    list_selector = selectors.task_list

    project = TenantRelation(ProjectType, "project")
    project_id = graphene.Int(required=True)
    assignee_id = graphene.Int(description="The employee the task is assigned to.")
    status = graphene.String(required=True, description="todo, in_progress or done.")
    priority = graphene.Int(required=True, description="1 (lowest) to 5 (urgent).")

    class Meta:
        model = Task
        name = "Task"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "project",
            "project_id",
            "name",
            "description",
            "status",
            "priority",
            "assignee_id",
            "estimated_hours",
            "hourly_rate",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_project_id(task, info):
        return task.project_id

    @staticmethod
    def resolve_assignee_id(task, info):
        return task.assignee_id

    @staticmethod
    def resolve_status(task, info):
        return task.status

    @staticmethod
    def resolve_priority(task, info):
        return int(task.priority)

    @staticmethod
    def resolve_hourly_rate(task, info):
        return _rate(info, task.hourly_rate)


def _entry_resolver(spec: representation.EntryField):
    def resolve(entry, info):
        return spec.value(entry)

    return staticmethod(resolve)


def _entry_fields() -> dict:
    """The GraphQL fields of :data:`representation.TIME_ENTRY` that are not the model field of their
    name (graphene-django converts those), each with its resolver."""
    scalars = {"int": graphene.Int, "str": graphene.String, "bool": graphene.Boolean}
    attrs: dict = {}
    for spec in representation.TIME_ENTRY:
        if spec.kind not in scalars:
            continue
        attrs[spec.name] = scalars[spec.kind](required=spec.required, description=spec.help_text or None)
        attrs[f"resolve_{spec.name}"] = _entry_resolver(spec)
    return attrs


#: the declared fields above as a base (graphene collects fields and resolvers from every base class)
_TimeEntryFields = type("_TimeEntryFields", (), _entry_fields())


class TimeEntryType(_TimeEntryFields, TenantObjectType):
    """A time entry (no `endTime`: a running timer). Scope `time.read`.

    Owners, admins and OAuth clients see every entry; managers their own and their office's
    employees'; everyone else their own.
    """

    read_scope = READ
    list_selector = selectors.time_entry_list

    project = TenantRelation(ProjectType, "project")
    task = TenantRelation(TaskType, "task")

    class Meta:
        model = TimeEntry
        name = "TimeEntry"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = ("database_id", "project", "task", *(spec.name for spec in representation.TIME_ENTRY))


class Query(graphene.ObjectType):
    """Reads of time tracking."""

    clients = TenantConnectionField(ClientType, filterset_class=ClientFilterSet, description="Clients, by name.")
    client = TenantObjectField(ClientType, description="One client; null when not found.")
    projects = TenantConnectionField(ProjectType, filterset_class=ProjectFilterSet, description="Projects, by name.")
    project = TenantObjectField(ProjectType, description="One project; null when not found.")
    tasks = TenantConnectionField(TaskType, filterset_class=TaskFilterSet, description="Tasks, by project and name.")
    task = TenantObjectField(TaskType, description="One task; null when not found.")
    time_entries = TenantConnectionField(
        TimeEntryType,
        filterset_class=TimeEntryFilterSet,
        description="Time entries, newest first (running timers only with includeActive). Scope time.read.",
    )
    time_entry = TenantObjectField(TimeEntryType, description="One time entry; null when not found.")


# =============================================================================
# Mutations
# =============================================================================


def _employee(actor, employee_id, user_id, *, required: bool = True):
    """The employee of a mutation's input: by id, by login, or the actor's own record."""
    if employee_id is not None:
        return scoped_related(actor, {"employeeId": Related(employee_id, "Employee", selectors.time_employee_list)})[
            "employeeId"
        ]
    if user_id is not None:
        employee = selectors.time_employee_list(actor=actor).filter(membership__user_id=user_id).first()
        if employee is None:
            raise problem_error(
                422,
                "validation",
                "userId: No employee with this user id.",
                title="Validation failed",
                errors={"userId": ["No employee with this user id."]},
            )
        return employee
    if not required:
        return None
    employee = selectors.actor_employee(actor=actor)
    if employee is None:
        raise problem_error(
            422,
            "validation",
            "employeeId: Required: this credential has no employee record of its own.",
            title="Validation failed",
            errors={"employeeId": ["Required: this credential has no employee record."]},
        )
    return employee


def _project_and_task(actor, project_id, task_id) -> dict:
    related = scoped_related(
        actor,
        {
            "projectId": Related(project_id, "Project", selectors.project_list),
            "taskId": Related(task_id, "Task", selectors.task_list),
        },
    )
    return {"project": related.get("projectId"), "task": related.get("taskId")}


ERROR_FIELDS = {
    "project": "projectId",
    "project_id": "projectId",
    "task": "taskId",
    "task_id": "taskId",
    "employee": "employeeId",
    "start_time": "startTime",
    "end_time": "endTime",
}


class TimeEntryInput(graphene.InputObjectType):
    """A new time entry (REST: `POST /v1/time-entries`); without `endTime` it is a running timer."""

    employee_id = graphene.ID(description="Default: your own employee record.")
    user_id = graphene.Int(description="The employee by login.")
    project_id = graphene.ID(required=True)
    task_id = graphene.ID()
    start_time = DateTime(required=True)
    end_time = DateTime()
    notes = graphene.String()
    tags = graphene.String(description="Comma-separated.")
    billable = graphene.Boolean(description="Default: the project's billable flag.")
    paid = graphene.Boolean()


class TimeEntryCreate(TenantMutation):
    """Create a time entry (scope `time.write`); overlaps are a 409 unless the organisation allows them."""

    required_scope = WRITE
    error_field_names = ERROR_FIELDS

    class Arguments:
        input = TimeEntryInput(required=True)

    Output = graphene.NonNull(TimeEntryType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        employee = _employee(actor, input.employee_id, input.user_id)
        related = _project_and_task(actor, input.project_id, input.task_id)
        optional = {k: input[k] for k in ("notes", "tags", "billable", "paid") if input.get(k) is not None}
        entry = services.time_entry_create(
            actor=actor,
            employee=employee,
            start_time=input.start_time,
            end_time=input.end_time,
            **related,
            **optional,
        )
        return selectors.time_entry_get(actor=actor, pk=entry.pk)


class TimeEntryUpdateInput(graphene.InputObjectType):
    """Fields to change (REST: `PATCH /v1/time-entries/{id}`)."""

    id = graphene.ID(required=True, description="Integer id or global id of the entry.")
    project_id = graphene.ID()
    task_id = graphene.ID()
    start_time = DateTime()
    end_time = DateTime()
    notes = graphene.String()
    tags = graphene.String()
    billable = graphene.Boolean()
    paid = graphene.Boolean()


class TimeEntryUpdate(TenantMutation):
    """Update a time entry you may see (scope `time.write`)."""

    required_scope = WRITE
    error_field_names = ERROR_FIELDS

    class Arguments:
        input = TimeEntryUpdateInput(required=True)

    Output = graphene.NonNull(TimeEntryType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        entry = scoped_target(actor, input.id, "TimeEntry", selectors.time_entry_list)
        fields = {
            k: input[k]
            for k in ("start_time", "end_time", "notes", "tags", "billable", "paid")
            if k in input and input[k] is not None
        }
        related = _project_and_task(actor, input.get("project_id"), input.get("task_id"))
        fields.update({k: v for k, v in related.items() if v is not None})
        services.time_entry_update(actor=actor, entry=entry, data=fields)
        return selectors.time_entry_get(actor=actor, pk=entry.pk)


class TimeEntryDeleteResult(graphene.ObjectType):
    class Meta:
        name = "TimeEntryDeleteResult"

    deleted_id = graphene.Int(required=True)


class TimeEntryDelete(TenantMutation):
    """Delete a time entry you may see (scope `time.write`)."""

    required_scope = WRITE

    class Arguments:
        id = graphene.ID(required=True, description="Integer id or global id of the entry.")

    Output = graphene.NonNull(TimeEntryDeleteResult)

    @classmethod
    def perform_mutate(cls, info, actor, id):
        entry = scoped_target(actor, id, "TimeEntry", selectors.time_entry_list)
        pk = entry.pk
        services.time_entry_delete(actor=actor, entry=entry)
        return TimeEntryDeleteResult(deleted_id=pk)


class TimerStartInput(graphene.InputObjectType):
    """REST: `POST /v1/timer/start`."""

    employee_id = graphene.ID(description="Default: your own employee record.")
    user_id = graphene.Int()
    project_id = graphene.ID(required=True)
    task_id = graphene.ID()
    notes = graphene.String()
    tags = graphene.String()
    billable = graphene.Boolean()


class TimerStart(TenantMutation):
    """Start a timer now (scope `time.write`); one is already running: a 409."""

    required_scope = WRITE
    error_field_names = ERROR_FIELDS

    class Arguments:
        input = TimerStartInput(required=True)

    Output = graphene.NonNull(TimeEntryType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        employee = _employee(actor, input.get("employee_id"), input.get("user_id"))
        related = _project_and_task(actor, input.project_id, input.get("task_id"))
        optional = {k: input[k] for k in ("notes", "tags", "billable") if input.get(k) is not None}
        entry = services.timer_start(actor=actor, employee=employee, **related, **optional)
        return selectors.time_entry_get(actor=actor, pk=entry.pk)


class TimerStop(TenantMutation):
    """Stop the running timer (scope `time.write`); none running: a 409."""

    required_scope = WRITE

    class Arguments:
        employee_id = graphene.ID(description="Default: your own employee record.")
        user_id = graphene.Int()

    Output = graphene.NonNull(TimeEntryType)

    @classmethod
    def perform_mutate(cls, info, actor, employee_id=None, user_id=None):
        employee = _employee(actor, employee_id, user_id)
        entry = services.timer_stop(actor=actor, employee=employee)
        return selectors.time_entry_get(actor=actor, pk=entry.pk)


class Mutation(graphene.ObjectType):
    """Writes of time tracking."""

    create_time_entry = TimeEntryCreate.Field()
    update_time_entry = TimeEntryUpdate.Field()
    delete_time_entry = TimeEntryDelete.Field()
    start_timer = TimerStart.Field()
    stop_timer = TimerStop.Field()
