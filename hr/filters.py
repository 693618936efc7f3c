"""FilterSets of the hr app, shared by REST, GraphQL and the HR portal pages (STYLE §4.1)."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from organisations.choices import Role
from organisations.models import WorkspaceAgent
from trackyoursheets.api.filters import BaseFilterSet

from .choices import (
    Audience,
    ComplaintCategory,
    ComplaintPriority,
    ComplaintStatus,
    DocumentCategory,
    EmployeeStatus,
    EmploymentType,
)
from .models import Complaint, Employee, HRDocument


class EmployeeFilterSet(BaseFilterSet):
    office_id = django_filters.NumberFilter(field_name="office_id")
    status = django_filters.ChoiceFilter(choices=EmployeeStatus.choices)
    role = django_filters.ChoiceFilter(field_name="membership__role", choices=Role.choices, label="Role of the login")
    department = django_filters.CharFilter(lookup_expr="iexact")
    manager_id = django_filters.NumberFilter(field_name="manager_id")
    workspace_id = django_filters.NumberFilter(
        method="filter_workspace", label="The login is an agent of this workspace"
    )
    employment_type = django_filters.ChoiceFilter(choices=EmploymentType.choices)
    employee_number = django_filters.CharFilter(lookup_expr="iexact")
    q = django_filters.CharFilter(method="filter_search", label="Search names, email, employee number, job title")

    class Meta:
        model = Employee
        fields = ["office_id", "status", "department", "manager_id", "employment_type", "employee_number"]

    def filter_workspace(self, queryset, name, value):
        links = WorkspaceAgent.objects.filter(membership_id=OuterRef("membership_id"), workspace_id=value)
        return queryset.filter(Exists(links))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(preferred_name__icontains=value)
            | Q(email__icontains=value)
            | Q(employee_number__iexact=value)
            | Q(job_title__icontains=value)
        )


class HRDocumentFilterSet(BaseFilterSet):
    category = django_filters.ChoiceFilter(choices=DocumentCategory.choices)
    audience = django_filters.ChoiceFilter(choices=Audience.choices)
    requires_acknowledgement = django_filters.BooleanFilter()
    office_id = django_filters.NumberFilter(
        method="filter_office", label="Addressed to this office (an audience of chosen offices)"
    )
    role = django_filters.ChoiceFilter(
        choices=Role.choices, method="filter_role", label="Addressed to this role (an audience of chosen roles)"
    )
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title contains")

    class Meta:
        model = HRDocument
        fields = ["category", "audience", "requires_acknowledgement"]

    def filter_role(self, queryset, name, value):
        return queryset.filter(audience=Audience.ROLES, audience_roles__contains=f",{value},")

    def filter_office(self, queryset, name, value):
        links = HRDocument.audience_offices.through.objects.filter(hrdocument_id=OuterRef("pk"), office_id=value)
        return queryset.filter(Exists(links))


class ComplaintFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(choices=ComplaintStatus.choices)
    priority = django_filters.ChoiceFilter(choices=ComplaintPriority.choices)
    category = django_filters.ChoiceFilter(choices=ComplaintCategory.choices)
    assignee_id = django_filters.NumberFilter(field_name="assignee_id", label="Assigned to this member")
    office_id = django_filters.NumberFilter(
        field_name="about_employee__office_id", label="About an employee of this office"
    )
    q = django_filters.CharFilter(method="filter_search", label="Search subject and description")

    class Meta:
        model = Complaint
        fields = ["status", "priority", "category", "assignee_id"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(subject__icontains=value) | Q(description__icontains=value))


class AcknowledgementStateFilterSet(BaseFilterSet):
    """``GET /v1/hr/documents/{id}/acknowledgements``: the audience's employees by ``state`` and
    by the generic filters an employee answers (its office, status, login role and workspaces)."""

    office_id = django_filters.NumberFilter(field_name="office_id")
    status = django_filters.ChoiceFilter(choices=EmployeeStatus.choices)
    role = django_filters.ChoiceFilter(field_name="membership__role", choices=Role.choices, label="Role of the login")
    workspace_id = django_filters.NumberFilter(
        method="filter_workspace", label="The login is an agent of this workspace"
    )
    filter_workspace = EmployeeFilterSet.filter_workspace
    state = django_filters.ChoiceFilter(
        choices=[("acknowledged", "acknowledged"), ("pending", "pending")],
        method="filter_state",
        label="acknowledged or pending",
    )

    class Meta:
        model = Employee
        fields = []

    def filter_state(self, queryset, name, value):
        return queryset.filter(acknowledged_at__isnull=(value == "pending"))
