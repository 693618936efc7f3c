"""REST shapes of the hr app.

Pay (``pay_type``, ``pay_rate``) is in an employee's representation only for HR, owners,
admins and integrations (STYLE §3.8): for everyone else the keys are absent. A ticket's
``reporter`` is null when it is anonymous, for everyone; its internal ``notes`` are only
there for HR and the assignee.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organisations import selectors as organisation_selectors
from organisations.choices import Role
from trackyoursheets.api.fields import ChoiceField, ScopedPrimaryKeyRelatedField, actor_of

from .. import selectors
from ..choices import (
    Audience,
    ComplaintCategory,
    ComplaintPriority,
    ComplaintStatus,
    DocumentCategory,
    EmployeeStatus,
    EmploymentType,
    PayType,
)
from ..models import Complaint, ComplaintNote, Employee, HRDocument, HRDocumentVersion, sees_hr_portal
from ..policies import can_see_pay

PAY_FIELDS = ("pay_type", "pay_rate", "currency")


# =============================================================================
# Employees
# =============================================================================


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


# =============================================================================
# Documents
# =============================================================================


class HRDocumentVersionSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="label", read_only=True)

    class Meta:
        model = HRDocumentVersion
        fields = ["number", "version", "file_name", "content_type", "size", "sha256", "notes", "created_at"]
        read_only_fields = fields


class HRDocumentSerializer(serializers.ModelSerializer):
    category = ChoiceField(DocumentCategory, read_only=True)
    audience = ChoiceField(Audience, read_only=True)
    office_ids = serializers.SerializerMethodField()
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    version = serializers.SerializerMethodField(help_text="The current version's label.")
    current_version = HRDocumentVersionSerializer(read_only=True, allow_null=True)
    is_published = serializers.BooleanField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = HRDocument
        fields = [
            "id",
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
            "current_version",
            "download_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_office_ids(self, obj) -> list[int]:
        return [office.pk for office in obj.audience_offices.all()]

    def get_version(self, obj) -> str | None:
        return obj.current_version.label if obj.current_version_id else None

    def get_download_url(self, obj) -> str:
        return f"/v1/hr/documents/{obj.pk}/download"


class HRDocumentInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, DOCX, PNG, JPEG or TXT; checked by content; size-limited.")
    title = serializers.CharField(max_length=200)
    version = serializers.CharField(max_length=50, required=False, default="1")
    category = ChoiceField(DocumentCategory, required=False, default=DocumentCategory.POLICY)
    summary = serializers.CharField(allow_blank=True, required=False, default="")
    audience = ChoiceField(Audience, required=False, default=Audience.EVERYONE)
    office_ids = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(selector=organisation_selectors.office_list),
        required=False,
        source="offices",
        help_text="With audience=offices.",
    )
    roles = serializers.ListField(child=ChoiceField(Role), required=False, help_text="With audience=roles.")
    requires_acknowledgement = serializers.BooleanField(required=False, default=True)
    published_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Defaults to now; a future time schedules it."
    )
    publish = serializers.BooleanField(required=False, default=True, help_text="false keeps it a draft.")

    def to_internal_value(self, data):
        # multipart forms repeat a key for a list (office_ids=1&office_ids=2)
        if hasattr(data, "getlist"):
            plain = {key: data.get(key) for key in data}
            for key in ("office_ids", "roles"):
                if key in data:
                    plain[key] = [v for v in data.getlist(key) if v != ""]
            data = plain
        return super().to_internal_value(data)


class HRDocumentUpdateSerializer(HRDocumentInputSerializer):
    file = None
    version = None
    publish = None
    title = serializers.CharField(max_length=200, required=False)
    category = ChoiceField(DocumentCategory, required=False)
    summary = serializers.CharField(allow_blank=True, required=False)
    audience = ChoiceField(Audience, required=False)
    requires_acknowledgement = serializers.BooleanField(required=False)


class HRDocumentVersionInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, DOCX, PNG, JPEG or TXT; checked by content; size-limited.")
    version = serializers.CharField(max_length=50, required=False, default="", help_text="Defaults to the number.")
    notes = serializers.CharField(allow_blank=True, required=False, default="", help_text="What changed.")


class AcknowledgementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document_id = serializers.IntegerField()
    version = serializers.CharField(source="version.label")
    version_number = serializers.IntegerField(source="version.number")
    employee_id = serializers.IntegerField()
    acknowledged_at = serializers.DateTimeField()


class AcknowledgementStatusSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField(source="pk")
    display_name = serializers.CharField()
    email = serializers.CharField()
    office_id = serializers.IntegerField(allow_null=True)
    acknowledged = serializers.SerializerMethodField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)

    def get_acknowledged(self, obj) -> bool:
        return obj.acknowledged_at is not None


# =============================================================================
# Complaints
# =============================================================================


class PersonSerializer(serializers.Serializer):
    membership_id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="user.get_full_name")
    email = serializers.CharField(source="user.email")


class ComplaintNoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_label")

    class Meta:
        model = ComplaintNote
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = fields


class ComplaintSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    category = ChoiceField(ComplaintCategory, read_only=True)
    priority = ChoiceField(ComplaintPriority, read_only=True)
    status = ChoiceField(ComplaintStatus, read_only=True)
    anonymous = serializers.BooleanField(source="is_anonymous", read_only=True)
    reporter = serializers.SerializerMethodField(help_text="Null for an anonymous ticket, for everyone.")
    assignee = serializers.SerializerMethodField()
    about_employee_id = serializers.IntegerField(read_only=True, allow_null=True)
    notes = ComplaintNoteSerializer(
        many=True, required=False, help_text="Internal notes: only for HR and the assignee; absent otherwise."
    )

    class Meta:
        model = Complaint
        fields = [
            "id",
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
        ]
        read_only_fields = [f for f in fields if f != "notes"]

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_reporter(self, obj):
        if obj.is_anonymous or obj.reporter_id is None:
            return None
        return PersonSerializer(obj.reporter).data

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_assignee(self, obj):
        return PersonSerializer(obj.assignee).data if obj.assignee_id else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        actor = actor_of(self.context)
        if actor is None or not selectors.complaint_can_handle(actor=actor, complaint=instance):
            data.pop("notes", None)
        return data


class ComplaintCreatedSerializer(ComplaintSerializer):
    follow_token = serializers.CharField(
        required=False,
        help_text="Anonymous tickets only, shown once: follow the ticket with POST /v1/hr/complaints/follow.",
    )

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "follow_token"]
        read_only_fields = [f for f in fields if f not in ("notes", "follow_token")]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        token = self.context.get("follow_token")
        if token:
            data["follow_token"] = token
        else:
            data.pop("follow_token", None)
        return data


class ComplaintInputSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000)
    category = ChoiceField(ComplaintCategory, required=False, default=ComplaintCategory.OTHER)
    priority = ChoiceField(ComplaintPriority, required=False, default=ComplaintPriority.NORMAL)
    anonymous = serializers.BooleanField(
        required=False, default=False, help_text="Store no reporter; you get a private follow token instead."
    )
    about_employee_id = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.none(),
        source="about_employee",
        required=False,
        allow_null=True,
        help_text="The employee the ticket is about (any employee of your organisation).",
    )

    def get_fields(self):
        fields = super().get_fields()
        actor = actor_of(self.context)
        if actor is not None:
            fields["about_employee_id"].queryset = selectors.employee_choices(actor=actor)
        return fields


class ComplaintUpdateSerializer(serializers.Serializer):
    category = ChoiceField(ComplaintCategory, required=False)
    priority = ChoiceField(ComplaintPriority, required=False)
    about_employee_id = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.none(), source="about_employee", required=False, allow_null=True
    )

    def get_fields(self):
        fields = super().get_fields()
        actor = actor_of(self.context)
        if actor is not None:
            fields["about_employee_id"].queryset = selectors.employee_choices(actor=actor)
        return fields


class ComplaintAssignSerializer(serializers.Serializer):
    assignee_id = ScopedPrimaryKeyRelatedField(
        selector=organisation_selectors.membership_list,
        source="assignee",
        help_text="An active HR member (membership id); never the person the ticket is about.",
    )


class ComplaintTransitionSerializer(serializers.Serializer):
    status = ChoiceField(ComplaintStatus)
    resolution = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class ComplaintNoteInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000)


class ComplaintFollowSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text="The follow token you were given when you filed it.")


class ComplaintFollowViewSerializer(serializers.ModelSerializer):
    """What an anonymous reporter reads through their token: the ticket, never the notes."""

    reference = serializers.CharField(read_only=True)
    category = ChoiceField(ComplaintCategory, read_only=True)
    priority = ChoiceField(ComplaintPriority, read_only=True)
    status = ChoiceField(ComplaintStatus, read_only=True)
    assigned = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "reference",
            "subject",
            "category",
            "priority",
            "status",
            "description",
            "assigned",
            "resolution",
            "resolved_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_assigned(self, obj) -> bool:
        return obj.assignee_id is not None


class DashboardSerializer(serializers.Serializer):
    headcount = serializers.DictField()
    tickets = serializers.DictField(help_text="Counts only, for the whole organisation.")
    acknowledgement_coverage = serializers.ListField(child=serializers.DictField())
    onboarding = serializers.DictField()


__all__ = [name for name in dir() if name.endswith("Serializer")] + ["sees_hr_portal"]
