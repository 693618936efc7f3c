"""The payroll-run reports of report exports (issue 18 point 7), in ``payroll.exports.REPORTS``.

``payroll_run``: one row per employee × pay code of a run — the pay code's external code, hours
and amount, the run's period and pay date —, what an accounting or payroll provider imports; the
same figures as ``GET /v1/payroll/runs/{id}``'s entries (``hours_by_code``, ``amounts_by_code``).
``payslips``: the PDF is a payslip per employee (gross, hours and amounts by pay code, commissions,
reimbursements, year to date from the paid runs of the pay date's calendar year); CSV and XLSX give
one row per employee.

Filters: ``run_id`` (required) and those of ``GET /v1/payroll/runs/{id}/entries`` (``employee_id``,
``office_id``). Owners, admins, HR and organisation-wide clients export any run; anyone else only
their own payslip of a ready or paid run. A run the requester may not read (another organisation's,
a cancelled one, or without their payslip) is a 422 on ``filters.run_id``, as any bad filter.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from integrations.exports.registry import Column, Deck, Report, Rows, actor_request, query_dict
from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.api.filters import apply_filterset, reject_unknown_parameters, supported_parameters
from trackyoursheets.limits import MAX_WHOLE_NUMBER

from . import selectors
from .choices import PayCodeKind
from .filters import PayrollEntryFilterSet
from .models import PayCode, PayrollRun

__all__ = ["PAYROLL_RUN", "PAYSLIPS"]

AREA = "payroll"
CHUNK = 2000
_ENTRY_FILTERS = supported_parameters(PayrollEntryFilterSet) - {"page", "page_size", "per_page"}
FILTERS = _ENTRY_FILTERS | {"run_id"}
ZERO = Decimal("0.00")

_RUN = (
    Column("run_id", type="int"),
    Column("period_start", type="date"),
    Column("period_end", type="date"),
    Column("pay_date", type="date"),
    Column("run_status"),
    Column("employee_id", type="int"),
    Column("employee_number"),
    Column("employee_name"),
)


# =============================================================================
# The run and its entries, as the requester sees them
# =============================================================================


def _run(actor, filters, *, payslips: bool) -> PayrollRun:
    reject_unknown_parameters(filters, FILTERS)
    problem = ValidationFailed({"run_id": [_("Give the id of a payroll run you can read (run_id).")]})
    try:
        pk = int(str(filters.get("run_id", "")))
    except ValueError:
        raise problem from None
    if not 1 <= pk <= MAX_WHOLE_NUMBER:
        raise problem
    if payslips:
        run = selectors.payslip_run_get(actor=actor, pk=pk)
    else:
        run = selectors.payroll_run_list(actor=actor).filter(pk=pk).first()
    if run is None:
        raise problem
    return run


def _entries(actor, filters, run: PayrollRun, *, payslips: bool):
    base = (
        selectors.payslip_entry_list(actor=actor, run=run)
        if payslips
        else selectors.payroll_entry_list(actor=actor, run=run)
    )
    rest = {k: v for k, v in filters.items() if k != "run_id"}
    return apply_filterset(PayrollEntryFilterSet, query_dict(rest), base, actor_request(actor))


def _validate(payslips: bool):
    def validate(actor, filters) -> None:
        run = _run(actor, filters, payslips=payslips)
        entries = _entries(actor, filters, run, payslips=payslips)
        if filters.get("employee_id") and not entries.exists():
            raise ValidationFailed({"employee_id": [_("This employee is not in the run, or not yours to export.")]})

    return validate


def _head(run: PayrollRun, entry) -> dict:
    employee = entry.employee
    return {
        "run_id": run.pk,
        "period_start": run.period_start.isoformat(),
        "period_end": run.period_end.isoformat(),
        "pay_date": run.pay_date.isoformat(),
        "run_status": run.status,
        "employee_id": entry.employee_id,
        "employee_number": employee.employee_number,
        "employee_name": employee.display_name,
    }


def _codes(run: PayrollRun) -> dict[str, PayCode]:
    return {c.code: c for c in PayCode.objects.filter(organisation_id=run.organisation_id)}


def _in_chunks(rows: list[dict]) -> list[list[dict]]:
    return [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)] or [[]]


# =============================================================================
# payroll_run: one row per employee × pay code
# =============================================================================


def _run_rows(actor, filters) -> Rows:
    run = _run(actor, filters, payslips=False)
    codes = _codes(run)
    currency = actor.organisation.currency
    entries = _entries(actor, filters, run, payslips=False).prefetch_related(None).select_related("employee")
    rows = []
    for entry in entries:
        head = _head(run, entry)
        for code, amount in sorted(entry.amounts_by_code.items()):
            pay_code = codes.get(code)
            rows.append(
                {
                    **head,
                    "pay_code": code,
                    "pay_code_name": pay_code.name if pay_code else code,
                    "external_code": pay_code.external_code if pay_code else "",
                    "hours": entry.hours_by_code.get(code),
                    "amount": amount,
                    "currency": currency,
                }
            )
    return Rows(total=len(rows), chunks=_in_chunks(rows))


PAYROLL_RUN = Report(
    name="payroll_run",
    title=_("Payroll run"),
    area=AREA,
    columns=(
        *_RUN,
        Column("pay_code"),
        Column("pay_code_name"),
        Column("external_code"),
        Column("hours", type="hours"),
        Column("amount", type="money"),
        Column("currency"),
    ),
    rows=_run_rows,
    validate=_validate(payslips=False),
    description=_(
        "A payroll run (run_id, required): one row per employee and pay code with its external code, "
        "hours and amount, for accounting and payroll providers."
    ),
    filter_names=tuple(sorted(FILTERS)),
)


# =============================================================================
# payslips: a PDF page per employee; CSV/XLSX a row per employee
# =============================================================================


def _kind_total(entry, kind: str) -> Decimal:
    return sum((line.amount for line in entry.lines.all() if line.pay_code.kind == kind), ZERO)


def _hours_total(entry) -> Decimal:
    return sum((Decimal(h) for h in entry.hours_by_code.values()), Decimal("0.00"))


def _payslip_data(actor, filters):
    run = _run(actor, filters, payslips=True)
    entries = list(_entries(actor, filters, run, payslips=True))
    ytd = selectors.payroll_year_to_date(run=run, employee_ids=[e.employee_id for e in entries])
    return run, entries, ytd


def _payslip_rows(actor, filters) -> Rows:
    run, entries, ytd = _payslip_data(actor, filters)
    currency = actor.organisation.currency
    rows = [
        {
            **_head(run, entry),
            "gross": str(entry.gross),
            "hours": str(_hours_total(entry)),
            "commissions": str(_kind_total(entry, PayCodeKind.COMMISSION)),
            "reimbursements": str(_kind_total(entry, PayCodeKind.REIMBURSEMENT)),
            "ytd_gross": str(ytd.get(entry.employee_id, {}).get("gross", ZERO)),
            "currency": currency,
        }
        for entry in entries
    ]
    return Rows(total=len(rows), chunks=_in_chunks(rows))


def _payslip_page(run: PayrollRun, entry, ytd: dict, codes: dict, currency: str) -> Deck:
    names = {code: (codes[code].name if code in codes else code) for code in entry.amounts_by_code}
    external = {code: (codes[code].external_code if code in codes else "") for code in entry.amounts_by_code}
    by_code = tuple(
        (names[code], external[code], entry.hours_by_code.get(code, ""), f"{Decimal(amount):,.2f}")
        for code, amount in sorted(entry.amounts_by_code.items())
    )
    lines_of = {
        kind: tuple(
            (line.explanation, f"{line.amount:,.2f}") for line in entry.lines.all() if line.pay_code.kind == kind
        )
        for kind in (PayCodeKind.COMMISSION, PayCodeKind.REIMBURSEMENT)
    }
    year = ytd.get(entry.employee_id, {"gross": ZERO, "hours": {}, "amounts": {}})
    ytd_rows = tuple(
        (codes[code].name if code in codes else code, str(year["hours"].get(code, "")), f"{amount:,.2f}")
        for code, amount in sorted(year["amounts"].items())
    )
    employee = entry.employee
    tables = [
        (_("Hours and pay by code"), (_("Pay code"), _("External code"), _("Hours"), _("Amount")), by_code),
        (_("Commissions"), (_("Line"), _("Amount")), tuple(lines_of[PayCodeKind.COMMISSION]) or ((_("None"), "0.00"),)),
        (
            _("Reimbursements"),
            (_("Line"), _("Amount")),
            tuple(lines_of[PayCodeKind.REIMBURSEMENT]) or ((_("None"), "0.00"),),
        ),
        (_("Year to date %(year)s") % {"year": run.pay_date.year}, (_("Pay code"), _("Hours"), _("Amount")), ytd_rows),
    ]
    return Deck(
        title=_("Payslip: %(name)s") % {"name": employee.display_name},
        figures=(
            (_("Employee"), employee.display_name),
            (_("Employee number"), employee.employee_number or "–"),
            (_("Pay date"), run.pay_date.isoformat()),
            (_("Gross (%(c)s)") % {"c": currency}, f"{entry.gross:,.2f}"),
            (_("Hours"), str(_hours_total(entry))),
            (_("Gross year to date"), f"{year['gross']:,.2f}"),
        ),
        tables=tuple(tables),
    )


def payslip_deck(actor, filters) -> Deck:
    """One page per employee; the organisation, period and generation time on every page."""
    run, entries, ytd = _payslip_data(actor, filters)
    codes = _codes(run)
    currency = actor.organisation.currency
    return Deck(
        title=_("Payslips, pay date %(date)s") % {"date": run.pay_date.isoformat()},
        period=f"{run.period_start.isoformat()} – {run.period_end.isoformat()}",
        pages=tuple(_payslip_page(run, entry, ytd, codes, currency) for entry in entries),
        figures=()
        if len(entries) <= 1
        else (
            (_("Payslips"), str(len(entries))),
            (_("Gross (%(c)s)") % {"c": currency}, f"{sum((e.gross for e in entries), ZERO):,.2f}"),
        ),
    )


PAYSLIPS = Report(
    name="payslips",
    title=_("Payslips"),
    area=AREA,
    columns=(
        *_RUN,
        Column("gross", type="money"),
        Column("hours", type="hours"),
        Column("commissions", type="money"),
        Column("reimbursements", type="money"),
        Column("ytd_gross", type="money"),
        Column("currency"),
    ),
    rows=_payslip_rows,
    validate=_validate(payslips=True),
    deck=payslip_deck,
    description=_(
        "Payslips of a payroll run (run_id, required): the PDF has a page per employee with gross, hours "
        "by code, commissions, reimbursements and year to date; an employee exports their own."
    ),
    filter_names=tuple(sorted(FILTERS)),
)
