"""The commission pages' tables (issue 14 point 5): declared once on the shared
:class:`~trackyoursheets.web.tables.Table`; the views give them a scoped selector queryset."""

from __future__ import annotations

from dataclasses import replace

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web.tables import BADGE, CHOICE, DATE, DATETIME, MONEY, NUMBER, PERCENT, Column, Table


def _statement(txn) -> str:
    return txn.statement_period.strftime("%Y-%m") if txn.statement_period else ""


def _overridden(txn) -> str:
    return str(_("overridden")) if txn.latest_override_id else ""


LINE_COLUMNS = (
    Column(
        "date",
        _("Date"),
        accessor="transaction_date",
        kind=DATE,
        sort="transaction_date",
        link=lambda txn: reverse("commissions:transaction", args=[txn.pk]),
    ),
    Column(
        "producer",
        _("Producer"),
        accessor="producer.display_name",
        sort=("producer__last_name", "producer__first_name"),
        link=lambda txn: reverse("commissions:producer", args=[txn.producer_id]),
    ),
    Column("carrier", _("Carrier"), accessor="carrier.name", sort="carrier__name"),
    Column("policy", _("Policy"), accessor="policy.number", sort="policy__number"),
    Column("statement", _("Statement"), accessor=_statement, sort="statement_period"),
    Column("type", _("Type"), kind=CHOICE, sort="type"),
    Column("status", _("Status"), kind=BADGE, sort="status"),
    Column("premium", _("Premium"), kind=MONEY, sort="premium", total=True),
    Column("gross", _("Gross"), accessor="gross_commission", kind=MONEY, sort="gross_commission", total=True),
    Column("split", _("Split %"), accessor="split_percent", kind=PERCENT, sort="split_percent"),
    Column(
        "amount",
        _("Producer amount"),
        accessor="producer_amount",
        kind=MONEY,
        sort="producer_amount",
        total=True,
        detail=_overridden,
    ),
    Column("source", _("Source"), kind=CHOICE, export_only=True),
    Column("notes", _("Notes"), export_only=True),
)


class LedgerTable(Table):
    """Every line the actor may see (the ledger page)."""

    name = "commission-ledger"
    report = "commission_transactions"  # its report export (issue 17): the Export button
    noun = _("lines")
    empty_text = _("No lines match.")
    css = "ledger"
    columns = LINE_COLUMNS


def _paying_run(txn) -> str:
    """The payroll run that paid a line (or will: ready), as the producer sees it."""
    if getattr(txn, "payroll_run_id", None) is None:
        return ""
    return str(
        _("Payroll run #%(id)s, %(start)s – %(end)s")
        % {"id": txn.payroll_run_id, "start": txn.payroll_run_period_start, "end": txn.payroll_run_period_end}
    )


def _paying_run_detail(txn) -> str:
    if getattr(txn, "payroll_run_id", None) is None:
        return ""
    if txn.payroll_run_status == "paid":
        return str(_("paid on %(day)s") % {"day": txn.payroll_run_pay_date})
    return str(_("to be paid on %(day)s") % {"day": txn.payroll_run_pay_date})


#: the run that paid a line, linked to the producer's own payslip of it ("My pay"): a producer
#: does not open the payroll console
PAID_BY_RUN = Column(
    "payroll_run",
    _("Paid by"),
    accessor=_paying_run,
    link=lambda txn: f"{reverse('payroll:my-pay')}#run-{txn.payroll_run_id}" if txn.payroll_run_id else None,
    detail=_paying_run_detail,
    export=False,
)


class MyLinesTable(Table):
    """A producer's own lines (the portal): no producer column, no link to the staff page; the
    payroll run that paid each links to their "My pay"."""

    name = "my-sales"
    report = "commission_transactions"  # its report export (issue 17): the Export button
    noun = _("lines")
    empty_text = _("No lines match.")
    css = "ledger"
    columns = (*(replace(c, link=None) for c in LINE_COLUMNS if c.key != "producer"), PAID_BY_RUN)


class StatementTable(MyLinesTable):
    name = "statement"
    per_page_default = 100


def _batch_name(batch) -> str:
    return f"#{batch.pk} {batch.original_filename or batch.get_source_display()}"


def _batch_parts(batch) -> str:
    children = len(batch.children.all())
    return str(_("%(n)s carrier batches") % {"n": children}) if children else ""


class ImportTable(Table):
    """Statement imports (top-level batches) with their progress and totals."""

    name = "statement-imports"
    noun = _("imports")
    empty_text = _("No statements imported yet.")
    columns = (
        Column(
            "import",
            _("Import"),
            accessor=_batch_name,
            sort="id",
            link=lambda batch: reverse("imports:detail", args=[batch.pk]),
            detail=_batch_parts,
        ),
        Column("carrier", _("Carrier"), accessor="carrier.name", sort="carrier__name"),
        Column("status", _("Status"), kind=BADGE, sort="status", template="imports/_status_cell.html"),
        Column("total_rows", _("Rows"), kind=NUMBER, sort="total_rows"),
        Column("unmatched_rows", _("Unmatched"), kind=NUMBER, sort="unmatched_rows"),
        Column("error_rows", _("Errors"), kind=NUMBER, sort="error_rows"),
        Column("gross_total", _("Gross commission"), kind=MONEY, sort="gross_total", total=True),
        Column("created_at", _("Uploaded"), kind=DATETIME, sort="created_at", detail=lambda b: b.created_by_label),
        Column("status_label", _("Status"), accessor="status", kind=CHOICE, export_only=True),
    )


class MyPolicyTable(Table):
    """A producer's policies; their split comes from the page's ``producer`` (a cell template)."""

    name = "my-policies"
    noun = _("policies")
    empty_text = _("No policies are written by you yet.")
    columns = (
        Column("number", _("Policy"), sort="number"),
        Column("carrier", _("Carrier"), accessor="carrier.name", sort="carrier__name"),
        Column("customer", _("Customer"), accessor="customer_name", sort="customer_name"),
        Column("line_of_business", _("Line of business"), accessor="line_of_business.name"),
        Column("status", _("Status"), kind=CHOICE, sort="status"),
        Column("effective_date", _("Effective"), kind=DATE, sort="effective_date"),
        Column("expiry_date", _("Expires"), kind=DATE, sort="expiry_date"),
        Column("premium", _("Premium"), kind=MONEY, sort="premium", total=True),
        Column("split", _("My split"), kind=PERCENT, template="payroll/cells/my_split.html", css="num"),
    )


class StatementListTable(Table):
    """One row per statement month (the report's groups)."""

    name = "my-statements"
    noun = _("statements")
    empty_text = _("No statements yet.")
    default_sort = "-month"
    columns = (
        Column(
            "month",
            _("Statement month"),
            accessor="key",
            sort=True,
            link=lambda group: reverse("commissions:portal-statement", args=[group.key]),
        ),
        Column("count", _("Lines"), kind=NUMBER, sort=True, total=True),
        Column("premium", _("Premium"), kind=MONEY, sort=True, total=True),
        Column("gross_commission", _("Gross commission"), kind=MONEY, sort=True, total=True),
        Column("producer_amount", _("My commission"), kind=MONEY, sort=True, total=True),
    )


class ProducerLinesTable(Table):
    """A producer's lines on their sales page: a checkbox for the bulk override and a per-row
    override form (cell templates), no producer column."""

    name = "producer-sales"
    report = "commission_transactions"  # its report export, the producer fixed by the page (issue 17)
    noun = _("lines")
    empty_text = _("No lines match.")
    css = "ledger"
    columns = (
        Column("select", _("Select"), template="payroll/cells/select_line.html", export=False),
        *(c for c in LINE_COLUMNS if c.key not in ("producer", "type")),
        Column("override", _("Override this line"), template="payroll/cells/override_line.html", export=False),
    )


# ---- reference data (issue 14 point 9 pages, on the shared table) ------------------------------


def _default_rule_set(carrier) -> str:
    rule_set = carrier.default_rule_set
    return f"{rule_set.name} v{rule_set.version}" if rule_set is not None else "—"


class CarrierTable(Table):
    name = "carriers"
    noun = _("carriers")
    empty_text = _("No carriers yet.")
    default_sort = "name"
    columns = (
        Column("name", _("Name"), sort="name", link=lambda c: reverse("commissions:carrier", args=[c.pk])),
        Column("code", _("Code"), sort="code"),
        Column("statement_date_format", _("Statement dates"), kind=CHOICE, sort="statement_date_format"),
        Column("default_rule_set", _("Default rule set"), accessor=_default_rule_set),
    )


def _in_force(rule_set) -> str:
    start = rule_set.effective_from.isoformat() if rule_set.effective_from else ""
    end = rule_set.effective_to.isoformat() if rule_set.effective_to else str(_("open-ended"))
    return f"{start} – {end}"


class RuleSetTable(Table):
    name = "rule-sets"
    noun = _("rule sets")
    empty_text = _("No rule sets yet.")
    default_sort = "name"
    columns = (
        Column(
            "name", _("Name"), sort=("name", "version"), link=lambda r: reverse("commissions:rule-set", args=[r.pk])
        ),
        Column("version", _("Version"), kind=NUMBER, sort="version"),
        Column("in_force", _("In force"), accessor=_in_force, sort="effective_from"),
        Column("active", _("Active"), sort="active"),
    )


def _producers(policy) -> str:
    links = [
        f"{link.producer.display_name} ({link.split_percent.normalize():f}%)" for link in policy.producer_links.all()
    ]
    return ", ".join(links) or "—"


class PolicyTable(Table):
    """Every policy the actor may see (staff); the portal has :class:`MyPolicyTable`."""

    name = "policies"
    noun = _("policies")
    empty_text = _("No policies yet.")
    default_sort = "number"
    columns = (
        Column("number", _("Number"), sort="number", link=lambda p: reverse("commissions:policy", args=[p.pk])),
        Column("carrier", _("Carrier"), accessor="carrier.name", sort="carrier__name"),
        Column("customer", _("Customer"), accessor="customer_name", sort="customer_name"),
        Column("line_of_business", _("Line of business"), accessor="line_of_business.name"),
        Column("premium", _("Premium"), kind=MONEY, sort="premium", total=True),
        Column("effective_date", _("Effective"), kind=DATE, sort="effective_date"),
        Column("status", _("Status"), kind=CHOICE, sort="status"),
        Column("producers", _("Producers"), accessor=_producers),
    )


def _row_producer(row) -> str:
    return row.producer.display_name if row.producer is not None else (row.producer_ref or "")


def _row_notes(row) -> str:
    return " ".join([*(row.errors or []), *(row.warnings or [])])


class ImportRowTable(Table):
    """Every row of one statement import (its detail page), by line."""

    name = "import-rows"
    report = "import_rows"  # its report export (issue 17): the Export button and the CSV download
    noun = _("rows")
    empty_text = _("No rows.")
    default_sort = "line"
    columns = (
        Column("line", _("Line"), kind=NUMBER, sort="line"),
        Column("status", _("Status"), kind=CHOICE, sort="status"),
        Column("policy", _("Policy"), accessor="policy_number", sort="policy_number"),
        Column("producer", _("Producer"), accessor=_row_producer),
        Column("date", _("Date"), accessor="transaction_date", kind=DATE, sort="transaction_date"),
        Column("premium", _("Premium"), kind=MONEY, sort="premium", total=True),
        Column("gross", _("Gross"), accessor="gross_commission", kind=MONEY, sort="gross_commission", total=True),
        Column("type", _("Type"), kind=CHOICE, sort="type"),
        Column(
            "confidence",
            _("Confidence"),
            kind=NUMBER,
            sort="confidence",
            detail=lambda r: r.get_match_method_display() if r.match_method else "",
        ),
        Column("notes", _("Notes"), accessor=_row_notes),
    )
