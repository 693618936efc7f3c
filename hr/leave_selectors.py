"""Reads of leave (issue 16), re-exported by :mod:`hr.selectors` (other apps call them there):
holidays, work schedules, approved leave per day (payroll pays it, timesheets show it), balances.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from organisations.actors import Actor
from trackyoursheets.api.filters import apply_filterset
from trackyoursheets.bulk import filter_in

from .choices import LeaveRequestStatus, LedgerKind
from .filters import LeaveBalanceFilterSet, LeavePolicyFilterSet, LeaveRequestFilterSet
from .leave_days import LeaveCount, count_leave
from .models import (
    DEFAULT_WEEK,
    Employee,
    Holiday,
    HolidayGroup,
    LeaveAccount,
    LeaveLedgerEntry,
    LeavePolicy,
    LeaveRequest,
    LeaveType,
    WorkSchedule,
)

__all__ = [
    "HolidayDay",
    "ApprovedLeaveDay",
    "holidays_between",
    "work_schedule_for",
    "work_schedules_for",
    "approved_leave_hours",
    "leave_count_for",
    "leave_type_list",
    "leave_policy_list",
    "holiday_group_list",
    "leave_balance_list",
    "leave_ledger_list",
    "leave_request_list",
    "leave_request_get",
    "leave_requests_to_decide",
    "team_absences",
]

_HOURS = DecimalField(max_digits=12, decimal_places=2)
_ZERO = Value(Decimal("0"), output_field=_HOURS)
#: the ledger rows of leave taken (net of cancellations)
_USED = (LedgerKind.USAGE, LedgerKind.CANCELLATION)


@dataclass(frozen=True)
class HolidayDay:
    date: datetime.date
    name: str
    half_day: bool
    group_id: int


def _groups_for(organisation, office) -> QuerySet[HolidayGroup]:
    """Groups that apply: organisation-wide ones (no offices) and, for an office, its own."""
    groups = HolidayGroup.objects.for_organisation(organisation)
    applies = Q(offices__isnull=True)
    if office is not None:
        applies |= Q(offices=office)
    return groups.filter(applies)


def holidays_between(organisation, start: datetime.date, end: datetime.date, office=None) -> list[HolidayDay]:
    """Dated holidays from ``start`` to ``end`` (inclusive) of the groups that apply to ``office``
    (with ``office=None``: the organisation-wide groups), oldest first. A date in two groups is
    listed once, as a full day when either says so."""
    rows = (
        Holiday.objects.filter(
            organisation=organisation,
            date__gte=start,
            date__lte=end,
            group__in=_groups_for(organisation, office).values("pk"),
        )
        .order_by("date", "half_day", "id")
        .values_list("date", "name", "half_day", "group_id")
    )
    seen: dict[datetime.date, HolidayDay] = {}
    for date, name, half_day, group_id in rows:
        seen.setdefault(date, HolidayDay(date=date, name=name, half_day=half_day, group_id=group_id))
    return list(seen.values())


def work_schedule_for(employee: Employee) -> tuple[Decimal, ...]:
    """The employee's scheduled hours Monday to Sunday (Monday–Friday 8 h when none is set)."""
    schedule = WorkSchedule.objects.filter(employee_id=employee.pk).first()
    return schedule.hours if schedule is not None else DEFAULT_WEEK


def work_schedules_for(employee_ids) -> dict[int, tuple[Decimal, ...]]:
    """:func:`work_schedule_for` of many employees at once (one query): id -> hours Monday to Sunday."""
    ids = list(employee_ids)
    found = {s.employee_id: s.hours for s in filter_in(WorkSchedule.objects.all(), "employee_id", ids)}
    return {pk: found.get(pk, DEFAULT_WEEK) for pk in ids}


def leave_count_for(
    *, employee: Employee, start: datetime.date, end: datetime.date, unit: str, hours_per_day=None
) -> LeaveCount:
    """The working days and hours of a leave request (schedule and holidays applied)."""
    holidays = {
        day.date: day.half_day for day in holidays_between(employee.organisation, start, end, office=employee.office)
    }
    return count_leave(
        week=work_schedule_for(employee),
        holidays=holidays,
        start=start,
        end=end,
        unit=unit,
        hours_per_day=hours_per_day,
    )


@dataclass(frozen=True)
class ApprovedLeaveDay:
    request_id: int
    employee_id: int
    leave_type_id: int
    date: datetime.date
    hours: Decimal
    paid: bool
    pay_code_name: str


def approved_leave_hours(
    organisation, start: datetime.date, end: datetime.date, employee_ids=None
) -> list[ApprovedLeaveDay]:
    """Approved leave per request and local day from ``start`` to ``end`` (inclusive): its hours,
    whether it is paid and the pay code name payroll pays it under. One query."""
    requests = LeaveRequest.objects.filter(
        organisation=organisation, status=LeaveRequestStatus.APPROVED, start_date__lte=end, end_date__gte=start
    ).select_related("leave_type")
    if employee_ids is not None:
        requests = filter_in(requests, "employee_id", employee_ids)
    result = []
    for request in requests.order_by("employee_id", "start_date", "id"):
        for date_text, hours in request.days:
            date = datetime.date.fromisoformat(date_text)
            if start <= date <= end:
                result.append(
                    ApprovedLeaveDay(
                        request_id=request.pk,
                        employee_id=request.employee_id,
                        leave_type_id=request.leave_type_id,
                        date=date,
                        hours=Decimal(hours),
                        paid=request.leave_type.paid,
                        pay_code_name=request.leave_type.pay_code_name or request.leave_type.name,
                    )
                )
    result.sort(key=lambda day: (day.employee_id, day.date, day.request_id))
    return result


# =============================================================================
# Lists (REST, GraphQL, pages)
# =============================================================================


def leave_type_list(*, actor: Actor) -> QuerySet[LeaveType]:
    return LeaveType.objects.for_organisation(actor.organisation)


def leave_policy_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[LeavePolicy]:
    qs = (
        LeavePolicy.objects.for_organisation(actor.organisation)
        .select_related("leave_type")
        .prefetch_related("offices", "employees")
        .order_by("name", "id")
    )
    return apply_filterset(LeavePolicyFilterSet, filters, qs) if filters else qs


def holiday_group_list(*, actor: Actor) -> QuerySet[HolidayGroup]:
    return (
        HolidayGroup.objects.for_organisation(actor.organisation)
        .prefetch_related("offices", "holidays")
        .order_by("name", "id")
    )


def _ledger_sum(as_of: datetime.date | None, kinds=None, *, after: bool = False):
    rows = LeaveLedgerEntry.objects.filter(account_id=OuterRef("pk"))
    if as_of is not None:
        rows = rows.filter(effective_date__gt=as_of) if after else rows.filter(effective_date__lte=as_of)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    total = rows.order_by().values("account_id").annotate(total=Sum("hours")).values("total")
    return Coalesce(Subquery(total, output_field=_HOURS), _ZERO)


def leave_balance_list(
    *, actor: Actor, as_of: datetime.date | None = None, filters: dict | None = None
) -> QuerySet[LeaveAccount]:
    """Balances the actor may see, each annotated (one query per page whatever its size):
    ``balance`` (the ledger's sum as of the date), ``used`` (usage net of cancellations),
    ``pending`` (hours of requests awaiting a decision) and ``available`` (balance − pending −
    approved leave dated after the day). ``filters`` (GraphQL) may carry ``as_of``."""
    if filters and filters.get("as_of") and as_of is None:
        as_of = filters["as_of"]
        as_of = datetime.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    pending = (
        LeaveRequest.objects.filter(
            employee_id=OuterRef("employee_id"),
            leave_type_id=OuterRef("leave_type_id"),
            status=LeaveRequestStatus.REQUESTED,
        )
        .order_by()
        .values("employee_id")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    qs = (
        LeaveAccount.objects.visible_to(actor)
        .select_related("employee__office", "leave_type")
        .annotate(
            balance=_ledger_sum(as_of),
            used_net=_ledger_sum(as_of, _USED),
            pending=Coalesce(Subquery(pending, output_field=_HOURS), _ZERO),
            # approved leave still to come (usage is dated on the leave's days): not in the balance
            # as of the day, but no longer available either
            upcoming=_ledger_sum(as_of, _USED, after=True) if as_of is not None else _ZERO,
        )
        .annotate(available=F("balance") - F("pending") + F("upcoming"))
        .order_by("employee__last_name", "employee__first_name", "employee_id", "leave_type__name", "id")
    )
    return apply_filterset(LeaveBalanceFilterSet, filters, qs) if filters else qs


def leave_ledger_list(*, account: LeaveAccount) -> QuerySet[LeaveLedgerEntry]:
    return account.entries.select_related("request").order_by("effective_date", "id")


def leave_request_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[LeaveRequest]:
    qs = (
        LeaveRequest.objects.visible_to(actor)
        .select_related("employee__office", "employee__membership", "leave_type")
        .order_by("-start_date", "-id")
    )
    return apply_filterset(LeaveRequestFilterSet, filters, qs) if filters else qs


def leave_requests_to_decide(*, actor: Actor) -> QuerySet[LeaveRequest]:
    """Requests awaiting a decision that the actor may see, not their own (the approval inbox)."""
    rows = leave_request_list(actor=actor).filter(status=LeaveRequestStatus.REQUESTED).order_by("start_date", "id")
    if actor.membership is not None:
        rows = rows.exclude(employee__membership=actor.membership)
    return rows


@dataclass(frozen=True)
class AbsenceRow:
    employee: Employee
    #: one cell per day of the month: None, or (request, hours)
    days: list


def team_absences(*, actor: Actor, first: datetime.date, last: datetime.date) -> list[AbsenceRow]:
    """The people (visible to the actor) with requested or approved leave between the two days,
    each with a cell per day: the team absence calendar. Two queries."""
    requests = list(
        leave_request_list(actor=actor)
        .filter(
            status__in=(LeaveRequestStatus.REQUESTED, LeaveRequestStatus.APPROVED),
            start_date__lte=last,
            end_date__gte=first,
        )
        .order_by("employee__last_name", "employee__first_name", "employee_id", "start_date")
    )
    span = (last - first).days + 1
    rows: dict[int, AbsenceRow] = {}
    for request in requests:
        row = rows.setdefault(request.employee_id, AbsenceRow(employee=request.employee, days=[None] * span))
        for date_text, hours in request.days:
            index = (datetime.date.fromisoformat(date_text) - first).days
            if 0 <= index < span:
                row.days[index] = (request, hours)
    return list(rows.values())


def leave_request_get(*, actor: Actor, pk: int) -> LeaveRequest:
    return leave_request_list(actor=actor).get(pk=pk)
