"""Payroll runs (issue 18 points 3-5): create a draft computed from its sources, recalculate,
approve (draft → ready, frozen), mark paid (ready → paid: ledger lines and time become paid),
cancel (draft or ready: the sources are released), acknowledge (a finance system synced it).

Every transition locks the run row first (two approvers racing: one wins, the other a 409) and
records its audit row and outbox event in the same transaction. No source is paid twice: each is
claimed by a ``PayrollSourceClaim`` that the database keeps unique among live claims; a run that
loses the race for a source is refused with a 409 and nothing of it is kept."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hr import selectors as hr_selectors
from hr import services as hr_services
from integrations.outbox import record_event
from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from organisations.models import Office
from timetracking import selectors as time_selectors
from trackyoursheets.bulk import bulk_insert
from trackyoursheets.exceptions import Conflict

from .. import events
from ..choices import RUN_TRANSITIONS, PayrollRunStatus, SourceKind
from ..models import (
    OvertimeRule,
    PayrollAcknowledgement,
    PayrollAdjustment,
    PayrollEntry,
    PayrollLine,
    PayrollRun,
    PayrollSourceClaim,
    PaySchedule,
    PayScheduleAssignment,
)
from .pay_setup import ensure_default_pay_codes, require_payroll_admin
from .sources import SOURCE_ADAPTERS, RunContext, adapter_for, hours_text, money

__all__ = [
    "payroll_run_create",
    "payroll_run_recalculate",
    "payroll_run_approve",
    "payroll_run_mark_paid",
    "payroll_run_cancel",
    "payroll_run_acknowledge",
    "payroll_adjustment_add",
]

MAX_OFF_CYCLE_DAYS = 62


def _emit(actor: Actor, topic: str, run: PayrollRun) -> None:
    record_event(actor.organisation, topic, events.run_payload(run, currency=actor.organisation.currency), actor=actor)


def _lock(run: PayrollRun) -> PayrollRun:
    return PayrollRun.objects.select_for_update().get(pk=run.pk, organisation_id=run.organisation_id)


def _require_status(run: PayrollRun, target: str, action: str) -> None:
    allowed = RUN_TRANSITIONS[run.status]
    if target not in allowed:
        raise Conflict(
            _("A %(status)s payroll run cannot be %(action)s.") % {"status": run.status, "action": action},
            current_status=run.status,
            allowed=sorted(allowed),
        )


# =============================================================================
# Computing a draft
# =============================================================================


def _run_employees(run: PayrollRun) -> list:
    """The run's employees, their offices loaded (the organisation's few offices read once and
    shared, not one copy joined to each of 5,000 employees)."""
    employees = hr_selectors.employee_queryset(organisation=run.organisation_id)
    if run.off_cycle:
        chosen = list(employees.filter(pk__in=run.employee_ids).order_by("pk"))
    else:
        assigned = PayScheduleAssignment.objects.filter(pay_schedule_id=run.pay_schedule_id).values("employee_id")
        chosen = [
            e
            for e in employees.filter(pk__in=assigned).order_by("pk")
            if (e.hire_date is None or e.hire_date <= run.period_end)
            and (e.termination_date is None or e.termination_date >= run.period_start)
        ]
    offices: dict[int | None, Office] = {o.pk: o for o in Office.objects.filter(organisation_id=run.organisation_id)}
    for employee in chosen:
        employee.office = offices.get(employee.office_id)
    return chosen


def _compute(actor: Actor, run: PayrollRun) -> PayrollRun:
    """(Re)build the run's entries, lines and claims from its sources."""
    organisation = actor.organisation
    codes = ensure_default_pay_codes(organisation)
    employees = _run_employees(run)
    weeks = time_selectors.payroll_time.workweeks_ending_in(
        organisation=organisation, first=run.period_start, last=run.period_end
    )
    rules = {r.office_id: r for r in OvertimeRule.objects.for_organisation(organisation)}
    ctx = RunContext(
        organisation=organisation,
        run=run,
        employees=employees,
        first=run.period_start,
        last=run.period_end,
        work_first=weeks[0].start,
        work_last=weeks[-1].end,
        weeks=weeks,
        rules=rules,
        schedule=run.pay_schedule,
    )
    PayrollLine.objects.filter(run=run).delete()
    PayrollEntry.objects.filter(run=run).delete()
    PayrollSourceClaim.objects.filter(run=run).delete()
    lines = [line for adapter in SOURCE_ADAPTERS for line in adapter.lines(ctx)]
    by_employee = defaultdict(list)
    for line in lines:
        by_employee[line.employee_id].append(line)
        notes = ctx.salary_notes.get(line.employee_id) if line.source_kind == SourceKind.SALARY else None
        for text, claims in notes or []:  # paid leave of salaried people: inside the salary, claimed by it
            line.explanation = f"{line.explanation}; {text}"
            line.claims.extend(claims)
    entries, gross_total = [], Decimal("0.00")
    for employee in employees:
        own = by_employee.get(employee.pk, [])
        gross = sum((line.amount for line in own), Decimal("0.00"))
        seconds: defaultdict[str, int] = defaultdict(int)
        amounts: defaultdict[str, Decimal] = defaultdict(Decimal)
        for line in own:
            code = (line.pay_code or codes[line.code_kind]).code
            amounts[code] += line.amount
            if line.seconds is not None:
                seconds[code] += line.seconds
        if gross < 0:
            ctx.warn(employee.pk, "negative_total", _("The employee's total is negative."))
        gross_total += gross
        entries.append(
            {
                "organisation_id": organisation.pk,
                "run_id": run.pk,
                "employee_id": employee.pk,
                "gross": gross,
                "hours_by_code": {code: hours_text(s) for code, s in seconds.items()},
                "amounts_by_code": {code: str(a) for code, a in amounts.items()},
                "warnings": ctx.warnings.get(employee.pk, []),
            }
        )
    # COPY on PostgreSQL (trackyoursheets/bulk.py): a 5,000-employee run writes ~100,000 rows
    ids = bulk_insert(PayrollEntry, entries, returning_ids=True) or []
    entry_ids = dict(zip((e["employee_id"] for e in entries), ids, strict=True))
    rows, claims, whole = [], [], []
    for employee_id, own in by_employee.items():
        for position, line in enumerate(own):
            rows.append(
                {
                    "organisation_id": organisation.pk,
                    "run_id": run.pk,
                    "entry_id": entry_ids[employee_id],
                    "pay_code_id": (line.pay_code or codes[line.code_kind]).pk,
                    "source_kind": line.source_kind,
                    "seconds": line.seconds,
                    "rate": line.rate,
                    "multiplier": line.multiplier,
                    "amount": money(line.amount),
                    "explanation": line.explanation[:500],
                    "sources": line.sources,
                    "position": position,
                }
            )
            for claim in line.claims:
                claims.append((claim[0], claim[1], employee_id, claim[2], claim[3] if len(claim) > 3 else None))
            if line.claim_ids:
                whole.append((line.source_kind, employee_id, line.claim_ids))
    bulk_insert(PayrollLine, rows)
    try:
        with transaction.atomic():
            _insert_claims(run, claims, whole)
    except IntegrityError as error:
        raise Conflict(
            _("Some of these sources are being paid by another payroll run (created at the same time). Try again.")
        ) from error
    run.gross_total = gross_total
    run.employee_count = len(entries)
    run.stale = False
    run.computed_at = timezone.now()
    run.save(update_fields=["gross_total", "employee_count", "stale", "computed_at", "updated_at"])
    return run


CLAIM_INSERT = (
    "INSERT INTO payroll_payrollsourceclaim"
    " (organisation_id, run_id, kind, object_id, employee_id, day, day_to, released, created_at, updated_at)"
    " SELECT %s, %s, u.kind, u.object_id, u.employee_id, u.day, u.day_to, false, %s, %s"
    " FROM unnest(%s::text[], %s::bigint[], %s::bigint[], %s::date[], %s::date[])"
    " AS u(kind, object_id, employee_id, day, day_to)"
)


def _array(values: list) -> str:
    """A PostgreSQL array literal of ints, dates, plain words (no quotes, commas or braces) and
    None. ``str`` of each value, joined in C: psycopg's list dumper costs ~1 s of Python per
    100,000 elements, a generator ~0.1 s; ``None`` is the only value whose text is ``None``."""
    text = ",".join(map(str, values))
    return "{" + (text.replace("None", "NULL") if None in values else text) + "}"


def _insert_claims(run: PayrollRun, claims: list[tuple], whole: list[tuple]) -> None:
    """Claims of ``run``: ``claims`` are ``(kind, object_id, employee_id, day, day_to)``, ``whole``
    are ``(kind, employee_id, object ids)`` claimed with no day (a producer's ledger lines). On
    PostgreSQL one ``INSERT ... SELECT FROM unnest(...)`` of five arrays (a 5,000-employee run
    claims 100,000 ledger lines: no Python work per row), elsewhere ``bulk_insert``."""
    columns: list[list] = [[], [], [], [], []]
    if claims:
        columns = [list(column) for column in zip(*claims, strict=True)]
    for kind, employee_id, ids in whole:
        columns[0].extend([kind] * len(ids))
        columns[1].extend(ids)
        columns[2].extend([employee_id] * len(ids))
        columns[3].extend([None] * len(ids))
        columns[4].extend([None] * len(ids))
    if not columns[0]:
        return
    if connection.vendor != "postgresql":
        keys = ("kind", "object_id", "employee_id", "day", "day_to")
        rows = [
            {"organisation_id": run.organisation_id, "run_id": run.pk, **dict(zip(keys, c, strict=True))}
            for c in zip(*columns, strict=True)
        ]
        bulk_insert(PayrollSourceClaim, rows)
        return
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_INSERT, [run.organisation_id, run.pk, now, now, *map(_array, columns)])


def _period_of(schedule: PaySchedule, period_start: datetime.date | None):
    day = period_start or timezone.localdate()
    if period_start is not None and not schedule.is_period_start(period_start):
        expected = schedule.period_containing(period_start).start
        raise ValidationError(
            {"period_start": [_("No period of this schedule starts that day (the period starts on %s).") % expected]}
        )
    return schedule.period_containing(day)


@transaction.atomic
def payroll_run_create(
    *,
    actor: Actor,
    pay_schedule: PaySchedule | None = None,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    pay_date: datetime.date | None = None,
    employee_ids: list[int] | None = None,
    adjustments: list[dict] | None = None,
    notes: str = "",
) -> PayrollRun:
    """A scheduled run (a schedule and one of its periods, default the current one) or an
    off-cycle run (explicit employees and dates), computed as a draft."""
    require_payroll_admin(actor)
    if pay_schedule is not None:
        period = _period_of(pay_schedule, period_start)
        run = PayrollRun(
            organisation=actor.organisation,
            pay_schedule=pay_schedule,
            period_start=period.start,
            period_end=period.end,
            pay_date=pay_date or period.pay_date,
        )
    else:
        if not employee_ids or period_start is None or period_end is None:
            raise ValidationError(
                {"pay_schedule_id": [_("Give a pay schedule, or employee_ids with period_start and period_end.")]}
            )
        if period_end < period_start or (period_end - period_start).days > MAX_OFF_CYCLE_DAYS:
            raise ValidationError({"period_end": [_("From the start, within %s days.") % MAX_OFF_CYCLE_DAYS]})
        wanted = sorted(set(employee_ids))
        found = hr_selectors.employee_queryset(organisation=actor.organisation).filter(pk__in=wanted).count()
        if found != len(wanted):
            raise ValidationError({"employee_ids": [_("Unknown employees.")]})
        run = PayrollRun(
            organisation=actor.organisation,
            off_cycle=True,
            employee_ids=wanted,
            period_start=period_start,
            period_end=period_end,
            pay_date=pay_date or period_end,
        )
    run.notes = notes
    run.created_by_label = actor.label[:300]
    run.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError as error:
        raise Conflict(_("A payroll run of this schedule and period already exists.")) from error
    for adjustment in adjustments or []:
        _adjustment(actor, run, **adjustment)
    _compute(actor, run)
    audit_change(actor=actor, action="payrollrun.create", obj=run, after=audit_snapshot(run))
    _emit(actor, events.RUN_CREATED, run)
    return run


def _adjustment(actor: Actor, run: PayrollRun, *, employee_id: int, kind: str, amount, reason: str):
    if not hr_selectors.employee_queryset(organisation=actor.organisation).filter(pk=employee_id).exists():
        raise ValidationError({"employee_id": [_("Unknown employee.")]})
    if run.off_cycle and employee_id not in run.employee_ids:
        run.employee_ids = sorted({*run.employee_ids, employee_id})
        run.save(update_fields=["employee_ids", "updated_at"])
    adjustment = PayrollAdjustment(
        organisation=actor.organisation,
        run=run,
        employee_id=employee_id,
        kind=kind,
        amount=Decimal(amount),
        reason=(reason or "").strip(),
        created_by_label=actor.label[:300],
    )
    adjustment.full_clean()
    adjustment.save()
    return adjustment


@transaction.atomic
def payroll_adjustment_add(
    *, actor: Actor, run: PayrollRun, employee_id: int, kind: str, amount, reason: str
) -> PayrollRun:
    """A bonus, deduction or correction (with a reason) on a draft; the draft is recomputed."""
    require_payroll_admin(actor)
    run = _lock(run)
    if run.status != PayrollRunStatus.DRAFT:
        raise Conflict(_("Only a draft run takes adjustments."), current_status=run.status)
    adjustment = _adjustment(actor, run, employee_id=employee_id, kind=kind, amount=amount, reason=reason)
    audit_change(actor=actor, action="payrolladjustment.create", obj=adjustment, after=audit_snapshot(adjustment))
    return _compute(actor, run)


@transaction.atomic
def payroll_run_recalculate(*, actor: Actor, run: PayrollRun) -> PayrollRun:
    """Refresh a draft from its sources (time approved since, new ledger lines, ...)."""
    require_payroll_admin(actor)
    run = _lock(run)
    if run.status != PayrollRunStatus.DRAFT:
        raise Conflict(_("Only a draft run can be recalculated."), current_status=run.status)
    before = {"gross_total": str(run.gross_total), "employee_count": run.employee_count}
    _compute(actor, run)
    after = {"gross_total": str(run.gross_total), "employee_count": run.employee_count}
    audit_change(actor=actor, action="payrollrun.recalculate", obj=run, before=before, after=after)
    return run


# =============================================================================
# Lifecycle
# =============================================================================


@transaction.atomic
def payroll_run_approve(*, actor: Actor, run: PayrollRun) -> PayrollRun:
    """Draft → ready: the run is frozen. A stale draft must be recalculated first."""
    require_payroll_admin(actor)
    run = _lock(run)
    _require_status(run, PayrollRunStatus.READY, "approved")
    if run.stale:
        raise Conflict(_("A source changed since this draft was computed: recalculate it first."), stale=True)
    run.status = PayrollRunStatus.READY
    run.approved_at = timezone.now()
    run.approved_by_label = actor.label[:300]
    run.save(update_fields=["status", "approved_at", "approved_by_label", "updated_at"])
    audit_change(actor=actor, action="payrollrun.approve", obj=run, changes={"status": ["draft", "ready"]})
    _emit(actor, events.RUN_APPROVED, run)
    return run


@transaction.atomic
def payroll_run_mark_paid(*, actor: Actor, run: PayrollRun) -> PayrollRun:
    """Ready → paid: every source is marked paid by its adapter (time entries' ``paid`` flag,
    ledger lines' status, expenses reimbursed); a scheduled run's period posts the leave policies'
    per-pay-period accruals (hr's service, idempotent per period).
    ``payroll.run.approved`` fires again (status ``paid``), then ``payroll.run.paid``."""
    require_payroll_admin(actor)
    run = _lock(run)
    _require_status(run, PayrollRunStatus.PAID, "marked paid")
    by_kind = defaultdict(list)
    for kind, object_id in PayrollSourceClaim.objects.filter(run=run, released=False).values_list("kind", "object_id"):
        by_kind[kind].append(object_id)
    for kind, ids in by_kind.items():
        adapter = adapter_for(kind)
        if adapter is not None:
            adapter.on_paid(actor=actor, run=run, object_ids=ids)
    if not run.off_cycle:
        paid = PayrollEntry.objects.filter(run=run).values("employee_id")
        employees = hr_selectors.employee_queryset(organisation=actor.organisation).filter(pk__in=paid)
        hr_services.accrue_for_pay_periods(
            organisation=actor.organisation, items=[(e, run.period_start, run.period_end) for e in employees]
        )
    run.status = PayrollRunStatus.PAID
    run.paid_at = timezone.now()
    run.paid_by_label = actor.label[:300]
    run.save(update_fields=["status", "paid_at", "paid_by_label", "updated_at"])
    audit_change(actor=actor, action="payrollrun.mark_paid", obj=run, changes={"status": ["ready", "paid"]})
    _emit(actor, events.RUN_APPROVED, run)
    _emit(actor, events.RUN_PAID, run)
    return run


@transaction.atomic
def payroll_run_cancel(*, actor: Actor, run: PayrollRun) -> PayrollRun:
    """Draft or ready → cancelled: its sources are released for another run."""
    require_payroll_admin(actor)
    run = _lock(run)
    _require_status(run, PayrollRunStatus.CANCELLED, "cancelled")
    before = run.status
    PayrollSourceClaim.objects.filter(run=run).update(released=True)
    run.status = PayrollRunStatus.CANCELLED
    run.cancelled_at = timezone.now()
    run.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit_change(actor=actor, action="payrollrun.cancel", obj=run, changes={"status": [before, "cancelled"]})
    _emit(actor, events.RUN_CANCELLED, run)
    return run


@transaction.atomic
def payroll_run_acknowledge(*, actor: Actor, run: PayrollRun, notes: str = "") -> PayrollAcknowledgement:
    """A finance system (or a person) synced a ready or paid run: who, when and their notes."""
    require_payroll_admin(actor)
    run = _lock(run)
    if run.status not in (PayrollRunStatus.READY, PayrollRunStatus.PAID):
        raise Conflict(
            _("Only a ready or paid run can be acknowledged (this one is %s).") % run.status, current_status=run.status
        )
    application = actor.application if actor.kind == "oauth" else None
    acknowledgement = PayrollAcknowledgement(
        organisation=actor.organisation,
        run=run,
        notes=(notes or "").strip(),
        by_label=actor.label[:300],
        client_id=application.client_id if application is not None else "",
        membership=actor.membership,
    )
    acknowledgement.full_clean()
    acknowledgement.save()
    run.save(update_fields=["updated_at"])
    audit_change(
        actor=actor,
        action="payrollrun.acknowledge",
        obj=run,
        changes={"acknowledgement": [None, acknowledgement.notes]},
    )
    return acknowledgement
