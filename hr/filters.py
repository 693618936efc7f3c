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
    LeaveKind,
    LeaveRequestStatus,
    LedgerKind,
)
from .models import (
    Complaint,
    Employee,
    HolidayGroup,
    HRDocument,
    LeaveAccount,
    LeaveLedgerEntry,
    LeavePolicy,
    LeaveRequest,
    LeaveType,
)


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


# =============================================================================
# Leave (issue 16)
# =============================================================================


class LeaveTypeFilterSet(BaseFilterSet):
    kind = django_filters.ChoiceFilter(choices=LeaveKind.choices)
    paid = django_filters.BooleanFilter()
    active = django_filters.BooleanFilter()

    class Meta:
        model = LeaveType
        fields = ["kind", "paid", "active"]


class LeavePolicyFilterSet(BaseFilterSet):
    leave_type_id = django_filters.NumberFilter(field_name="leave_type_id")
    office_id = django_filters.NumberFilter(field_name="offices", label="Assigned to this office")
    active = django_filters.BooleanFilter()

    class Meta:
        model = LeavePolicy
        fields = ["leave_type_id", "active"]


class HolidayGroupFilterSet(BaseFilterSet):
    office_id = django_filters.NumberFilter(field_name="offices", label="Used by this office")

    class Meta:
        model = HolidayGroup
        fields = []


class _EmployeeFilters(BaseFilterSet):
    employee_id = django_filters.NumberFilter(field_name="employee_id")
    leave_type_id = django_filters.NumberFilter(field_name="leave_type_id")
    office_id = django_filters.NumberFilter(field_name="employee__office_id", label="The employee's office")
    role = django_filters.ChoiceFilter(
        field_name="employee__membership__role", choices=Role.choices, label="Role of the employee's login"
    )


class LeaveBalanceFilterSet(_EmployeeFilters):
    status = django_filters.ChoiceFilter(
        field_name="employee__status", choices=EmployeeStatus.choices, label="The employee's status"
    )
    as_of = django_filters.DateFilter(method="filter_as_of", label="Balances as of this day (default: today)")

    class Meta:
        model = LeaveAccount
        fields = []

    def filter_as_of(self, queryset, name, value):
        return queryset  # the balances are computed as of this day by the selector (the view passes it)


class LeaveLedgerFilterSet(BaseFilterSet):
    kind = django_filters.ChoiceFilter(choices=LedgerKind.choices)
    effective_after = django_filters.DateFilter(field_name="effective_date", lookup_expr="gte")
    effective_before = django_filters.DateFilter(field_name="effective_date", lookup_expr="lte")

    class Meta:
        model = LeaveLedgerEntry
        fields = ["kind"]


class LeaveRequestFilterSet(_EmployeeFilters):
    status = django_filters.ChoiceFilter(choices=LeaveRequestStatus.choices)
    starts_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte", label="Starts on or before")
    ends_after = django_filters.DateFilter(field_name="end_date", lookup_expr="gte", label="Ends on or after")

    class Meta:
        model = LeaveRequest
        fields = ["status"]
