"""GraphQL of manual time requests (issue 15 point 8): the ``timeRequests(filter, first, after)``
connection and ``timeRequest(id)``, and the ``createTimeRequest``, ``approveTimeRequest``,
``rejectTimeRequest`` (and ``cancelTimeRequest``) mutations — the same selectors and services as
REST. Scope ``time.read`` / ``time.write``. Mixed into trackyoursheets/schema.py.
"""

from __future__ import annotations

from functools import partial

import graphene
from graphene import relay

from trackyoursheets.api.graphql import (
    CountableConnection,
    DateTime,
    TenantConnectionField,
    TenantMutation,
    TenantObjectField,
    TenantObjectType,
    object_action,
    scoped_target,
)

from . import request_selectors, services
from .filters import TimeRequestFilterSet
from .graphql import ERROR_FIELDS, READ, WRITE, _employee, _project_and_task
from .models import TimeRequest

__all__ = ["TimeRequestType", "Query", "Mutation"]


class TimeRequestType(TenantObjectType):
    """A request to add time for a past interval: `pending`, then `approved` (with the time entry
    it created), `rejected` (with a reason) or `cancelled`. Scope `time.read`; visible as
    timesheets are (own; a manager's people; everyone for owners, admins and OAuth clients)."""

    read_scope = READ
    list_selector = request_selectors.time_request_list

    employee_id = graphene.Int(required=True)
    project_id = graphene.Int(required=True)
    task_id = graphene.Int()
    status = graphene.String(required=True, description="pending, approved, rejected or cancelled.")
    decided_by = graphene.String(description="Who approved, rejected or cancelled it.")
    time_entry_id = graphene.Int(description="The time entry its approval created.")

    class Meta:
        model = TimeRequest
        name = "TimeRequest"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "employee_id",
            "project_id",
            "task_id",
            "start_time",
            "end_time",
            "notes",
            "tags",
            "billable",
            "reason",
            "status",
            "decided_at",
            "decided_by",
            "rejection_reason",
            "time_entry_id",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_employee_id(request, info):
        return request.employee_id

    @staticmethod
    def resolve_project_id(request, info):
        return request.project_id

    @staticmethod
    def resolve_task_id(request, info):
        return request.task_id

    @staticmethod
    def resolve_status(request, info):
        return request.status

    @staticmethod
    def resolve_decided_by(request, info):
        return request.decided_by_label or None

    @staticmethod
    def resolve_time_entry_id(request, info):
        return request.time_entry_id


class Query(graphene.ObjectType):
    """Reads of time requests."""

    time_requests = TenantConnectionField(
        TimeRequestType,
        filterset_class=TimeRequestFilterSet,
        description="Time requests, newest first (filters: employeeId, status, ...). Scope time.read.",
    )
    time_request = TenantObjectField(TimeRequestType, description="One time request; null when not found.")


# =============================================================================
# Mutations
# =============================================================================


def _target(actor, id):
    return scoped_target(actor, id, "TimeRequest", request_selectors.time_request_list)


def _answer(actor, request):
    return request_selectors.time_request_get(actor=actor, pk=request.pk)


class TimeRequestInput(graphene.InputObjectType):
    """A request for past time (REST: `POST /v1/time-requests`)."""

    employee_id = graphene.ID(description="Default: your own employee record.")
    user_id = graphene.Int(description="The employee by login.")
    project_id = graphene.ID(required=True)
    task_id = graphene.ID()
    start_time = DateTime(required=True)
    end_time = DateTime(required=True)
    reason = graphene.String(required=True, description="Why the time was not recorded.")
    notes = graphene.String()
    tags = graphene.String(description="Comma-separated.")
    billable = graphene.Boolean(description="Default: the project's billable flag.")


class TimeRequestCreate(TenantMutation):
    """Ask to add time for a past interval (validated as a time entry: overlap, project, limits)."""

    required_scope = WRITE
    error_field_names = ERROR_FIELDS

    class Arguments:
        input = TimeRequestInput(required=True)

    Output = graphene.NonNull(TimeRequestType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        employee = _employee(actor, input.employee_id, input.user_id)
        related = _project_and_task(actor, input.project_id, input.task_id)
        optional = {k: input[k] for k in ("notes", "tags", "billable") if input.get(k) is not None}
        request = services.time_request_create(
            actor=actor,
            employee=employee,
            start_time=input.start_time,
            end_time=input.end_time,
            reason=input.reason,
            **related,
            **optional,
        )
        return _answer(actor, request)


_action = partial(
    object_action,
    scope=WRITE,
    output=TimeRequestType,
    target=_target,
    answer=_answer,
    object_arg="request",
)


TimeRequestApprove = _action(
    "TimeRequestApprove",
    """Approve a pending request: its time entry is created (REST: `POST /v1/time-requests/{id}/approve`).""",
    action=services.time_request_approve,
    id_description="Integer id or global id of the request.",
)


TimeRequestReject = _action(
    "TimeRequestReject",
    """Reject a pending request with a reason (REST: `POST /v1/time-requests/{id}/reject`).""",
    action=services.time_request_reject,
    reason=True,
)


TimeRequestCancel = _action(
    "TimeRequestCancel",
    """Cancel your own pending request (REST: `POST /v1/time-requests/{id}/cancel`).""",
    action=services.time_request_cancel,
)


class Mutation(graphene.ObjectType):
    """Writes of time requests."""

    create_time_request = TimeRequestCreate.Field()
    approve_time_request = TimeRequestApprove.Field()
    reject_time_request = TimeRequestReject.Field()
    cancel_time_request = TimeRequestCancel.Field()
