"""hr's Query and Mutation, mixed into trackyoursheets/schema.py."""

from __future__ import annotations

import graphene

from trackyoursheets.api.graphql import (
    TenantConnectionField,
    TenantObjectField,
)

from ..filters import ComplaintFilterSet, EmployeeFilterSet, HRDocumentFilterSet
from .complaints import AssignHRComplaint, HRComplaintType
from .documents import AcknowledgeHRDocument, HRDocumentType
from .employees import EmployeeType, UpsertEmployee


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


class Mutation(graphene.ObjectType):
    """Writes of the hr app."""

    acknowledge_hr_document = AcknowledgeHRDocument.Field(name="acknowledgeHRDocument")
    upsert_employee = UpsertEmployee.Field()
    assign_hr_complaint = AssignHRComplaint.Field(name="assignHRComplaint")
