"""Source adapters (issue 18 point 3): each kind of thing that becomes pay turns its sources into
run lines and claims them, and knows what "paid" and "released" mean for them.

Adapters here: approved timesheet time (:class:`TimeAdapter`, with hours worked on a holiday
under ``Holiday`` when the overtime rule says so), salaries (:class:`SalaryAdapter`), approved
commission ledger lines with chargebacks netted (:class:`CommissionAdapter`) and manual
adjustments (:class:`AdjustmentAdapter`). Paid leave, expenses and paid holidays are in
:mod:`payroll.services.sources_more` (registered with :func:`register_source_adapter`).

Every adapter reads in a number of queries that does not grow with the number of employees."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import Count, Q, Sum

from integrations.outbox import record_events
from organisations.actors import Actor
from organisations.audit import audit_change
from organisations.models import Producer
from timetracking import selectors as time_selectors
from timetracking import services as time_services

from .. import events
from ..choices import AdjustmentKind, PayCodeKind, SourceKind, TransactionStatus
from ..models import (
    CommissionTransaction,
    PayCode,
    PayrollAdjustment,
    PayrollLine,
    expand_sources,
)
from .overtime import DOUBLE_TIME, HOLIDAY, OVERTIME, REGULAR, Thresholds, split_week
from .run_context import HOUR, Line, RunContext, hours_text, money, working_days
from .time_hints import split_hinted

__all__ = [
    "HOUR",
    "Line",
    "RunContext",
    "SOURCE_ADAPTERS",
    "hours_text",
    "money",
    "register_source_adapter",
    "working_days",
]


KIND_CODES = {
    REGULAR: PayCodeKind.REGULAR,
    OVERTIME: PayCodeKind.OVERTIME,
    DOUBLE_TIME: PayCodeKind.DOUBLE_TIME,
    HOLIDAY: PayCodeKind.HOLIDAY,
}


def _entries(count: int) -> str:
    return "1 entry" if count == 1 else f"{count} entries"


class SourceAdapter:
    kind: str = ""

    def lines(self, ctx: RunContext) -> list[Line]:
        raise NotImplementedError

    def on_paid(self, *, actor: Actor, run, object_ids: list[int]) -> None:
        """The run was marked paid: mark the sources paid."""

    def on_released(self, *, actor: Actor, run, object_ids: list[int]) -> None:
        """The run was cancelled: its claims are released (nothing else to undo by default)."""


class TimeAdapter(SourceAdapter):
    """Hourly employees' approved timesheet time, split by the overtime rule of their office (else
    the organisation's, else 40 h a week × 1.5), at the pay rate in force on each day.

    The database sums the time by employee and local day (with the day's entry ids, in start
    order); the split works on those day totals, which gives the same seconds per pay code as
    entry by entry (thresholds apply to a day's and a week's running totals). A line lists the
    timesheets and entries of the days it pays. The run claims the **days of each timesheet** it
    pays (one claim per employee and timesheet, see ``PayrollSourceClaim``); days another ready
    or paid run holds are left out. Time whose entries name a pay code (``pay_code_hint``, the
    TrackTik sync's) is paid on that code, outside the split (:mod:`payroll.services.time_hints`)."""

    kind = SourceKind.TIME_ENTRY

    def lines(self, ctx: RunContext) -> list[Line]:
        hourly = [e for e in ctx.employees if e.pay_type != "salary"]
        org = ctx.organisation
        reads = time_selectors.payroll_time
        days_worked, unapproved = reads.approved_days_for_payroll(
            organisation=org, employees=hourly, first=ctx.work_first, last=ctx.work_last
        )
        held = (
            ctx.days_claimed_elsewhere(self.kind, [e.pk for e in hourly], ctx.work_first, ctx.work_last)
            if days_worked
            else {}
        )
        if held:
            days_worked = [d for d in days_worked if d.day not in held.get(d.employee_id, ())]
        for employee_id in unapproved:
            ctx.warn(employee_id, "unapproved_time", "Time in the period is not in an approved timesheet: not paid.")
        days = [ctx.work_first + datetime.timedelta(days=n) for n in range((ctx.work_last - ctx.work_first).days + 1)]
        rates = reads.pay_rates_between(organisation=org, employees=hourly, days=days)
        split, hinted = split_hinted(ctx, days_worked)
        by_employee: dict[int, list] = defaultdict(list)
        hinted_by_employee: dict[int, list] = defaultdict(list)
        for item in split:
            by_employee[item.employee_id].append(item)
        for item, code in hinted:
            hinted_by_employee[item.employee_id].append((item, code))
        lines: list[Line] = []
        for employee in hourly:
            items, own_hinted = by_employee.get(employee.pk, []), hinted_by_employee.get(employee.pk, [])
            if not items and not own_hinted:
                continue
            rule = ctx.rules.get(employee.office_id) or ctx.rules.get(None)
            holiday = None
            if rule is not None and rule.holiday_multiplier is not None:
                holiday = (ctx.holidays(employee.office, ctx.work_first, ctx.work_last), rule.holiday_multiplier)
            own = self._employee_lines(
                ctx, employee, items, Thresholds.of(rule), rates[employee.pk], holiday, own_hinted
            )
            if own:
                every = items + [item for item, _code in own_hinted]
                own[0].claims = self._claims(ctx, every, held.get(employee.pk, set()))
            lines.extend(own)
        return lines

    def _employee_lines(self, ctx, employee, items, thresholds, rates, holiday=None, hinted=()) -> list[Line]:
        """``items``: the employee's :class:`PaidDay` in day order. ``holiday``: ``(holidays by
        date, multiplier)``: regular hours on a holiday are Holiday. ``hinted``: ``(PaidDay,
        PayCode)`` paid on that code × its multiplier."""
        by_day = {item.day: item for item in items}
        groups: dict[tuple, dict] = {}

        def rate_of(day):
            rate = rates.get(day)
            if rate is None:
                ctx.warn(employee.pk, "no_rate", "No hourly pay rate: the time is paid at 0.00.")
            return rate if rate is not None else Decimal("0")

        def add(key, item, seconds):
            group = groups.setdefault(key, {"seconds": 0, "days": {}})
            group["seconds"] += seconds
            group["days"][item.day] = item

        for week, week_days in ctx.week_days:
            in_week = [(t.day, t.day, t.seconds) for t in items if week.start <= t.day <= week.end]
            if not in_week:
                continue
            for piece in split_week(in_week, thresholds, week_days):
                kind, multiplier = piece.kind, thresholds.multiplier(piece.kind)
                if holiday is not None and kind == REGULAR and piece.day in holiday[0]:
                    kind, multiplier = HOLIDAY, Decimal(holiday[1])
                add((KIND_CODES[kind], rate_of(piece.day), multiplier, None), by_day[piece.day], piece.seconds)
        for item, code in hinted:
            add((code.kind, rate_of(item.day), Decimal(code.multiplier), code), item, item.seconds)
        lines = []
        for (kind, rate, multiplier, code), group in groups.items():
            paid = list(group["days"].values())
            sheets = sorted({d.timesheet_id for d in paid})
            entries = [pk for d in paid for pk in d.entry_ids]
            sources = [
                {"kind": "timesheet", "ids": sheets, "url": "/v1/timesheets/{id}"},
                {"kind": "time_entry", "ids": entries, "url": "/v1/time-entries/{id}"},
            ]
            seconds = group["seconds"]
            lines.append(
                Line(
                    employee_id=employee.pk,
                    code_kind=kind,
                    source_kind=self.kind,
                    seconds=seconds,
                    rate=rate,
                    multiplier=multiplier,
                    amount=money(Decimal(seconds) / HOUR * rate * multiplier),
                    explanation=f"{hours_text(seconds)} h × {rate} × {multiplier} ({_entries(len(entries))}"
                    + (", pay code from the entries (TrackTik))" if code is not None else ")"),
                    sources=sources,
                    pay_code=code,
                )
            )
        return lines

    def _claims(self, ctx, items, held: set) -> list[tuple]:
        """One claim per timesheet: its days in the run's workweeks, as stretches around days
        another run holds (``(kind, timesheet id, first day, last day)``)."""
        claims = []
        sheets = {d.timesheet_id: (d.sheet_start, d.sheet_end) for d in items}
        for pk, (start, end) in sheets.items():
            day, last = max(start, ctx.work_first), min(end, ctx.work_last)
            first = None
            while day <= last:
                if day in held:
                    if first is not None:
                        claims.append((self.kind, pk, first, day - datetime.timedelta(days=1)))
                    first = None
                elif first is None:
                    first = day
                day += datetime.timedelta(days=1)
            if first is not None:
                claims.append((self.kind, pk, first, last))
        return claims

    def on_paid(self, *, actor, run, object_ids):
        """The entries the run's time lines list (the claimed timesheets' paid days) become paid."""
        entry_ids = {
            source["id"]
            for sources in PayrollLine.objects.filter(run=run, source_kind=self.kind).values_list("sources", flat=True)
            for source in expand_sources(sources)
            if source.get("kind") == "time_entry"
        }
        time_services.time_entries_mark_paid(actor=actor, entry_ids=sorted(entry_ids), paid=True)


class SalaryAdapter(SourceAdapter):
    """Salaried employees of a scheduled run: the annual salary over the schedule's periods a year,
    prorated by working days (Monday to Friday) for people who join or leave in the period."""

    kind = SourceKind.SALARY

    def lines(self, ctx: RunContext) -> list[Line]:
        if ctx.schedule is None:
            return []
        lines = []
        total_days = working_days(ctx.first, ctx.last)
        for employee in ctx.employees:
            if employee.pay_type != "salary":
                continue
            if employee.pay_rate is None:
                ctx.warn(employee.pk, "no_rate", "No salary on the employee record: nothing paid.")
                continue
            start = max(ctx.first, employee.hire_date or ctx.first)
            end = min(ctx.last, employee.termination_date or ctx.last)
            days = working_days(start, end) if start <= end else 0
            per_period = Decimal(employee.pay_rate) / ctx.schedule.periods_per_year
            if days == total_days:
                amount, explanation = money(per_period), f"{employee.pay_rate} a year ÷ {ctx.schedule.periods_per_year}"
            else:
                amount = money(per_period * days / total_days) if total_days else Decimal("0.00")
                explanation = (
                    f"{employee.pay_rate} a year ÷ {ctx.schedule.periods_per_year} × {days}/{total_days} working days"
                )
            sources = [{"kind": "employee", "id": employee.pk, "url": f"/v1/hr/employees/{employee.pk}"}]
            lines.append(Line(employee.pk, PayCodeKind.REGULAR, self.kind, amount, explanation, sources))
        return lines


class CommissionAdapter(SourceAdapter):
    """Approved, unpaid commission ledger lines of the producers linked to the run's employees
    (same login), dated up to the period's end; chargebacks are netted into the one line."""

    kind = SourceKind.COMMISSION_LINE

    def lines(self, ctx: RunContext) -> list[Line]:
        by_membership = {e.membership_id: e.pk for e in ctx.employees if e.membership_id}
        if not by_membership:
            return []
        producers = dict(
            Producer.objects.for_organisation(ctx.organisation)
            .filter(membership_id__in=by_membership)
            .values_list("pk", "membership_id")
        )
        if not producers:
            return []
        candidates = CommissionTransaction.objects.for_organisation(ctx.organisation).filter(
            producer_id__in=producers, status=TransactionStatus.APPROVED, transaction_date__lte=ctx.last
        )
        taken = ctx.claimed_elsewhere(self.kind, candidates.values("pk"))
        if taken:
            candidates = candidates.exclude(pk__in=taken)
        grouped: dict[int, list] = defaultdict(lambda: [Decimal("0"), 0, []])
        for producer_id, total, chargebacks, ids in _ledger_by_producer(candidates):
            group = grouped[by_membership[producers[producer_id]]]
            group[0] += total
            group[1] += chargebacks
            group[2].extend(ids)
        lines = []
        for employee_id, (total, chargebacks, ids) in grouped.items():
            lines.append(
                Line(
                    employee_id,
                    PayCodeKind.COMMISSION,
                    self.kind,
                    money(total),
                    f"{len(ids)} approved ledger lines ({chargebacks} chargebacks netted)",
                    [{"kind": "commission_line", "ids": ids, "url": "/v1/transactions/{id}"}],
                    claim_ids=ids,
                )
            )
        return lines

    def on_paid(self, *, actor, run, object_ids):
        lines = list(
            CommissionTransaction.objects.for_organisation(actor.organisation).filter(
                pk__in=object_ids, status=TransactionStatus.APPROVED
            )
        )
        CommissionTransaction.objects.filter(pk__in=[t.pk for t in lines]).update(status=TransactionStatus.PAID)
        for txn in lines:
            txn.status = TransactionStatus.PAID
        currency = actor.organisation.currency
        record_events(
            actor.organisation,
            [(events.TRANSACTION_UPDATED, events.transaction_payload(t, currency=currency)) for t in lines],
            actor=actor,
        )
        if lines:
            audit_change(
                actor=actor,
                action="commissiontransaction.paid_by_payroll",
                object_type="payroll.payrollrun",
                object_id=run.pk,
                changes={"transaction_ids": [None, [t.pk for t in lines]], "status": ["approved", "paid"]},
            )


def _ledger_by_producer(lines) -> list[tuple[int, Decimal, int, list[int]]]:
    """``(producer id, total, chargebacks, ids by date)`` of the ledger lines ``lines``: summed and
    aggregated by PostgreSQL (one row per producer, not per line), in Python elsewhere."""
    if connection.vendor == "postgresql":
        rows = (
            lines.order_by()
            .values("producer_id")
            .annotate(
                total=Sum("producer_amount"),
                chargebacks=Count("id", filter=Q(type="chargeback")),
                ids=ArrayAgg("id", order_by=("transaction_date", "id")),
            )
            .order_by("producer_id")
            .values_list("producer_id", "total", "chargebacks", "ids")
        )
        return [(producer_id, Decimal(total), chargebacks, list(ids)) for producer_id, total, chargebacks, ids in rows]
    grouped: dict[int, list] = {}
    for pk, producer_id, amount, kind in lines.order_by("transaction_date", "id").values_list(
        "pk", "producer_id", "producer_amount", "type"
    ):
        group = grouped.setdefault(producer_id, [Decimal("0"), 0, []])
        group[0] += Decimal(amount)
        group[1] += kind == "chargeback"
        group[2].append(pk)
    return [(producer_id, *group) for producer_id, group in sorted(grouped.items())]


class AdjustmentAdapter(SourceAdapter):
    """The run's manual bonuses, deductions and corrections, each with its reason."""

    kind = SourceKind.ADJUSTMENT

    def lines(self, ctx: RunContext) -> list[Line]:
        lines = []
        run_employees = {e.pk for e in ctx.employees}
        for adjustment in PayrollAdjustment.objects.filter(run=ctx.run).order_by("id"):
            if adjustment.employee_id not in run_employees:
                continue
            amount = money(adjustment.amount)
            if adjustment.kind == AdjustmentKind.DEDUCTION:
                amount = -abs(amount)
            code = PayCodeKind.BONUS if amount >= 0 else PayCodeKind.DEDUCTION
            if adjustment.kind == AdjustmentKind.BONUS:
                code = PayCodeKind.BONUS
            lines.append(
                Line(
                    adjustment.employee_id,
                    code,
                    self.kind,
                    amount,
                    f"{adjustment.get_kind_display()}: {adjustment.reason}"[:500],
                    [{"kind": "adjustment", "id": adjustment.pk}],
                    claims=[(self.kind, adjustment.pk, None)],
                )
            )
        return lines


SOURCE_ADAPTERS: list[SourceAdapter] = [TimeAdapter(), SalaryAdapter(), CommissionAdapter(), AdjustmentAdapter()]


def register_source_adapter(adapter: SourceAdapter) -> None:
    """Leave, expenses and paid holidays add their adapter here (``sources_more``)."""
    if all(a.kind != adapter.kind for a in SOURCE_ADAPTERS):
        SOURCE_ADAPTERS.append(adapter)


def adapter_for(kind: str) -> SourceAdapter | None:
    return next((a for a in SOURCE_ADAPTERS if a.kind == kind), None)


def pay_codes_by_kind(organisation) -> dict[str, PayCode]:
    return {c.kind: c for c in PayCode.objects.for_organisation(organisation).filter(is_default=True).order_by("id")}
