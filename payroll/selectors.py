"""Reads of the commission ledger: scoped to the actor's organisation and role (DESIGN §3).

Carriers and categories are reference data every member may read; rule sets only owners,
admins and managers; policies and transactions by role (``visible_to`` in payroll/models.py):
managers their office's, a producer their own while their portal access is on.

Statement imports (issue 6 point 3): owners, admins and organisation-wide credentials see every
batch; a manager their office's; producers, HR and employees none (``ImportQuerySet.restrict_to``).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from organisations.actors import Actor
from organisations.choices import Role
from trackyoursheets.api.filters import apply_filterset

from .choices import PayrollRunStatus, RowStatus, SourceKind
from .filters import (
    CarrierFilterSet,
    CategoryFilterSet,
    CommissionRuleSetFilterSet,
    CommissionTransactionFilterSet,
    ImportBatchFilterSet,
    ImportRowFilterSet,
    OvertimeRuleFilterSet,
    PayCodeFilterSet,
    PayrollEntryFilterSet,
    PayrollRunFilterSet,
    PayScheduleFilterSet,
    PolicyFilterSet,
)
from .models import (
    Carrier,
    Category,
    CommissionOverride,
    CommissionRule,
    CommissionRuleSet,
    CommissionTransaction,
    ImportBatch,
    ImportRow,
    OvertimeRule,
    PayCode,
    PayrollAcknowledgement,
    PayrollAdjustment,
    PayrollEntry,
    PayrollLine,
    PayrollRun,
    PayrollSourceClaim,
    PaySchedule,
    PayScheduleAssignment,
    Policy,
    PolicyProducer,
)

ZERO_MONEY = Decimal("0.00")
#: the runs whose payslips an employee sees (as "My pay")
PAYSLIP_STATUSES = (PayrollRunStatus.READY, PayrollRunStatus.PAID)


def category_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Category]:
    """Categories of the organisation (every member may read them)."""

    qs = Category.objects.visible_to(actor).order_by("kind", "name", "id")
    return apply_filterset(CategoryFilterSet, filters, qs) if filters else qs


def category_get(*, actor: Actor, pk: int) -> Category:
    return category_list(actor=actor).get(pk=pk)


def carrier_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Carrier]:
    """Carriers of the organisation with their default rule set's id (every member may read them)."""

    qs = Carrier.objects.visible_to(actor).order_by("name", "id")
    return apply_filterset(CarrierFilterSet, filters, qs) if filters else qs


def carrier_get(*, actor: Actor, pk: int) -> Carrier:
    return carrier_list(actor=actor).get(pk=pk)


def rule_set_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[CommissionRuleSet]:
    """Rule sets with their rules (by priority) in two queries; owners, admins and managers only."""

    qs = (
        CommissionRuleSet.objects.visible_to(actor)
        .prefetch_related(Prefetch("rules", queryset=CommissionRule.objects.order_by("priority", "id")))
        .order_by("name", "-version", "id")
    )
    return apply_filterset(CommissionRuleSetFilterSet, filters, qs) if filters else qs


def rule_set_get(*, actor: Actor, pk: int) -> CommissionRuleSet:
    return rule_set_list(actor=actor).get(pk=pk)


def policy_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Policy]:
    """Policies the actor may see, with carrier, line of business and writing producers loaded."""

    qs = (
        Policy.objects.visible_to(actor)
        .select_related("carrier", "line_of_business")
        .prefetch_related(
            Prefetch("producer_links", queryset=PolicyProducer.objects.select_related("producer").order_by("id"))
        )
        .order_by("number", "id")
    )
    return apply_filterset(PolicyFilterSet, filters, qs) if filters else qs


def policy_get(*, actor: Actor, pk: int) -> Policy:
    return policy_list(actor=actor).get(pk=pk)


def _paying_run(field: str) -> Subquery:
    """``field`` of the ready or paid payroll run holding a ledger line (its live claim), or null."""
    claims = PayrollSourceClaim.objects.filter(
        organisation=OuterRef("organisation"),
        kind=SourceKind.COMMISSION_LINE,
        object_id=OuterRef("pk"),
        released=False,
        run__status__in=[PayrollRunStatus.READY, PayrollRunStatus.PAID],
    )
    return Subquery(claims.values(f"run__{field}")[:1])


def transaction_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[CommissionTransaction]:
    """Ledger lines the actor may see, newest first, with every relation and the override
    history loaded (a constant number of queries per page), and the payroll run that pays each
    (ready) or paid it (issue 18 point 9): ``payroll_run_id``, ``payroll_run_pay_date``,
    ``payroll_run_period_start``, ``payroll_run_period_end``, ``payroll_run_status`` (null when none)."""

    qs = (
        CommissionTransaction.objects.visible_to(actor)
        .select_related("policy", "producer", "carrier", "workspace", "line_of_business", "category", "latest_override")
        .prefetch_related(Prefetch("overrides", queryset=CommissionOverride.objects.order_by("-created_at", "-id")))
        .annotate(**{f"payroll_run_{field}": _paying_run(field) for field in PAYING_RUN_FIELDS})
        .order_by("-transaction_date", "-id")
    )
    return apply_filterset(CommissionTransactionFilterSet, filters, qs) if filters else qs


PAYING_RUN_FIELDS = ("id", "pay_date", "period_start", "period_end", "status")


def transaction_get(*, actor: Actor, pk: int) -> CommissionTransaction:
    return transaction_list(actor=actor).get(pk=pk)


def transaction_report_base(*, actor: Actor, filters: dict | None = None) -> QuerySet[CommissionTransaction]:
    """The ledger lines behind a report (issue 6 point 5): the same tenancy, role visibility
    and FilterSet as :func:`transaction_list`, without its joins and prefetches (reports
    aggregate; they never load rows)."""

    qs = CommissionTransaction.objects.visible_to(actor)
    return apply_filterset(CommissionTransactionFilterSet, filters, qs) if filters else qs


def override_history(*, actor: Actor, transactions: QuerySet[CommissionTransaction]) -> QuerySet[CommissionOverride]:
    """The append-only overrides of the given (already scoped) lines, newest first, with the line loaded."""
    return (
        CommissionOverride.objects.for_organisation(actor.organisation)
        .filter(transaction__in=transactions.order_by().values("pk"))
        .select_related("transaction")
        .order_by("-created_at", "-id")
    )


# =============================================================================
# Statement imports
# =============================================================================

#: errors shown on a batch (the rows list has every one)
ERRORS_SHOWN = 100


def _first_errors() -> QuerySet[ImportRow]:
    """Each batch's first ``ERRORS_SHOWN`` rows in error (one query for a whole page of batches)."""
    return (
        ImportRow.objects.filter(status=RowStatus.ERROR)
        .annotate(position=Window(RowNumber(), partition_by=[F("batch_id")], order_by=[F("line").asc(), F("id").asc()]))
        .filter(position__lte=ERRORS_SHOWN)
        .only("id", "batch_id", "line", "errors")
        .order_by("line", "id")
    )


def import_batch_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[ImportBatch]:
    """Batches newest first, with carrier, workspace, the children of a split upload and the
    first rows in error of each (a constant number of queries a page)."""

    children = (
        ImportBatch.objects.only("id", "parent_id")
        .prefetch_related(Prefetch("rows", queryset=_first_errors(), to_attr="first_errors"))
        .order_by("id")
    )
    qs = (
        ImportBatch.objects.visible_to(actor)
        .select_related("carrier", "workspace", "organisation")
        .prefetch_related(
            Prefetch("children", queryset=children),
            Prefetch("rows", queryset=_first_errors(), to_attr="first_errors"),
        )
        .defer("payload")
        .order_by("-created_at", "-id")
    )
    return apply_filterset(ImportBatchFilterSet, filters, qs) if filters else qs


def import_batch_get(*, actor: Actor, pk: int) -> ImportBatch:
    return import_batch_list(actor=actor).get(pk=pk)


def import_batch_errors(*, batch: ImportBatch, limit: int = ERRORS_SHOWN) -> list[dict]:
    """The first ``limit`` rows in error of a batch (and of its children): line and reasons."""
    prefetched = getattr(batch, "first_errors", None)  # prefetched by import_batch_list/_get
    if prefetched is not None:
        rows = [*prefetched, *(row for child in batch.children.all() for row in getattr(child, "first_errors", []))]
    else:
        batch_ids = [batch.pk, *(child.pk for child in batch.children.all())]
        rows = list(_first_errors().filter(batch_id__in=batch_ids))
    rows.sort(key=lambda row: (row.line, row.pk))
    return [
        {"row_id": row.pk, "batch_id": row.batch_id, "line": row.line, "reasons": row.errors} for row in rows[:limit]
    ]


def import_row_list(
    *, actor: Actor, batch: ImportBatch | None = None, filters: dict | None = None
) -> QuerySet[ImportRow]:
    """Rows by line, with their policy, producer and the ledger lines made from them (two queries a page)."""

    qs = (
        ImportRow.objects.visible_to(actor)
        .select_related("policy", "producer", "batch")
        .prefetch_related(
            Prefetch("transactions", queryset=CommissionTransaction.objects.only("id", "import_row_id").order_by("id"))
        )
        .order_by("batch_id", "line", "id")
    )
    if batch is not None:
        qs = qs.filter(batch_id=batch.pk)
    return apply_filterset(ImportRowFilterSet, filters, qs) if filters else qs


def import_row_get(*, actor: Actor, batch: ImportBatch, pk: int) -> ImportRow:
    return import_row_list(actor=actor, batch=batch).get(pk=pk)


# =============================================================================
# Payroll runs (issue 18): owners, admins, HR and organisation-wide credentials read them
# =============================================================================


def pay_schedule_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[PaySchedule]:
    qs = PaySchedule.objects.visible_to(actor).prefetch_related(
        Prefetch("assignments", queryset=PayScheduleAssignment.objects.order_by("employee_id"))
    )
    qs = qs.order_by("name", "id")
    return apply_filterset(PayScheduleFilterSet, filters, qs) if filters else qs


def pay_code_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[PayCode]:
    qs = PayCode.objects.visible_to(actor).order_by("-is_default", "name", "id")
    return apply_filterset(PayCodeFilterSet, filters, qs) if filters else qs


def overtime_rule_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[OvertimeRule]:
    qs = OvertimeRule.objects.visible_to(actor).order_by("office_id", "id")
    return apply_filterset(OvertimeRuleFilterSet, filters, qs) if filters else qs


def payroll_run_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[PayrollRun]:
    qs = PayrollRun.objects.visible_to(actor).order_by("-period_start", "-id")
    return apply_filterset(PayrollRunFilterSet, filters, qs) if filters else qs


def payroll_run_detail_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[PayrollRun]:
    """Runs with everything the detail shows: entries with their employee and lines (pay codes
    loaded), acknowledgements, adjustments: a constant number of queries whatever the size."""
    lines = PayrollLine.objects.select_related("pay_code").order_by("position", "id")
    entries = (
        PayrollEntry.objects.select_related("employee")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("employee__last_name", "employee__first_name", "employee_id")
    )
    return payroll_run_list(actor=actor, filters=filters).prefetch_related(
        Prefetch("entries", queryset=entries),
        Prefetch("acknowledgements", queryset=PayrollAcknowledgement.objects.order_by("created_at", "id")),
        Prefetch("adjustments", queryset=PayrollAdjustment.objects.order_by("id")),
    )


def payroll_run_get(*, actor: Actor, pk: int) -> PayrollRun:
    return payroll_run_detail_list(actor=actor).get(pk=pk)


def payroll_entry_list(*, actor: Actor, run: PayrollRun, filters: dict | None = None) -> QuerySet[PayrollEntry]:
    lines = PayrollLine.objects.select_related("pay_code").order_by("position", "id")
    qs = (
        PayrollEntry.objects.visible_to(actor)
        .filter(run=run)
        .select_related("employee")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("employee__last_name", "employee__first_name", "employee_id", "id")
    )
    return apply_filterset(PayrollEntryFilterSet, filters, qs) if filters else qs


def payroll_previous_run(*, run: PayrollRun) -> PayrollRun | None:
    """The schedule's latest live run before this one (None for an off-cycle run or the first)."""
    if run.pay_schedule_id is None:
        return None
    return (
        PayrollRun.objects.filter(pay_schedule_id=run.pay_schedule_id, period_start__lt=run.period_start)
        .exclude(status=PayrollRunStatus.CANCELLED)
        .order_by("-period_start", "-id")
        .first()
    )


def payroll_run_diff(*, run: PayrollRun) -> dict:
    """Who changed by how much against the previous run of the schedule (two queries)."""
    previous = payroll_previous_run(run=run)
    now = {e.employee_id: e for e in PayrollEntry.objects.filter(run=run).select_related("employee")}
    before = (
        {e.employee_id: e for e in PayrollEntry.objects.filter(run=previous).select_related("employee")}
        if previous
        else {}
    )
    rows = []
    for employee_id in sorted(set(now) | set(before)):
        current, old = now.get(employee_id), before.get(employee_id)
        gross, previous_gross = (current.gross if current else ZERO_MONEY), (old.gross if old else ZERO_MONEY)
        entry = current or old
        assert entry is not None  # the id came from one of the two runs
        employee = entry.employee
        rows.append(
            {
                "employee_id": employee_id,
                "employee_name": employee.display_name,
                "gross": str(gross),
                "previous_gross": str(previous_gross),
                "change": str(gross - previous_gross),
                "status": "added"
                if old is None
                else "removed"
                if current is None
                else "changed"
                if gross != previous_gross
                else "unchanged",
            }
        )
    return {"run_id": run.pk, "previous_run_id": previous.pk if previous else None, "employees": rows}


def my_pay(*, actor: Actor) -> list[PayrollEntry]:
    """The actor's own entries in ready and paid runs, newest first, with lines (for "My pay")."""
    if actor.membership is None:
        return []
    lines = PayrollLine.objects.select_related("pay_code").order_by("position", "id")
    return list(
        PayrollEntry.objects.filter(
            organisation=actor.organisation,
            employee__membership=actor.membership,
            run__status__in=[PayrollRunStatus.READY, PayrollRunStatus.PAID],
        )
        .select_related("run")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("-run__period_start", "-id")
    )


# =============================================================================
# Run exports and payslips (issue 18 point 7)
# =============================================================================


def reads_payroll(actor: Actor) -> bool:
    """Owners, admins, HR and organisation-wide credentials read every run (``PayrollReadQuerySet``)."""
    return actor.sees_whole_organisation or actor.role == Role.HR


def payslip_entry_list(*, actor: Actor, run: PayrollRun) -> QuerySet[PayrollEntry]:
    """The entries of ``run`` whose payslips the actor may read, with employee and lines: every
    one for who reads payroll; else their own, in a ready or paid run (as "My pay")."""
    lines = PayrollLine.objects.select_related("pay_code").order_by("position", "id")
    qs = PayrollEntry.objects.for_organisation(actor.organisation).filter(run=run)
    if not reads_payroll(actor):
        if actor.membership is None or actor.impersonated_producer_id:
            return qs.none()
        qs = qs.filter(employee__membership=actor.membership, run__status__in=PAYSLIP_STATUSES)
    return (
        qs.select_related("employee")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("employee__last_name", "employee__first_name", "employee_id", "id")
    )


def payslip_run_get(*, actor: Actor, pk: int) -> PayrollRun | None:
    """The run if the actor reads it, or holds their own payslip in it (ready or paid); else None."""
    run = PayrollRun.objects.for_organisation(actor.organisation).filter(pk=pk).first()
    if run is None or run.status == PayrollRunStatus.CANCELLED:
        return None
    if reads_payroll(actor) or payslip_entry_list(actor=actor, run=run).exists():
        return run
    return None


def payroll_year_to_date(*, run: PayrollRun, employee_ids: list[int]) -> dict[int, dict]:
    """Per employee: gross, hours and amounts by pay code of the calendar year of ``run``'s pay
    date, from the paid runs paid before it (same pay date: created before it) plus ``run`` itself
    (one query)."""
    year_start = run.pay_date.replace(month=1, day=1)
    earlier = Q(run__pay_date__lt=run.pay_date) | Q(run__pay_date=run.pay_date, run_id__lt=run.pk)
    rows = (
        PayrollEntry.objects.filter(organisation_id=run.organisation_id, employee_id__in=employee_ids)
        .filter(Q(run=run) | (Q(run__status=PayrollRunStatus.PAID, run__pay_date__gte=year_start) & earlier))
        .values_list("employee_id", "gross", "hours_by_code", "amounts_by_code")
    )
    totals: dict[int, dict] = {}
    for employee_id, gross, hours, amounts in rows:
        total = totals.setdefault(employee_id, {"gross": ZERO_MONEY, "hours": {}, "amounts": {}})
        total["gross"] += gross
        for code, value in hours.items():
            total["hours"][code] = total["hours"].get(code, Decimal("0")) + Decimal(value)
        for code, value in amounts.items():
            total["amounts"][code] = total["amounts"].get(code, ZERO_MONEY) + Decimal(value)
    return totals
