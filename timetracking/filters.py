"""FilterSets of time tracking, shared by REST, GraphQL and pages (STYLE §4.1)."""

from __future__ import annotations

import datetime
import zoneinfo

import django_filters
from django import forms
from django.db.models import BooleanField, Exists, Expression, F, OuterRef, Q
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from organisations.choices import MembershipStatus, Role
from organisations.models import WorkspaceAgent
from organisations.office_zones import office_time_zones
from trackyoursheets.api.filters import BaseFilterSet
from trackyoursheets.limits import date_out_of_range

from .choices import (
    EntrySource,
    ExpenseStatus,
    ProjectStatus,
    RateKind,
    TaskPriority,
    TaskStatus,
    TimeRequestStatus,
    TimesheetStatus,
)
from .models import (
    Client,
    Contract,
    Expense,
    ExpenseCategory,
    Project,
    ProjectViewer,
    RateChange,
    Task,
    TimeEntry,
    TimeRequest,
    Timesheet,
    local_day_bounds,
    normalise_tags,
)


class ClientFilterSet(BaseFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    email = django_filters.CharFilter(lookup_expr="iexact")
    company = django_filters.CharFilter(lookup_expr="icontains")
    archived = django_filters.BooleanFilter()
    status = django_filters.ChoiceFilter(
        choices=(("active", "Active"), ("archived", "Archived")), method="filter_status", label="active or archived"
    )

    class Meta:
        model = Client
        fields = ["name", "email", "company", "archived"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(archived=(value == "archived"))


class ProjectFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices)
    client_id = django_filters.NumberFilter(field_name="client_id")
    name = django_filters.CharFilter(lookup_expr="icontains")
    billable = django_filters.BooleanFilter()

    class Meta:
        model = Project
        fields = ["status", "client_id", "name", "billable"]


class TaskFilterSet(BaseFilterSet):
    project_id = django_filters.NumberFilter(field_name="project_id")
    client_id = django_filters.NumberFilter(field_name="project__client_id")
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    priority = django_filters.TypedChoiceFilter(choices=TaskPriority.choices, coerce=int)
    assignee_id = django_filters.NumberFilter(field_name="assignee_id")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Task
        fields = ["project_id", "client_id", "status", "priority", "assignee_id", "name"]


class ContractFilterSet(BaseFilterSet):
    employee_id = django_filters.NumberFilter(field_name="employee_id")
    project_id = django_filters.NumberFilter(field_name="project_id")
    office_id = django_filters.NumberFilter(field_name="employee__office_id", label="The employee's office")
    role = django_filters.ChoiceFilter(
        choices=Role.choices, field_name="employee__membership__role", label="Role of the employee's login"
    )
    workspace_id = django_filters.NumberFilter(
        method="filter_workspace", label="The employee's login is an agent of this workspace"
    )

    class Meta:
        model = Contract
        fields = ["employee_id", "project_id"]

    def filter_workspace(self, queryset, name, value):
        links = WorkspaceAgent.objects.filter(membership_id=OuterRef("employee__membership_id"), workspace_id=value)
        return queryset.filter(Exists(links))


class DayOrInstantField(forms.CharField):
    """``YYYY-MM-DD`` (a local day) or an ISO 8601 instant with an offset or ``Z``."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        text = value.strip()
        if "T" in text or " " in text:
            parsed = parse_datetime(text.replace(" ", "T"))
            if parsed is None or parsed.tzinfo is None:
                raise forms.ValidationError("Use YYYY-MM-DD or an ISO 8601 date-time with an offset (Z).")
            return _in_range(parsed)
        try:
            parsed_date = parse_date(text)
        except ValueError:
            parsed_date = None
        if parsed_date is None:
            raise forms.ValidationError("Use YYYY-MM-DD or an ISO 8601 date-time with an offset (Z).")
        return _in_range(parsed_date)


def _in_range(value):
    problem = date_out_of_range(value)
    if problem:
        raise forms.ValidationError(problem)
    return value


@extend_schema_field(OpenApiTypes.STR)
class DayOrInstantFilter(django_filters.Filter):
    field_class = DayOrInstantField

    def filter(self, qs, value):
        return qs  # applied together with its pair in TimeEntryFilterSet.filter_queryset


class TimeEntryFilterSet(BaseFilterSet):
    """The TimeTracker filters. ``start_date``/``end_date`` are local days (inclusive) in each
    employee's office timezone (or the organisation's), or instants; running timers are left out
    unless ``include_active=true``."""

    project_id = django_filters.NumberFilter(field_name="project_id")
    task_id = django_filters.NumberFilter(field_name="task_id")
    client_id = django_filters.NumberFilter(field_name="project__client_id")
    employee_id = django_filters.NumberFilter(field_name="employee_id")
    user_id = django_filters.NumberFilter(field_name="employee__membership__user_id", label="The employee's login")
    office_id = django_filters.NumberFilter(field_name="employee__office_id", label="The employee's office")
    workspace_id = django_filters.NumberFilter(
        method="filter_workspace", label="The employee's login is an agent of this workspace"
    )
    role = django_filters.ChoiceFilter(
        choices=Role.choices, field_name="employee__membership__role", label="Role of the employee's login"
    )
    start_date = DayOrInstantFilter(label="Started on or after this day (YYYY-MM-DD) or instant")
    end_date = DayOrInstantFilter(label="Started on or before this day (YYYY-MM-DD) or before this instant")
    billable = django_filters.BooleanFilter()
    paid = django_filters.BooleanFilter()
    source = django_filters.ChoiceFilter(choices=EntrySource.choices)
    include_active = django_filters.BooleanFilter(method="filter_nothing", label="Include running timers")
    tags = django_filters.CharFilter(method="filter_tags", label="Comma-separated; entries carrying every tag")

    class Meta:
        model = TimeEntry
        fields = [
            "project_id",
            "task_id",
            "client_id",
            "employee_id",
            "user_id",
            "billable",
            "paid",
            "source",
        ]

    def __init__(self, data=None, queryset=None, *, request=None, organisation=None, **kwargs):
        super().__init__(data=data, queryset=queryset, request=request, **kwargs)
        actor = getattr(request, "auth", None) if request is not None else None
        self.organisation = organisation or getattr(actor, "organisation", None)

    def get_form_class(self):
        """The form class is built from the declared filters, which never vary by request: build
        it once per FilterSet class instead of once per request (a class and fourteen form fields;
        each form still deep-copies its fields, so nothing is shared between requests)."""
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            cls._form_class = form_class
        return form_class

    def filter_workspace(self, queryset, name, value):
        links = WorkspaceAgent.objects.filter(membership_id=OuterRef("employee__membership_id"), workspace_id=value)
        return queryset.filter(Exists(links))

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_tags(self, queryset, name, value):
        for tag in normalise_tags(value).split(","):
            if tag:
                queryset = queryset.with_tag(tag)
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if not data.get("include_active"):
            queryset = queryset.filter(end_time__isnull=False)
        start, end = data.get("start_date"), data.get("end_date")
        first = start if isinstance(start, datetime.date) and not isinstance(start, datetime.datetime) else None
        last = end if isinstance(end, datetime.date) and not isinstance(end, datetime.datetime) else None
        if isinstance(start, datetime.datetime):
            queryset = queryset.filter(start_time__gte=start)
        if isinstance(end, datetime.datetime):
            queryset = queryset.filter(start_time__lt=end)
        if first or last:
            queryset = queryset.filter(day_range_q(self.organisation, first, last))
        return queryset


# =============================================================================
# Conditions shared with the selectors
# =============================================================================


def day_range_q(organisation, first: datetime.date | None, last: datetime.date | None) -> Q:
    """Entries that start on the local days ``first``..``last`` (either may be open), each day
    in its employee's office timezone or, without an office, the organisation's. Offices that
    share a timezone share one range; when every office uses the organisation's timezone the
    condition needs no join. The offices' time zones come from the per-process cache of
    :func:`organisations.office_zones.office_time_zones` (no query while no office changes), and the
    condition is one expression (:class:`LocalDays`), not a tree of lookups to build per request."""
    org_tz = organisation.timezone or "UTC"
    other = {zone: ids for zone, ids in office_time_zones(organisation).items() if zone != org_tz}
    if not other:
        return Q(LocalDays(first, last, org_tz))
    return Q(LocalDays(first, last, org_tz, other))


class LocalDays(Expression):
    """The condition of :func:`day_range_q` as SQL written directly: the widest span of all the
    time zones (so the database can use its ``start_time`` indexes), and within it, per time zone
    other than the organisation's, the entries of employees of those offices in that zone's span;
    every other entry (no office, or an office in the organisation's zone) in the organisation's.
    Without ``zones`` it is the organisation's span alone and joins nothing."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, first, last, org_tz: str, zones: dict[str, tuple[int, ...]] | None = None) -> None:
        super().__init__(output_field=BooleanField())
        self.first, self.last, self.zones = first, last, dict(zones or {})
        self.org_span = self._span(org_tz)
        self.zone_spans = [(ids, self._span(zone)) for zone, ids in sorted(self.zones.items())]
        spans = [self.org_span] + [span for _ids, span in self.zone_spans]
        self.hull = (
            min(span[0] for span in spans) if first is not None else None,
            max(span[1] for span in spans) if last is not None else None,
        )
        self.start = F("start_time")
        self.office = F("employee__office_id") if self.zones else None

    def _span(self, zone: str) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        tz = zoneinfo.ZoneInfo(zone or "UTC")
        return (
            local_day_bounds(self.first, self.first, tz)[0] if self.first is not None else None,
            local_day_bounds(self.last, self.last, tz)[1] if self.last is not None else None,
        )

    def get_source_expressions(self):
        return [self.start, self.office] if self.office is not None else [self.start]

    def set_source_expressions(self, exprs):
        self.start = exprs[0]
        if self.office is not None:
            self.office = exprs[1]

    def as_sql(self, compiler, connection, **extra_context):
        start, start_params = compiler.compile(self.start)
        field = TimeEntry._meta.get_field("start_time")
        params: list = [*start_params]  # the column has none; kept for the shape of every part below

        def span(bounds) -> str:
            parts = []
            for bound, operator in zip(bounds, (">=", "<"), strict=True):
                if bound is not None:
                    parts.append(f"{start} {operator} %s")
                    params.append(field.get_db_prep_value(bound, connection))
            return " AND ".join(parts) or "1 = 1"

        hull = span(self.hull)
        if self.office is None:
            return f"({hull})", params
        office, office_params = compiler.compile(self.office)
        branches = []
        for ids, bounds in self.zone_spans:
            params.extend(office_params)
            marks = ", ".join(["%s"] * len(ids))
            params.extend(ids)
            branches.append(f"({office} IN ({marks}) AND {span(bounds)})")
        every = [pk for ids, _bounds in self.zone_spans for pk in ids]
        params.extend(office_params)
        params.extend(office_params)
        params.extend(every)
        marks = ", ".join(["%s"] * len(every))
        branches.append(f"(({office} IS NULL OR {office} NOT IN ({marks})) AND {span(self.org_span)})")
        return f"({hull} AND ({' OR '.join(branches)}))", params


class TimesheetFilterSet(BaseFilterSet):
    """Timesheets (issue 15): the generic filters (``workspace_id`` through the employee's login),
    ``employee_id``, ``user_id``, ``period_start`` (the period's first day) and a day range."""

    employee_id = django_filters.NumberFilter(field_name="employee_id")
    user_id = django_filters.NumberFilter(field_name="employee__membership__user_id", label="The employee's login")
    office_id = django_filters.NumberFilter(field_name="employee__office_id", label="The employee's office")
    workspace_id = django_filters.NumberFilter(
        method="filter_workspace", label="The employee's login is an agent of this workspace"
    )
    role = django_filters.ChoiceFilter(
        choices=Role.choices, field_name="employee__membership__role", label="Role of the employee's login"
    )
    status = django_filters.ChoiceFilter(choices=TimesheetStatus.choices)
    period_start = django_filters.DateFilter(field_name="period_start", label="The period's first day (YYYY-MM-DD)")
    period_after = django_filters.DateFilter(
        field_name="period_end", lookup_expr="gte", label="Periods ending on or after this day"
    )
    period_before = django_filters.DateFilter(
        field_name="period_start", lookup_expr="lte", label="Periods starting on or before this day"
    )

    class Meta:
        model = Timesheet
        fields = ["employee_id", "user_id", "office_id", "status", "period_start"]

    def filter_workspace(self, queryset, name, value):
        agents = WorkspaceAgent.objects.filter(workspace_id=value, membership_id=OuterRef("employee__membership_id"))
        return queryset.filter(Exists(agents))


class TimeRequestFilterSet(BaseFilterSet):
    """Time requests (issue 15 point 3): the generic filters through the employee, ``employee_id``,
    ``user_id``, ``project_id``, ``status`` and the requested span's days."""

    employee_id = django_filters.NumberFilter(field_name="employee_id")
    user_id = django_filters.NumberFilter(field_name="employee__membership__user_id", label="The employee's login")
    project_id = django_filters.NumberFilter(field_name="project_id")
    office_id = django_filters.NumberFilter(field_name="employee__office_id", label="The employee's office")
    workspace_id = django_filters.NumberFilter(
        method="filter_workspace", label="The employee's login is an agent of this workspace"
    )
    role = django_filters.ChoiceFilter(
        choices=Role.choices, field_name="employee__membership__role", label="Role of the employee's login"
    )
    status = django_filters.ChoiceFilter(choices=TimeRequestStatus.choices)
    start_after = django_filters.IsoDateTimeFilter(
        field_name="end_time", lookup_expr="gt", label="Requested time ending after this instant"
    )
    start_before = django_filters.IsoDateTimeFilter(
        field_name="start_time", lookup_expr="lt", label="Requested time starting before this instant"
    )

    class Meta:
        model = TimeRequest
        fields = ["employee_id", "user_id", "project_id", "office_id", "status"]

    def filter_workspace(self, queryset, name, value):
        agents = WorkspaceAgent.objects.filter(workspace_id=value, membership_id=OuterRef("employee__membership_id"))
        return queryset.filter(Exists(agents))


class RateChangeFilterSet(BaseFilterSet):
    """Rate history (issue 15 point 5): by kind and target; ``employee_id``, ``office_id`` and
    ``role`` follow a contract's employee."""

    kind = django_filters.ChoiceFilter(choices=RateKind.choices)
    task_id = django_filters.NumberFilter(field_name="task_id")
    contract_id = django_filters.NumberFilter(field_name="contract_id")
    project_id = django_filters.NumberFilter(field_name="project_id")
    client_id = django_filters.NumberFilter(field_name="client_id")
    employee_id = django_filters.NumberFilter(field_name="contract__employee_id", label="The contract's employee")
    office_id = django_filters.NumberFilter(
        field_name="contract__employee__office_id", label="The office of the contract's employee"
    )
    role = django_filters.ChoiceFilter(
        choices=Role.choices, field_name="contract__employee__membership__role", label="Role of the employee's login"
    )
    effective_on = django_filters.DateFilter(
        field_name="effective_from", lookup_expr="lte", label="Changes in force on or before this day"
    )

    class Meta:
        model = RateChange
        fields = ["kind", "task_id", "contract_id", "project_id", "client_id"]


class ProjectViewerFilterSet(BaseFilterSet):
    project_id = django_filters.NumberFilter(field_name="project_id")
    client_id = django_filters.NumberFilter(field_name="project__client_id")
    membership_id = django_filters.NumberFilter(field_name="membership_id", label="The viewer's membership")
    user_id = django_filters.NumberFilter(field_name="membership__user_id", label="The viewer's login")
    email = django_filters.CharFilter(field_name="membership__user__email", lookup_expr="iexact")
    can_see_amounts = django_filters.BooleanFilter()
    status = django_filters.ChoiceFilter(
        choices=MembershipStatus.choices, field_name="membership__status", label="The viewer's membership status"
    )

    class Meta:
        model = ProjectViewer
        fields = ["project_id", "membership_id", "user_id", "can_see_amounts"]


class ExpenseFilterSet(BaseFilterSet):
    """Expenses (issue 16 point 5): the generic filters through the employee, and by employee,
    login, category, project, client, billable, status and day."""

    employee_id = django_filters.NumberFilter(field_name="employee_id")
    user_id = django_filters.NumberFilter(field_name="employee__membership__user_id", label="The employee's login")
    category_id = django_filters.NumberFilter(field_name="category_id")
    project_id = django_filters.NumberFilter(field_name="project_id")
    client_id = django_filters.NumberFilter(field_name="client_id")
    billable = django_filters.BooleanFilter()
    office_id = django_filters.NumberFilter(field_name="employee__office_id", label="The employee's office")
    workspace_id = django_filters.NumberFilter(
        method="filter_workspace", label="The employee's login is an agent of this workspace"
    )
    role = django_filters.ChoiceFilter(
        choices=Role.choices, field_name="employee__membership__role", label="Role of the employee's login"
    )
    status = django_filters.ChoiceFilter(choices=ExpenseStatus.choices)
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="Expenses on or after this day")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="Expenses on or before this day")

    class Meta:
        model = Expense
        fields = ["employee_id", "user_id", "category_id", "project_id", "client_id", "billable", "status"]

    def filter_workspace(self, queryset, name, value):
        agents = WorkspaceAgent.objects.filter(workspace_id=value, membership_id=OuterRef("employee__membership_id"))
        return queryset.filter(Exists(agents))


class ExpenseCategoryFilterSet(BaseFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    archived = django_filters.BooleanFilter()

    class Meta:
        model = ExpenseCategory
        fields = ["name", "archived"]
