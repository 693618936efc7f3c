"""GraphQL of the directory: the employee type (pay only for HR, owners and admins) and the
upsert mutation."""

from __future__ import annotations

import graphene
from django.core.exceptions import ValidationError
from graphene import relay

from organisations import selectors as organisation_selectors
from trackyoursheets.api.graphql import (
    CountableConnection,
    Related,
    TenantMutation,
    TenantObjectType,
    scoped_related,
)

from .. import selectors, services
from ..models import Employee
from ..policies import can_see_pay
from .scopes import READ, WRITE


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
