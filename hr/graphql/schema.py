"""hr's Query and Mutation, mixed into trackyoursheets/schema.py."""

from __future__ import annotations

import graphene

from trackyoursheets.api.graphql import (
    TenantConnectionField,
    TenantObjectField,
)

from ..filters import (
    ComplaintFilterSet,
    EmployeeFilterSet,
    HRDocumentFilterSet,
    LeaveBalanceFilterSet,
    LeaveRequestFilterSet,
)
from .complaints import AssignHRComplaint, HRComplaintType
from .documents import AcknowledgeHRDocument, HRDocumentType
from .employees import EmployeeType, UpsertEmployee
from .leave import (
    ApproveLeaveRequest,
    CancelLeaveRequest,
    LeaveBalanceType,
    LeaveRequestType,
    RejectLeaveRequest,
    RequestLeave,
)


class Query(graphene.ObjectType):
    """Reads of the hr app."""

    employees = TenantConnectionField(
        EmployeeType, filterset_class=EmployeeFilterSet, description="The directory, by name. Scope hr.read."
    )
    employee = TenantObjectField(EmployeeType, description="One employee; null when not found.")
    hr_documents = TenantConnectionField(
        HRDocumentType, filterset_class=HRDocumentFilterSet, description="HR documents, by title. Scope hr.read."
    )
    hr_document = TenantObjectField(HRDocumentType, description="One HR document; null when not found.")
    hr_complaints = TenantConnectionField(
        HRComplaintType,
        filterset_class=ComplaintFilterSet,
        description="HR tickets you may see, newest first. Scope hr.read.",
    )
    hr_complaint = TenantObjectField(HRComplaintType, description="One HR ticket; null when not found or not yours.")
    leave_balances = TenantConnectionField(
        LeaveBalanceType,
        filterset_class=LeaveBalanceFilterSet,
        description="Leave balances per employee and leave type (filter asOf: as of a day). Scope hr.read.",
    )
    leave_balance = TenantObjectField(LeaveBalanceType, description="One leave balance; null when not found.")
    leave_requests = TenantConnectionField(
        LeaveRequestType,
        filterset_class=LeaveRequestFilterSet,
        description="Leave requests you may see, latest first. Scope hr.read.",
    )
    leave_request = TenantObjectField(LeaveRequestType, description="One leave request; null when not found.")


class Mutation(graphene.ObjectType):
    """Writes of the hr app."""

    acknowledge_hr_document = AcknowledgeHRDocument.Field(name="acknowledgeHRDocument")
    upsert_employee = UpsertEmployee.Field()
    assign_hr_complaint = AssignHRComplaint.Field(name="assignHRComplaint")
    request_leave = RequestLeave.Field()
    approve_leave_request = ApproveLeaveRequest.Field()
    reject_leave_request = RejectLeaveRequest.Field()
    cancel_leave_request = CancelLeaveRequest.Field()
