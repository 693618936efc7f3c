"""GraphQL of the hr app: its Query and Mutation are mixed into trackyoursheets/schema.py.

Thin (STYLE §2.5): reads through :mod:`hr.selectors` (the same visibility as REST: the
directory by role, documents by audience, tickets only for the reporter, HR and the
assignee), filters through :mod:`hr.filters`, writes through :mod:`hr.services`.
``payType``/``payRate`` are null unless the actor is HR, an owner or an admin; a ticket's
``reporter`` is null when it is anonymous; its ``notes`` are empty unless the actor handles it.
Scope ``hr.read`` / ``hr.write``.
"""

from __future__ import annotations

import graphene
from django.core.exceptions import ValidationError
from graphene import relay

from organisations import selectors as organisation_selectors
from trackyoursheets.api.graphql import (
    CountableConnection,
    DateTime,
    Related,
    TenantConnectionField,
    TenantMutation,
    TenantObjectField,
    TenantObjectType,
    scoped_related,
    scoped_target,
)

from . import selectors, services
from .filters import ComplaintFilterSet, EmployeeFilterSet, HRDocumentFilterSet
from .models import Complaint, Employee, HRDocument
from .policies import can_see_pay

READ = "hr.read"
WRITE = "hr.write"

__all__ = ["EmployeeType", "HRDocumentType", "HRComplaintType", "Query", "Mutation"]


class EmergencyContactType(graphene.ObjectType):
    class Meta:
        name = "EmergencyContact"

    name = graphene.String(required=True)
    phone = graphene.String(required=True)
    relationship = graphene.String(required=True)


class ExternalIdType(graphene.ObjectType):
    class Meta:
        name = "EmployeeExternalId"

    source = graphene.String(required=True)
    external_id = graphene.String(required=True)


class EmployeeType(TenantObjectType):
    """A person in the directory. Scope `hr.read`. HR, owners and admins see everyone, managers
    their office, others themselves. `payType`/`payRate` are null except for HR, owners and admins."""

    read_scope = READ
    list_selector = selectors.employee_list

    display_name = graphene.String(required=True)
    office_id = graphene.Int()
    manager_id = graphene.Int()
    membership_id = graphene.Int()
    role = graphene.String(description="The role of the employee's login.")
    employment_type = graphene.String(required=True, description="full_time, part_time or contractor.")
    status = graphene.String(required=True, description="active, on_leave or terminated.")
    pay_type = graphene.String(description="hourly or salary; null unless HR, owner or admin.")
    pay_rate = graphene.Decimal(description="Null unless HR, owner or admin.")
    currency = graphene.String(description="Currency of payRate; null with it.")
    emergency_contact = graphene.Field(EmergencyContactType, required=True)
    external_ids = graphene.List(graphene.NonNull(ExternalIdType), required=True)

    class Meta:
        model = Employee
        name = "Employee"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "employee_number",
            "first_name",
            "last_name",
            "preferred_name",
            "display_name",
            "email",
            "phone",
            "job_title",
            "department",
            "office_id",
            "manager_id",
            "membership_id",
            "role",
            "employment_type",
            "hire_date",
            "termination_date",
            "status",
            "pay_type",
            "pay_rate",
            "currency",
            "emergency_contact",
            "external_ids",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_office_id(employee, info):
        return employee.office_id

    @staticmethod
    def resolve_manager_id(employee, info):
        return employee.manager_id

    @staticmethod
    def resolve_membership_id(employee, info):
        return employee.membership_id

    @staticmethod
    def resolve_role(employee, info):
        return employee.membership.role if employee.membership_id else None

    @staticmethod
    def resolve_employment_type(employee, info):
        return employee.employment_type

    @staticmethod
    def resolve_status(employee, info):
        return employee.status

    @staticmethod
    def resolve_pay_type(employee, info):
        return (employee.pay_type or None) if can_see_pay(info.context.actor) else None

    @staticmethod
    def resolve_pay_rate(employee, info):
        return employee.pay_rate if can_see_pay(info.context.actor) else None

    @staticmethod
    def resolve_currency(employee, info):
        return info.context.actor.organisation.currency if can_see_pay(info.context.actor) else None

    @staticmethod
    def resolve_emergency_contact(employee, info):
        return EmergencyContactType(
            name=employee.emergency_contact_name,
            phone=employee.emergency_contact_phone,
            relationship=employee.emergency_contact_relationship,
        )

    @staticmethod
    def resolve_external_ids(employee, info):
        return [ExternalIdType(source=r.source, external_id=r.external_id) for r in employee.external_ids.all()]


class HRDocumentType(TenantObjectType):
    """A policy document. Scope `hr.read`. HR, owners and admins see all (drafts included);
    others the published documents addressed to them."""

    read_scope = READ
    list_selector = selectors.document_list

    category = graphene.String(required=True)
    audience = graphene.String(required=True, description="everyone, offices or roles.")
    office_ids = graphene.List(graphene.NonNull(graphene.Int), required=True)
    roles = graphene.List(graphene.NonNull(graphene.String), required=True)
    version = graphene.String(description="The current version's label.")
    version_number = graphene.Int()
    is_published = graphene.Boolean(required=True)
    download_url = graphene.String(required=True, description="REST download of the current version.")

    class Meta:
        model = HRDocument
        name = "HRDocument"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "title",
            "category",
            "summary",
            "audience",
            "office_ids",
            "roles",
            "requires_acknowledgement",
            "published_at",
            "is_published",
            "version",
            "version_number",
            "download_url",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_category(document, info):
        return document.category

    @staticmethod
    def resolve_audience(document, info):
        return document.audience

    @staticmethod
    def resolve_office_ids(document, info):
        return [office.pk for office in document.audience_offices.all()]

    @staticmethod
    def resolve_roles(document, info):
        return document.roles

    @staticmethod
    def resolve_version(document, info):
        return document.current_version.label if document.current_version_id else None

    @staticmethod
    def resolve_version_number(document, info):
        return document.current_version.number if document.current_version_id else None

    @staticmethod
    def resolve_is_published(document, info):
        return document.is_published

    @staticmethod
    def resolve_download_url(document, info):
        return f"/v1/hr/documents/{document.pk}/download"


class HRComplaintNoteType(graphene.ObjectType):
    class Meta:
        name = "HRComplaintNote"

    database_id = graphene.Int(required=True)
    author = graphene.String(required=True)
    body = graphene.String(required=True)
    created_at = DateTime(required=True)

    @staticmethod
    def resolve_database_id(note, info):
        return note.pk

    @staticmethod
    def resolve_author(note, info):
        return note.author_label


class HRPersonType(graphene.ObjectType):
    class Meta:
        name = "HRPerson"

    membership_id = graphene.Int(required=True)
    name = graphene.String(required=True)
    email = graphene.String(required=True)


def _person(membership):
    if membership is None:
        return None
    return HRPersonType(membership_id=membership.pk, name=membership.user.get_full_name(), email=membership.user.email)


class HRComplaintType(TenantObjectType):
    """A confidential HR ticket. Scope `hr.read`. Only its reporter, HR (unless it is about them)
    and its assignee see it; `reporter` is null when anonymous; `notes` only for HR and the assignee."""

    read_scope = READ
    list_selector = selectors.complaint_list

    reference = graphene.String(required=True)
    category = graphene.String(required=True)
    priority = graphene.String(required=True, description="low, normal, high or urgent.")
    status = graphene.String(required=True, description="open, in_progress, waiting, resolved or closed.")
    anonymous = graphene.Boolean(required=True)
    reporter = graphene.Field(HRPersonType, description="Null for an anonymous ticket.")
    assignee = graphene.Field(HRPersonType)
    about_employee_id = graphene.Int()
    notes = graphene.List(
        graphene.NonNull(HRComplaintNoteType), required=True, description="Internal notes; empty unless you handle it."
    )

    class Meta:
        model = Complaint
        name = "HRComplaint"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "reference",
            "subject",
            "category",
            "priority",
            "status",
            "description",
            "anonymous",
            "reporter",
            "about_employee_id",
            "assignee",
            "resolution",
            "resolved_at",
            "closed_at",
            "notes",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_reference(complaint, info):
        return complaint.reference

    @staticmethod
    def resolve_category(complaint, info):
        return complaint.category

    @staticmethod
    def resolve_priority(complaint, info):
        return complaint.priority

    @staticmethod
    def resolve_status(complaint, info):
        return complaint.status

    @staticmethod
    def resolve_anonymous(complaint, info):
        return complaint.is_anonymous

    @staticmethod
    def resolve_reporter(complaint, info):
        return None if complaint.is_anonymous else _person(complaint.reporter)

    @staticmethod
    def resolve_assignee(complaint, info):
        return _person(complaint.assignee)

    @staticmethod
    def resolve_about_employee_id(complaint, info):
        return complaint.about_employee_id

    @staticmethod
    def resolve_notes(complaint, info):
        if not selectors.complaint_can_handle(actor=info.context.actor, complaint=complaint):
            return []
        return complaint.notes.all()


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


# =============================================================================
# Mutations
# =============================================================================


class HRDocumentAcknowledgementType(graphene.ObjectType):
    """An acknowledgement of one version of a document."""

    class Meta:
        name = "HRDocumentAcknowledgement"

    database_id = graphene.Int(required=True)
    document = graphene.Field(HRDocumentType, required=True)
    version = graphene.String(required=True)
    version_number = graphene.Int(required=True)
    employee_id = graphene.Int(required=True)
    acknowledged_at = DateTime(required=True)
    created = graphene.Boolean(required=True, description="False when this version was already acknowledged.")


class AcknowledgeHRDocumentInput(graphene.InputObjectType):
    document_id = graphene.ID(required=True, description="Integer id or global id of the document.")


class AcknowledgeHRDocument(TenantMutation):
    """Acknowledge the current version of a document as the employee behind the credential
    (scope `hr.write`); once per version (REST: `POST /v1/hr/documents/{id}/acknowledge`)."""

    required_scope = WRITE

    class Arguments:
        input = AcknowledgeHRDocumentInput(required=True)

    Output = graphene.NonNull(HRDocumentAcknowledgementType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        document = scoped_target(actor, input.document_id, "HRDocument", selectors.document_list)
        acknowledgement, created = services.document_acknowledge(actor=actor, document=document)
        return HRDocumentAcknowledgementType(
            database_id=acknowledgement.pk,
            document=document,
            version=acknowledgement.version.label,
            version_number=acknowledgement.version.number,
            employee_id=acknowledgement.employee_id,
            acknowledged_at=acknowledgement.acknowledged_at,
            created=created,
        )


class EmergencyContactInput(graphene.InputObjectType):
    name = graphene.String()
    phone = graphene.String()
    relationship = graphene.String()


class UpsertEmployeeInput(graphene.InputObjectType):
    """One employee by their id in another system (REST: a row of `POST /v1/hr/employees/upsert`)."""

    source = graphene.String(required=True, description="The system the id comes from, e.g. tracktik.")
    external_id = graphene.String(required=True)
    employee_number = graphene.String()
    first_name = graphene.String(required=True)
    last_name = graphene.String()
    preferred_name = graphene.String()
    email = graphene.String()
    phone = graphene.String()
    job_title = graphene.String()
    department = graphene.String()
    office_id = graphene.ID()
    manager_id = graphene.ID()
    employment_type = graphene.String()
    hire_date = graphene.Date()
    status = graphene.String()
    pay_type = graphene.String()
    pay_rate = graphene.Decimal()
    emergency_contact = EmergencyContactInput()


class UpsertEmployee(TenantMutation):
    """Create or update the employee with this external id (scope `hr.write`; HR, owners, admins).
    Idempotent: the same input twice leaves one employee."""

    required_scope = WRITE
    error_field_names = {"office": "officeId", "manager": "managerId"}

    class Arguments:
        input = UpsertEmployeeInput(required=True)

    Output = graphene.NonNull(EmployeeType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        values = {key: value for key, value in input.items() if value is not None}
        source = values.pop("source").strip()
        related = scoped_related(
            actor,
            {
                "office_id": Related(values.pop("office_id", None), "Office", organisation_selectors.office_list),
                "manager_id": Related(values.pop("manager_id", None), "Employee", selectors.employee_list),
            },
        )
        if "office_id" in related:
            values["office"] = related["office_id"]
        if "manager_id" in related:
            values["manager"] = related["manager_id"]
        if ("pay_type" in values or "pay_rate" in values) and not can_see_pay(actor):
            raise ValidationError({"pay_rate": ["Only HR, owners and admins set pay."]})
        contact = values.pop("emergency_contact", None) or {}
        for key, value in contact.items():
            if value is not None:
                values[f"emergency_contact_{key}"] = value
        try:
            ((employee, _created),) = services.employee_upsert_many(actor=actor, source=source, rows=[values])
        except ValidationError as exc:
            # rows are named employees[0].field by the bulk service; here there is one row
            errors = {k.removeprefix("employees[0]").lstrip(".") or "input": v for k, v in exc.message_dict.items()}
            raise ValidationError(errors) from exc
        return selectors.employee_get(actor=actor, pk=employee.pk)


class AssignHRComplaintInput(graphene.InputObjectType):
    complaint_id = graphene.ID(required=True, description="Integer id or global id of the ticket.")
    assignee_id = graphene.ID(required=True, description="Membership id of an active HR member.")


class AssignHRComplaint(TenantMutation):
    """Assign a ticket to an HR member, never the person it is about (scope `hr.write`;
    REST: `POST /v1/hr/complaints/{id}/assign`)."""

    required_scope = WRITE
    error_field_names = {"assignee_id": "assigneeId"}

    class Arguments:
        input = AssignHRComplaintInput(required=True)

    Output = graphene.NonNull(HRComplaintType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        complaint = scoped_target(actor, input.complaint_id, "HRComplaint", selectors.complaint_list)
        related = scoped_related(
            actor, {"assignee_id": Related(input.assignee_id, "Member", organisation_selectors.membership_list)}
        )
        services.complaint_assign(actor=actor, complaint=complaint, assignee=related["assignee_id"])
        return selectors.complaint_get(actor=actor, pk=complaint.pk)


class Mutation(graphene.ObjectType):
    """Writes of the hr app."""

    acknowledge_hr_document = AcknowledgeHRDocument.Field(name="acknowledgeHRDocument")
    upsert_employee = UpsertEmployee.Field()
    assign_hr_complaint = AssignHRComplaint.Field(name="assignHRComplaint")
