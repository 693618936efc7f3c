"""GraphQL of leave (issue 16): ``leaveBalances``, ``leaveRequests`` (and one of each), and the
``requestLeave``, ``approveLeaveRequest``, ``rejectLeaveRequest``, ``cancelLeaveRequest``
mutations — the same selectors and services as REST. Scope ``hr.read`` / ``hr.write``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import partial

import graphene
from django.core.exceptions import ValidationError
from graphene import relay

from trackyoursheets.api.graphql import (
    CountableConnection,
    TenantMutation,
    TenantObjectType,
    object_action,
    scoped_target,
)

from .. import leave_selectors, selectors, services
from ..models import LeaveAccount, LeaveRequest
from .scopes import READ, WRITE

__all__ = [
    "LeaveBalanceType",
    "LeaveRequestType",
    "RequestLeave",
    "ApproveLeaveRequest",
    "RejectLeaveRequest",
    "CancelLeaveRequest",
]


def _hours(value) -> str:
    return f"{value:.2f}"


class LeaveBalanceType(TenantObjectType):
    """One employee's balance of one leave type, as of today (hours as decimal strings; the
    ledger's sum). Scope `hr.read`: own; a manager's office and reports; everyone for HR and admins."""

    read_scope = READ
    list_selector = leave_selectors.leave_balance_list

    employee_id = graphene.Int(required=True)
    leave_type_id = graphene.Int(required=True)
    leave_type_name = graphene.String(required=True)
    accrued = graphene.String(required=True)
    used = graphene.String(required=True)
    pending = graphene.String(required=True)
    balance = graphene.String(required=True)
    available = graphene.String(required=True)

    class Meta:
        model = LeaveAccount
        name = "LeaveBalance"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "employee_id",
            "leave_type_id",
            "leave_type_name",
            "accrued",
            "used",
            "pending",
            "balance",
            "available",
        )

    @staticmethod
    def resolve_employee_id(account, info):
        return account.employee_id

    @staticmethod
    def resolve_leave_type_id(account, info):
        return account.leave_type_id

    @staticmethod
    def resolve_leave_type_name(account, info):
        return account.leave_type.name

    @staticmethod
    def resolve_accrued(account, info):
        return _hours(account.balance - account.used_net)

    @staticmethod
    def resolve_used(account, info):
        return _hours(-account.used_net)

    @staticmethod
    def resolve_pending(account, info):
        return _hours(account.pending)

    @staticmethod
    def resolve_balance(account, info):
        return _hours(account.balance)

    @staticmethod
    def resolve_available(account, info):
        return _hours(account.available)


class LeaveRequestType(TenantObjectType):
    """A leave request (requested, approved, rejected or cancelled). Scope `hr.read`: the same
    visibility as REST."""

    read_scope = READ
    list_selector = leave_selectors.leave_request_list

    employee_id = graphene.Int(required=True)
    leave_type_id = graphene.Int(required=True)
    unit = graphene.String(required=True, description="full_days, half_days or hours.")
    status = graphene.String(required=True, description="requested, approved, rejected or cancelled.")
    working_days = graphene.String(required=True)
    hours = graphene.String(required=True)
    decided_by = graphene.String()

    class Meta:
        model = LeaveRequest
        name = "LeaveRequest"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "employee_id",
            "leave_type_id",
            "unit",
            "start_date",
            "end_date",
            "working_days",
            "hours",
            "notes",
            "status",
            "decided_at",
            "decided_by",
            "rejection_reason",
            "cancelled_at",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_employee_id(request, info):
        return request.employee_id

    @staticmethod
    def resolve_leave_type_id(request, info):
        return request.leave_type_id

    @staticmethod
    def resolve_unit(request, info):
        return request.unit

    @staticmethod
    def resolve_status(request, info):
        return request.status

    @staticmethod
    def resolve_working_days(request, info):
        return _hours(request.working_days)

    @staticmethod
    def resolve_hours(request, info):
        return _hours(request.hours)

    @staticmethod
    def resolve_decided_by(request, info):
        return request.decided_by_label or None


def _target(actor, id):
    return scoped_target(actor, id, "LeaveRequest", leave_selectors.leave_request_list)


def _answer(actor, request):
    return leave_selectors.leave_request_get(actor=actor, pk=request.pk)


class RequestLeave(TenantMutation):
    """Request leave (REST: `POST /v1/hr/leave-requests`): working days and hours from the
    schedule and holidays; overlapping or uncovered requests are refused."""

    required_scope = WRITE
    error_field_names = {"employee": "employeeId", "leave_type": "leaveTypeId", "end_date": "endDate"}

    class Arguments:
        leave_type_id = graphene.ID(required=True)
        start_date = graphene.Date(required=True)
        end_date = graphene.Date(required=True)
        unit = graphene.String(description="full_days (default), half_days or hours.")
        hours_per_day = graphene.String(description="For a request in hours (one day).")
        notes = graphene.String()
        employee_id = graphene.ID(description="Default: your own employee record.")

    Output = graphene.NonNull(LeaveRequestType)

    @classmethod
    def perform_mutate(
        cls, info, actor, leave_type_id, start_date, end_date, unit=None, hours_per_day=None, notes="", employee_id=None
    ):
        leave_type = scoped_target(actor, leave_type_id, "LeaveType", leave_selectors.leave_type_list)
        if employee_id is not None:
            employee = scoped_target(actor, employee_id, "Employee", selectors.employee_list)
        else:
            employee = selectors.employee_for_actor(actor=actor)
        try:
            hours = Decimal(hours_per_day) if hours_per_day not in (None, "") else None
        except InvalidOperation:
            raise ValidationError({"hours_per_day": "A number of hours, e.g. 3.5."}) from None
        request = services.leave_request_create(
            actor=actor,
            employee=employee,
            leave_type=leave_type,
            start_date=start_date,
            end_date=end_date,
            unit=unit or "full_days",
            hours_per_day=hours,
            notes=notes or "",
        )
        return _answer(actor, request)


_action = partial(
    object_action,
    scope=WRITE,
    output=LeaveRequestType,
    target=_target,
    answer=_answer,
    object_arg="request",
)


ApproveLeaveRequest = _action(
    "ApproveLeaveRequest",
    """Approve a leave request (REST: `POST /v1/hr/leave-requests/{id}/approve`); never one's own.""",
    action=services.leave_request_approve,
)


RejectLeaveRequest = _action(
    "RejectLeaveRequest",
    """Reject a leave request with a reason (REST: `POST /v1/hr/leave-requests/{id}/reject`).""",
    action=services.leave_request_reject,
    reason=True,
)


CancelLeaveRequest = _action(
    "CancelLeaveRequest",
    """Cancel a leave request (REST: `POST /v1/hr/leave-requests/{id}/cancel`).""",
    action=services.leave_request_cancel,
)
