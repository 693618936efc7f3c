"""REST shapes of the directory: employees (pay only for HR, owners, admins and integrations),
the upsert, onboarding, the dashboard."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organisations import selectors as organisation_selectors
from organisations.choices import Role
from trackyoursheets.api.fields import ChoiceField, ScopedPrimaryKeyRelatedField, actor_of

from ... import selectors
from ...choices import (
    EmployeeStatus,
    EmploymentType,
    PayType,
)
from ...models import Employee
from ...policies import can_see_pay

PAY_FIELDS = ("pay_type", "pay_rate", "currency")


class EmergencyContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True, required=False)
    phone = serializers.CharField(max_length=50, allow_blank=True, required=False)
    relationship = serializers.CharField(max_length=100, allow_blank=True, required=False)


class EmployeeSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True, help_text="Preferred (or first) name and last name.")
    office_id = serializers.IntegerField(read_only=True, allow_null=True)
    office_name = serializers.SerializerMethodField()
    manager_id = serializers.IntegerField(read_only=True, allow_null=True)
    membership_id = serializers.IntegerField(read_only=True, allow_null=True)
    role = serializers.SerializerMethodField(help_text="The role of the employee's login; null without one.")
    employment_type = ChoiceField(EmploymentType, read_only=True)
    status = ChoiceField(EmployeeStatus, read_only=True)
    pay_type = ChoiceField(
        PayType, required=False, allow_blank=True, help_text="Only for HR, owners and admins; absent otherwise."
    )
    pay_rate = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Only for HR, owners and admins; absent otherwise. Per hour, or per year for a salary.",
    )
    currency = serializers.CharField(required=False, help_text="Currency of pay_rate (with the pay fields only).")
    emergency_contact = serializers.SerializerMethodField()
    external_ids = serializers.SerializerMethodField(help_text='Ids in other systems, e.g. {"tracktik": "1042"}.')

    class Meta:
        model = Employee
        fields = [
            "id",
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
            "office_name",
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
        ]
        read_only_fields = [f for f in fields if f not in PAY_FIELDS]

    def get_office_name(self, obj) -> str | None:
        return obj.office.name if obj.office_id else None

    def get_role(self, obj) -> str | None:
        return obj.membership.role if obj.membership_id else None

    @extend_schema_field(EmergencyContactSerializer)
    def get_emergency_contact(self, obj) -> dict:
        return {
            "name": obj.emergency_contact_name,
            "phone": obj.emergency_contact_phone,
            "relationship": obj.emergency_contact_relationship,
        }

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_external_ids(self, obj) -> dict:
        return {row.source: row.external_id for row in obj.external_ids.all()}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        actor = actor_of(self.context)
        if actor is not None and can_see_pay(actor):
            data["currency"] = actor.organisation.currency
        else:
            for name in PAY_FIELDS:
                data.pop(name, None)
        return data


class EmployeeInputSerializer(serializers.Serializer):
    employee_number = serializers.CharField(max_length=50, allow_blank=True, required=False)
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100, allow_blank=True, required=False)
    preferred_name = serializers.CharField(max_length=100, allow_blank=True, required=False)
    email = serializers.EmailField(allow_blank=True, required=False)
    phone = serializers.CharField(max_length=50, allow_blank=True, required=False)
    job_title = serializers.CharField(max_length=200, allow_blank=True, required=False)
    department = serializers.CharField(max_length=100, allow_blank=True, required=False)
    office_id = ScopedPrimaryKeyRelatedField(
        selector=organisation_selectors.office_list, source="office", required=False, allow_null=True
    )
    membership_id = ScopedPrimaryKeyRelatedField(
        selector=organisation_selectors.membership_list,
        source="membership",
        required=False,
        allow_null=True,
        help_text="The member (login) this employee is.",
    )
    manager_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.employee_list, source="manager", required=False, allow_null=True
    )
    role = ChoiceField(
        Role,
        required=False,
        help_text="Changes the role of the employee's login: owners and admins only, never above their own.",
    )
    employment_type = ChoiceField(EmploymentType, required=False)
    hire_date = serializers.DateField(required=False, allow_null=True)
    termination_date = serializers.DateField(required=False, allow_null=True)
    status = ChoiceField(EmployeeStatus, required=False, help_text="To terminate, use POST .../terminate.")
    pay_type = ChoiceField(PayType, required=False, allow_blank=True)
    pay_rate = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True)
    emergency_contact = EmergencyContactSerializer(required=False)
    external_ids = serializers.DictField(
        child=serializers.CharField(max_length=100, allow_blank=True),
        required=False,
        help_text='Ids in other systems by source, e.g. {"tracktik": "1042"}; an empty value removes one.',
    )

    def validate_external_ids(self, value):
        bad = [key for key in value if not re.fullmatch(r"[a-z0-9_-]{1,50}", key)]
        if bad:
            raise serializers.ValidationError(_("Sources are lower-case slugs, e.g. tracktik or custom."))
        return value

    def validate(self, attrs):
        actor = actor_of(self.context)
        if ("pay_type" in attrs or "pay_rate" in attrs) and actor is not None and not can_see_pay(actor):
            raise serializers.ValidationError({"pay_rate": [_("Only HR, owners and admins set pay.")]})
        contact = attrs.pop("emergency_contact", None)
        if contact is not None:
            for key, value in contact.items():
                attrs[f"emergency_contact_{key}"] = value
        return attrs


class EmployeeUpsertRowSerializer(EmployeeInputSerializer):
    external_id = serializers.CharField(max_length=100, help_text="This employee's id in `source`.")
    external_ids = None  # the row's id is external_id


class EmployeeUpsertSerializer(serializers.Serializer):
    source = serializers.SlugField(max_length=50, help_text="The system the ids come from, e.g. tracktik or custom.")
    employees = EmployeeUpsertRowSerializer(many=True, allow_empty=False, max_length=500)


class EmployeeUpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField(help_text="Rows that matched an existing employee (changed or not).")
    results = serializers.ListField(child=serializers.DictField(), help_text="Each row: id, external_id, created.")


class TerminateInputSerializer(serializers.Serializer):
    termination_date = serializers.DateField(required=False, help_text="Defaults to today.")


class OnboardingCheckSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    done = serializers.BooleanField()


class OnboardingSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField(source="employee.pk")
    display_name = serializers.CharField(source="employee.display_name")
    hire_date = serializers.DateField(source="employee.hire_date", allow_null=True)
    progress = serializers.IntegerField(help_text="Percent of the checks done.")
    checks = serializers.SerializerMethodField()

    @extend_schema_field(OnboardingCheckSerializer(many=True))
    def get_checks(self, obj) -> list:
        return [{"key": key, "label": label, "done": done} for key, label, done in obj.items]


class DashboardSerializer(serializers.Serializer):
    headcount = serializers.DictField()
    tickets = serializers.DictField(help_text="Counts only, for the whole organisation.")
    acknowledgement_coverage = serializers.ListField(child=serializers.DictField())
    onboarding = serializers.DictField()
