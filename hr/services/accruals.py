"""Accruals (issue 16 point 3): leave earned, posted as ledger rows, never twice.

Every accrual row carries an ``accrual_key`` (``month:2026-03``, ``annual:2026``,
``timesheet:2026-03-02``, ``carry-over:2025``, ``expiry:2025``), unique per account in the
database: posting again (a second task run, a re-approved timesheet) inserts nothing.

- monthly: month *m* posts ``round(annual × Σf₁..fₘ / 12) − round(annual × Σf₁..fₘ₋₁ / 12)``,
  where *f* is the share of the month the person was employed (1 for a full month; joiners and
  leavers prorated when the policy says so), so twelve full months are the annual amount to the
  cent of an hour whatever the rounding of each month;
- annual grant: the whole amount on the grant date; a joiner after it gets the share of the
  grant year left on their hire date (when prorated);
- per timesheet period / per hour worked: posted by :func:`accrue_for_timesheets`, called by
  timetracking when a timesheet is approved;
- per pay period: posted by :func:`accrue_for_pay_periods`, called by payroll when a scheduled
  run is marked paid (key ``pay-period:<start>``; hr never imports payroll);
- a maximum balance caps what is posted; at year end the balance over the carry-over cap goes
  (a carry-over row), and carried hours still unused at the expiry date lapse (an expiry row).

The policy of an employee for a leave type is the most specific active one: assigned to them,
else to their role, else to their office, else assigned to nobody (everyone).
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from ..choices import AccrualMethod, EmployeeStatus, LedgerKind
from ..leave_days import hours_round
from ..models import Employee, LeaveAccount, LeaveLedgerEntry, LeavePolicy

__all__ = [
    "accrue_for_hours_worked",
    "accrue_for_pay_periods",
    "accrue_for_timesheets",
    "annual_grant_amount",
    "month_fractions",
    "monthly_amount",
    "policy_for",
    "post_accruals",
    "post_year_end",
]

ZERO = Decimal("0")
ONE = Decimal("1")
TIMESHEET_METHODS = (AccrualMethod.PER_TIMESHEET_PERIOD, AccrualMethod.PER_HOUR_WORKED)
PAY_PERIOD_METHODS = (AccrualMethod.PER_PAY_PERIOD,)
CALENDAR_METHODS = (AccrualMethod.MONTHLY, AccrualMethod.ANNUAL_GRANT)


# =============================================================================
# Arithmetic (pure: the property tests drive these)
# =============================================================================


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def month_fractions(
    year: int, hire: datetime.date | None, termination: datetime.date | None, *, prorate: bool = True
) -> list[Decimal]:
    """The share of each month of ``year`` the person was employed (exact fractions)."""
    result = []
    for month in range(1, 13):
        first, last = datetime.date(year, month, 1), _month_end(year, month)
        start = max(first, hire) if hire else first
        end = min(last, termination) if termination else last
        if end < start:
            result.append(ZERO)
        elif not prorate or (start == first and end == last):
            result.append(ONE)
        else:
            result.append(Decimal((end - start).days + 1) / Decimal(last.day))
    return result


def monthly_amount(annual: Decimal, fractions: list[Decimal], month: int) -> Decimal:
    """What month ``month`` (1-12) posts: the rounded running total minus the previous one."""

    def running(m: int) -> Decimal:
        return hours_round(annual * sum(fractions[:m], ZERO) / 12)

    return running(month) - running(month - 1)


def annual_grant_amount(
    annual: Decimal, grant: datetime.date, next_grant: datetime.date, hire: datetime.date | None, *, prorate: bool
) -> Decimal:
    """The grant of the year starting ``grant``: whole, or a joiner's share of what is left."""
    if hire is None or hire <= grant or not prorate:
        return annual
    return hours_round(annual * Decimal((next_grant - hire).days) / Decimal((next_grant - grant).days))


def _grant_date(policy: LeavePolicy, year: int) -> datetime.date:
    return datetime.date(year, policy.grant_month, policy.grant_day)


# =============================================================================
# Policy resolution
# =============================================================================


class _Policies:
    """The organisation's active policies, read once, resolved per employee without queries."""

    def __init__(self, organisation, methods=None, leave_type_id=None):
        qs = LeavePolicy.objects.for_organisation(organisation).filter(active=True, leave_type__active=True)
        if methods is not None:
            qs = qs.filter(accrual_method__in=methods)
        if leave_type_id is not None:
            qs = qs.filter(leave_type_id=leave_type_id)
        self.policies = list(qs.select_related("leave_type").prefetch_related("offices", "employees").order_by("id"))
        self.employee_ids = {p.pk: {e.pk for e in p.employees.all()} for p in self.policies}
        self.office_ids = {p.pk: {o.pk for o in p.offices.all()} for p in self.policies}
        self.by_type: dict[int, list[LeavePolicy]] = defaultdict(list)
        for policy in self.policies:
            self.by_type[policy.leave_type_id].append(policy)

    def _rank(self, policy, employee_id, office_id, role) -> int | None:
        if employee_id in self.employee_ids[policy.pk]:
            return 3
        if role and role in (policy.roles or []):
            return 2
        if office_id and office_id in self.office_ids[policy.pk]:
            return 1
        if not self.employee_ids[policy.pk] and not self.office_ids[policy.pk] and not policy.roles:
            return 0
        return None

    def resolve(self, leave_type_id, employee_id, office_id, role) -> LeavePolicy | None:
        best, best_rank = None, -1
        for policy in self.by_type.get(leave_type_id, ()):
            rank = self._rank(policy, employee_id, office_id, role)
            if rank is not None and rank > best_rank:
                best, best_rank = policy, rank
        return best

    def for_employee(self, employee_id, office_id, role) -> list[LeavePolicy]:
        found = (self.resolve(type_id, employee_id, office_id, role) for type_id in self.by_type)
        return [policy for policy in found if policy is not None]


def _role(employee: Employee) -> str | None:
    return employee.membership.role if employee.membership is not None else None


def policy_for(employee: Employee, leave_type) -> LeavePolicy | None:
    """The policy that governs ``employee``'s leave of ``leave_type`` (or None)."""
    return _Policies(employee.organisation_id, leave_type_id=leave_type.pk).resolve(
        leave_type.pk, employee.pk, employee.office_id, _role(employee)
    )


# =============================================================================
# Posting
# =============================================================================


def _accounts(organisation_id: int, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Account ids of (employee, leave type) pairs, the missing ones created (a fixed number of statements)."""
    employee_ids = {employee_id for employee_id, _type in pairs}
    type_ids = {type_id for _employee, type_id in pairs}

    def read():
        rows = LeaveAccount.objects.filter(employee_id__in=employee_ids, leave_type_id__in=type_ids)
        return {(e, t): pk for pk, e, t in rows.values_list("pk", "employee_id", "leave_type_id")}

    found = read()
    missing = pairs - set(found)
    if missing:
        LeaveAccount.objects.bulk_create(
            [LeaveAccount(organisation_id=organisation_id, employee_id=e, leave_type_id=t) for e, t in missing],
            ignore_conflicts=True,
            batch_size=2000,
        )
        found = read()
    return found


def _balances(account_ids) -> dict[int, Decimal]:
    rows = (
        LeaveLedgerEntry.objects.filter(account_id__in=list(account_ids))
        .values("account_id")
        .annotate(total=Sum("hours"))
        .values_list("account_id", "total")
    )
    return {account_id: total or ZERO for account_id, total in rows}


class _Poster:
    """Collects rows, applies maximum balances, writes them in bulk (existing keys skipped)."""

    def __init__(self, organisation_id: int, account_ids, keys, *, need_balances: bool):
        self.organisation_id = organisation_id
        # by organisation and key (no list of every account in the statement); others' rows are harmless
        self.existing = set(
            LeaveLedgerEntry.objects.filter(organisation_id=organisation_id, accrual_key__in=list(keys)).values_list(
                "account_id", "accrual_key"
            )
        )
        self.balances = _balances(account_ids) if need_balances else {}
        self.rows: list[LeaveLedgerEntry] = []

    def add(self, policy, account_id, key, hours, date, reason, kind=LedgerKind.ACCRUAL) -> None:
        if (account_id, key) in self.existing or not hours:
            return
        if kind == LedgerKind.ACCRUAL and policy.max_balance_hours is not None:
            room = max(ZERO, policy.max_balance_hours - self.balances.get(account_id, ZERO))
            hours = min(hours, room)
            if hours <= 0:
                return
        self.existing.add((account_id, key))
        self.balances[account_id] = self.balances.get(account_id, ZERO) + hours
        self.rows.append(
            LeaveLedgerEntry(
                organisation_id=self.organisation_id,
                account_id=account_id,
                kind=kind,
                hours=hours,
                effective_date=date,
                reason=reason[:1000],
                accrual_key=key,
                created_by_label="system",
            )
        )

    def write(self) -> int:
        LeaveLedgerEntry.objects.bulk_create(self.rows, ignore_conflicts=True, batch_size=2000)
        return len(self.rows)


def _months_due(on: datetime.date) -> list[tuple[int, int]]:
    """The twelve months that ended on or before ``on`` (a missed run catches up)."""
    year, month = on.year, on.month
    if _month_end(year, month) > on:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months = []
    for _step in range(12):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _people(organisation, since: datetime.date):
    return (
        Employee.objects.for_organisation(organisation)
        .filter(Q(termination_date__isnull=True) | Q(termination_date__gte=since))
        .exclude(status=EmployeeStatus.TERMINATED, termination_date__isnull=True)
        .values_list("pk", "office_id", "membership__role", "hire_date", "termination_date")
    )


@transaction.atomic
def post_accruals(*, organisation, on: datetime.date) -> int:
    """Post the monthly accruals of the months that ended by ``on`` and the annual grants due by
    then, for every employee with such a policy. Idempotent; returns the number of rows posted."""
    policies = _Policies(organisation, methods=CALENDAR_METHODS)
    if not policies.policies:
        return 0
    months = _months_due(on)
    people = list(_people(organisation, datetime.date(months[0][0], months[0][1], 1)))
    plans = []
    for employee_id, office_id, role, hire, termination in people:
        for policy in policies.for_employee(employee_id, office_id, role):
            plans.append((employee_id, hire, termination, policy))
    accounts = _accounts(organisation.pk, {(e, p.leave_type_id) for e, _h, _t, p in plans})
    keys = {f"month:{y}-{m:02d}" for y, m in months} | {f"annual:{y}" for y in (on.year - 1, on.year)}
    poster = _Poster(
        organisation.pk,
        set(accounts.values()),
        keys,
        need_balances=any(p.max_balance_hours is not None for p in policies.policies),
    )
    amounts: dict = {}  # most people share their months' amounts (full months): computed once

    def amount(policy, year, month, hire, termination) -> Decimal:
        fractions = tuple(month_fractions(year, hire, termination, prorate=policy.prorate_joiners))
        key = (policy.annual_hours, fractions, month)
        if key not in amounts:
            amounts[key] = monthly_amount(policy.annual_hours, list(fractions), month)
        return amounts[key]

    month_keys = [(year, month, f"month:{year}-{month:02d}", _month_end(year, month)) for year, month in months]
    for employee_id, hire, termination, policy in plans:
        account_id = accounts[(employee_id, policy.leave_type_id)]
        if policy.accrual_method == AccrualMethod.MONTHLY:
            for year, month, key, end in month_keys:
                if end < policy.starts_on or (account_id, key) in poster.existing:
                    continue
                poster.add(policy, account_id, key, amount(policy, year, month, hire, termination), end, policy.name)
        else:
            _post_grant(poster, policy, account_id, hire, termination, on)
    return poster.write()


def _post_grant(poster, policy, account_id, hire, termination, on) -> None:
    grant = _grant_date(policy, on.year)
    if grant > on:
        grant = _grant_date(policy, on.year - 1)
    following = _grant_date(policy, grant.year + 1)
    if (termination and termination < grant) or (hire and hire >= following):
        return
    effective = max(grant, hire) if hire else grant
    if effective > on or grant < policy.starts_on:
        return
    hours = annual_grant_amount(policy.annual_hours, grant, following, hire, prorate=policy.prorate_joiners)
    poster.add(policy, account_id, f"annual:{grant.year}", hours, effective, policy.name)


@transaction.atomic
def post_year_end(*, organisation, on: datetime.date) -> int:
    """Year-end of the year before ``on``: the balance over the carry-over cap goes (on 1 January),
    and carried hours not used by the policy's expiry date lapse (once that date has passed)."""
    policies = _Policies(organisation)
    capped = [p for p in policies.policies if p.carry_over_cap_hours is not None or p.carry_over_expiry_months]
    if not capped:
        return 0
    year = on.year - 1
    new_year = datetime.date(year + 1, 1, 1)
    accounts = list(
        LeaveAccount.objects.for_organisation(organisation)
        .filter(leave_type_id__in={p.leave_type_id for p in capped})
        .values_list("pk", "employee_id", "leave_type_id", "employee__office_id", "employee__membership__role")
    )
    ids = [row[0] for row in accounts]
    closing = dict(
        LeaveLedgerEntry.objects.filter(account_id__in=ids, effective_date__lte=datetime.date(year, 12, 31))
        .values("account_id")
        .annotate(total=Sum("hours"))
        .values_list("account_id", "total")
    )
    poster = _Poster(organisation.pk, ids, {f"carry-over:{year}", f"expiry:{year}"}, need_balances=False)
    for account_id, employee_id, type_id, office_id, role in accounts:
        policy = policies.resolve(type_id, employee_id, office_id, role)
        if policy is None or policy not in capped:
            continue
        balance = closing.get(account_id) or ZERO
        carried = balance
        cap = policy.carry_over_cap_hours
        if cap is not None and balance > cap:
            carried = cap
            reason = f"Carried {cap} h of {balance} h into {year + 1}; the rest lapses"
            poster.add(policy, account_id, f"carry-over:{year}", cap - balance, new_year, reason, LedgerKind.CARRY_OVER)
        if policy.carry_over_expiry_months and carried > 0:
            expiry = _month_end(year + 1, policy.carry_over_expiry_months)
            if on > expiry:
                used = -(
                    LeaveLedgerEntry.objects.filter(
                        account_id=account_id,
                        kind__in=(LedgerKind.USAGE, LedgerKind.CANCELLATION),
                        effective_date__gte=new_year,
                        effective_date__lte=expiry,
                    ).aggregate(total=Sum("hours"))["total"]
                    or ZERO
                )
                lapse = carried - max(used, ZERO)
                if lapse > 0:
                    reason = f"Carried hours from {year} not used by {expiry.isoformat()}"
                    poster.add(policy, account_id, f"expiry:{year}", -lapse, expiry, reason, LedgerKind.EXPIRY)
    return poster.write()


def accrue_for_timesheets(*, organisation, items) -> int:
    """Post the per-timesheet-period and per-hour-worked accruals of approved timesheets.
    ``items`` holds ``(employee, period_start, period_end, hours_worked)``; a period already
    accrued posts nothing again. Called by timetracking's timesheet approval (in its transaction)."""
    return _accrue_periods(organisation, list(items), TIMESHEET_METHODS, "timesheet")


def accrue_for_pay_periods(*, organisation, items) -> int:
    """Post the per-pay-period accruals (``hours_per_period``) of paid pay periods. ``items`` holds
    ``(employee, period_start, period_end)``; a period already accrued posts nothing again. Called
    by payroll when a scheduled run is marked paid (in its transaction)."""
    return _accrue_periods(
        organisation, [(e, start, end, ZERO) for e, start, end in items], PAY_PERIOD_METHODS, "pay-period"
    )


def _accrue_periods(organisation, items, methods, prefix: str) -> int:
    if not items:
        return 0
    policies = _Policies(organisation, methods=methods)
    if not policies.policies:
        return 0
    roles = dict(
        Employee.objects.filter(pk__in={employee.pk for employee, *_rest in items}).values_list(
            "pk", "membership__role"
        )
    )
    plans = []
    for employee, start, end, worked in items:
        for policy in policies.for_employee(employee.pk, employee.office_id, roles.get(employee.pk)):
            plans.append((employee.pk, start, end, Decimal(worked), policy))
    if not plans:
        return 0
    accounts = _accounts(organisation.pk, {(e, p.leave_type_id) for e, _s, _e, _w, p in plans})
    keys = {f"{prefix}:{start.isoformat()}" for _e, start, _end, _w, _p in plans}
    poster = _Poster(
        organisation.pk,
        set(accounts.values()),
        keys,
        need_balances=any(p.max_balance_hours is not None for _e, _s, _end, _w, p in plans),
    )
    for employee_id, start, end, worked, policy in plans:
        if policy.accrual_method == AccrualMethod.PER_HOUR_WORKED:
            hours = hours_round(worked * policy.hours_per_hour_worked)
            reason = f"{policy.name}: {worked} h worked {start.isoformat()}–{end.isoformat()}"
        else:
            hours = policy.hours_per_period
            what = "pay period" if prefix == "pay-period" else "period"
            reason = f"{policy.name}: {what} {start.isoformat()}–{end.isoformat()}"
        account_id = accounts[(employee_id, policy.leave_type_id)]
        poster.add(policy, account_id, f"{prefix}:{start.isoformat()}", hours, end, reason)
    return poster.write()


def accrue_for_hours_worked(
    *, employee: Employee, period_start: datetime.date, period_end: datetime.date, hours_worked: Decimal
) -> int:
    """One approved timesheet's accruals (see :func:`accrue_for_timesheets`)."""
    return accrue_for_timesheets(
        organisation=employee.organisation, items=[(employee, period_start, period_end, hours_worked)]
    )
