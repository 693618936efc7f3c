"""More source adapters (issue 18 point 3): approved paid leave (:class:`LeaveAdapter`), approved
expenses (:class:`ExpenseAdapter`) and paid holidays (:class:`HolidayAdapter`), registered with
:func:`payroll.services.sources.register_source_adapter`. Each reads in a number of queries that
does not grow with the number of employees (leave: one query; expenses: one; holidays: one per
office with the rule, plus one for the work schedules).

- **Leave**: a request is claimed once (kind ``leave``, the request's id), by the run whose period
  holds its last day, which pays all its days (a workweek likewise belongs to the period it ends
  in). Hourly employees get one line per request and rate, ``hours × pay rate of the day ×
  the pay code's multiplier``, on the pay code named by the leave type (``Vacation``, ``Sick``,
  ... matched by name; unknown names fall back to ``Vacation`` with a warning). Unpaid leave is
  not paid and not claimed. Salaried employees' paid leave is inside their salary: no line, but
  their salary line says so and claims the request.
- **Expenses**: approved, unreimbursed expenses dated up to the period's end, one
  ``Reimbursement`` line per employee (the converted amounts, organisation currency); mark-paid
  reimburses them (``timetracking.services.mark_reimbursed``, reference ``Payroll run <id>``).
- **Paid holidays**: with the overtime rule's ``paid_holidays``, hourly employees scheduled on a
  holiday of their calendars in the period (employed that day) get their scheduled hours (half on
  a half day) under ``Holiday`` at the pay rate of the day × the Holiday code's multiplier.
  Claimed per employee and holiday date (kind ``holiday``, the holiday group as ``object_id``;
  the database keeps one live claim per employee and date): an overlapping off-cycle run leaves
  out a holiday a ready or paid run pays, and is a 409 while a draft holds it."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from hr import selectors as hr_selectors
from timetracking import selectors as time_selectors
from timetracking import services as time_services

from ..choices import PayCodeKind, SourceKind
from ..models import PayCode
from .sources import HOUR, Line, RunContext, SourceAdapter, hours_text, money, register_source_adapter

__all__ = ["LeaveAdapter", "ExpenseAdapter", "HolidayAdapter", "LEAVE_LOOKAROUND"]

#: leave requests are at most a year long: read this far either side of the period to see them whole
LEAVE_LOOKAROUND = datetime.timedelta(days=366)
EARLIEST = datetime.date(1900, 1, 1)


def _leave_codes(ctx: RunContext) -> dict[str, PayCode]:
    """Active pay codes by lower-cased name (the defaults first), one query."""
    codes: dict[str, PayCode] = {}
    rows = PayCode.objects.for_organisation(ctx.organisation).filter(active=True).order_by("-is_default", "id")
    for code in rows:
        codes.setdefault(code.name.strip().lower(), code)
    return codes


class LeaveAdapter(SourceAdapter):
    kind = SourceKind.LEAVE

    def lines(self, ctx: RunContext) -> list[Line]:
        employees = {e.pk: e for e in ctx.employees}
        if not employees:
            return []
        days = hr_selectors.approved_leave_hours(
            ctx.organisation, ctx.first - LEAVE_LOOKAROUND, ctx.last + LEAVE_LOOKAROUND, employee_ids=list(employees)
        )
        requests: dict[int, list] = defaultdict(list)
        for day in days:
            if day.paid:
                requests[day.request_id].append(day)
        # paid by the run whose period holds the request's last day
        requests = {pk: rows for pk, rows in requests.items() if ctx.first <= rows[-1].date <= ctx.last}
        taken = ctx.claimed_elsewhere(self.kind, list(requests))
        requests = {pk: rows for pk, rows in requests.items() if pk not in taken}
        if not requests:
            return []
        hourly = [e for e in employees.values() if e.pay_type != "salary"]
        hourly_ids = {e.pk for e in hourly}
        wanted = sorted({d.date for rows in requests.values() if rows[0].employee_id in hourly_ids for d in rows})
        rates = (
            time_selectors.payroll_time.pay_rates_between(organisation=ctx.organisation, employees=hourly, days=wanted)
            if wanted
            else {}
        )
        codes = _leave_codes(ctx) if wanted else {}
        lines = []
        for pk, rows in sorted(requests.items(), key=lambda item: (item[1][0].employee_id, item[1][0].date)):
            employee_id, last = rows[0].employee_id, rows[-1].date
            hours = sum((d.hours for d in rows), Decimal("0"))
            name = rows[0].pay_code_name
            claim = (self.kind, pk, last)
            if employee_id not in hourly_ids:
                text = f"includes {hours_text(int(hours * HOUR))} h paid leave ({name}, leave request #{pk})"
                ctx.salary_notes[employee_id].append((text, [claim]))
                continue
            lines.extend(self._request_lines(ctx, pk, rows, rates.get(employee_id, {}), codes, claim))
        return lines

    def _request_lines(self, ctx, pk, rows, rates, codes, claim) -> list[Line]:
        employee_id, name = rows[0].employee_id, rows[0].pay_code_name
        code = codes.get(name.strip().lower())
        if code is None:
            message = f"No pay code named {name!r}: the leave is paid as Vacation."
            ctx.warn(employee_id, "unknown_leave_pay_code", message)
            code = codes.get("vacation")
        by_rate: dict[Decimal, int] = defaultdict(int)
        for day in rows:
            rate = rates.get(day.date)
            if rate is None:
                ctx.warn(employee_id, "no_rate", "No hourly pay rate: the time is paid at 0.00.")
                rate = Decimal("0")
            by_rate[rate] += int(day.hours * HOUR)
        multiplier = Decimal(code.multiplier) if code is not None else Decimal("1")
        sources = [{"kind": "leave_request", "id": pk, "url": f"/v1/hr/leave-requests/{pk}"}]
        lines = []
        for position, (rate, seconds) in enumerate(by_rate.items()):
            lines.append(
                Line(
                    employee_id=employee_id,
                    code_kind=code.kind if code is not None and code.is_default else PayCodeKind.VACATION,
                    source_kind=self.kind,
                    seconds=seconds,
                    rate=rate,
                    multiplier=multiplier,
                    amount=money(Decimal(seconds) / HOUR * rate * multiplier),
                    explanation=f"{hours_text(seconds)} h × {rate} × {multiplier} ({name}, leave request #{pk})",
                    sources=sources,
                    claims=[claim] if position == 0 else [],
                    pay_code=code,
                )
            )
        return lines


class ExpenseAdapter(SourceAdapter):
    kind = SourceKind.EXPENSE

    def lines(self, ctx: RunContext) -> list[Line]:
        employees = [e.pk for e in ctx.employees]
        if not employees:
            return []
        rows = list(
            time_selectors.approved_unreimbursed_expenses(
                ctx.organisation, EARLIEST, ctx.last, employee_ids=employees
            ).values_list("pk", "employee_id", "date", "converted_amount", "category__name")
        )
        taken = ctx.claimed_elsewhere(self.kind, [r[0] for r in rows])
        grouped: dict[int, list] = defaultdict(list)
        for row in rows:
            if row[0] not in taken:
                grouped[row[1]].append(row)
        currency = ctx.organisation.currency
        lines = []
        for employee_id, items in grouped.items():
            total = money(sum((Decimal(r[3]) for r in items), Decimal("0")))
            parts = ", ".join(f"{money(r[3])} ({r[4]}, {r[2]})" for r in items)
            noun = "expense" if len(items) == 1 else "expenses"
            lines.append(
                Line(
                    employee_id,
                    PayCodeKind.REIMBURSEMENT,
                    self.kind,
                    total,
                    f"{len(items)} approved {noun} in {currency}: {parts}"[:500],
                    [{"kind": "expense", "id": r[0], "url": f"/v1/expenses/{r[0]}"} for r in items],
                    claims=[(self.kind, r[0], r[2]) for r in items],
                )
            )
        return lines

    def on_paid(self, *, actor, run, object_ids):
        """Reimburse them, the run as the reference (one already reimbursed by hand is left as is)."""
        expenses = list(
            time_selectors.approved_unreimbursed_expenses(actor.organisation, EARLIEST, datetime.date.max).filter(
                pk__in=object_ids
            )
        )
        if expenses:
            time_services.mark_reimbursed(expenses, f"Payroll run {run.pk}", actor)


class HolidayAdapter(SourceAdapter):
    kind = SourceKind.HOLIDAY

    def lines(self, ctx: RunContext) -> list[Line]:
        paying = []
        for employee in ctx.employees:
            rule = ctx.rules.get(employee.office_id) or ctx.rules.get(None)
            if employee.pay_type != "salary" and rule is not None and rule.paid_holidays:
                paying.append(employee)
        if not paying:
            return []
        wanted: dict[int, list] = {}
        for employee in paying:
            holidays = ctx.holidays(employee.office, ctx.first, ctx.last)
            days = [
                day
                for date, day in sorted(holidays.items())
                if (employee.hire_date is None or employee.hire_date <= date)
                and (employee.termination_date is None or employee.termination_date >= date)
            ]
            if days:
                wanted[employee.pk] = days
        if not wanted:
            return []
        # claimed per employee and date: a holiday another ready or paid run pays is left out
        held = ctx.days_claimed_elsewhere(self.kind, list(wanted), ctx.first, ctx.last)
        for employee_id, dates in held.items():
            wanted[employee_id] = [d for d in wanted.get(employee_id, []) if d.date not in dates]
        wanted = {pk: days for pk, days in wanted.items() if days}
        if not wanted:
            return []
        employees = [e for e in paying if e.pk in wanted]
        schedules = hr_selectors.work_schedules_for([e.pk for e in employees])
        all_days = sorted({d.date for days in wanted.values() for d in days})
        rates = time_selectors.payroll_time.pay_rates_between(
            organisation=ctx.organisation, employees=employees, days=all_days
        )
        codes = PayCode.objects.for_organisation(ctx.organisation)
        code = codes.filter(is_default=True, kind=PayCodeKind.HOLIDAY).first()
        multiplier = Decimal(code.multiplier) if code is not None else Decimal("1")
        lines = []
        for employee in employees:
            lines.extend(self._employee_lines(ctx, employee, wanted[employee.pk], schedules, rates, multiplier))
        return lines

    def _employee_lines(self, ctx, employee, days, schedules, rates, multiplier) -> list[Line]:
        lines = []
        for day in days:
            hours = Decimal(schedules[employee.pk][day.date.weekday()])
            if day.half_day:
                hours = hours / 2
            seconds = int(hours * HOUR)
            if seconds <= 0:
                continue
            rate = rates[employee.pk].get(day.date)
            if rate is None:
                ctx.warn(employee.pk, "no_rate", "No hourly pay rate: the time is paid at 0.00.")
                rate = Decimal("0")
            half = ", half day" if day.half_day else ""
            lines.append(
                Line(
                    employee_id=employee.pk,
                    code_kind=PayCodeKind.HOLIDAY,
                    source_kind=self.kind,
                    seconds=seconds,
                    rate=rate,
                    multiplier=multiplier,
                    amount=money(Decimal(seconds) / HOUR * rate * multiplier),
                    explanation=f"{hours_text(seconds)} h × {rate} × {multiplier} (paid holiday: {day.name}, "
                    f"{day.date}{half})"[:500],
                    sources=[
                        {"kind": "holiday_group", "id": day.group_id, "url": f"/v1/hr/holiday-groups/{day.group_id}"}
                    ],
                    claims=[(self.kind, day.group_id, day.date)],
                )
            )
        return lines


for _adapter in (LeaveAdapter(), ExpenseAdapter(), HolidayAdapter()):
    register_source_adapter(_adapter)
