"""The commission reports of report exports (issue 17), registered from ``apps.py``.

``commission_transactions`` is ``GET /v1/transactions`` (same selector, FilterSet and
serializer: a producer's file holds their own lines, a manager's their office's);
``commission_summary`` is ``GET /v1/reports/commissions``' groups (by carrier, producer,
workspace, category, line of business or statement month) and its PDF is the leadership deck;
``import_batch_exceptions`` is the statement imports' exception queue
(``GET /v1/imports/{id}/rows?needs_attention=true``, over every import unless ``batch_id``) and
``import_rows`` the same rows whatever their status (an import's detail page downloads it);
``payroll_run`` and ``payslips`` are a payroll run's (``run_exports.py``, issue 18 point 7).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.utils.translation import gettext as _

from integrations.exports.registry import Column, Deck, Report, Rows, query_dict, queryset_report, serializer_renderer
from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.api.filters import reject_unknown_parameters, supported_parameters

from . import reports, selectors
from .api.serializers.imports import ImportRowSerializer
from .api.serializers.ledger import CommissionTransactionSerializer, ReportGroupSerializer
from .filters import CommissionTransactionFilterSet, ImportRowFilterSet
from .run_exports import PAYROLL_RUN, PAYSLIPS

__all__ = ["REPORTS"]

AREA = "transactions"
_MONEY = ("premium", "gross_commission", "base_amount", "producer_amount", "amount")
_INTS = ("id", "count", "line", "batch_id", "duplicate_of_id")
_DATES = ("transaction_date",)  # statement_period is a month, "YYYY-MM": text
_INSTANTS = ("created_at", "updated_at")


def _type(name: str) -> str:
    if name in _MONEY:
        return "money"
    if name in _INTS or name.endswith("_id"):
        return "int"
    if name in _DATES:
        return "date"
    if name in _INSTANTS:
        return "datetime"
    return "text"


COMMISSION_TRANSACTIONS = queryset_report(
    name="commission_transactions",
    title=_("Commission ledger"),
    area=AREA,
    columns=[Column(name, type=_type(name)) for name in CommissionTransactionSerializer.Meta.fields],
    selector=selectors.transaction_list,
    filterset=CommissionTransactionFilterSet,
    renderer=serializer_renderer(CommissionTransactionSerializer),
    chunk=1000,
    description=_("The ledger lines of GET /v1/transactions."),
)


# =============================================================================
# The summary and the leadership deck: GET /v1/reports/commissions
# =============================================================================

_SUMMARY_OPTIONS = frozenset({"group_by", "period", "sort"})
_LEDGER_FILTERS = supported_parameters(CommissionTransactionFilterSet) - {"page", "page_size", "per_page"}


def _ledger_filters(filters) -> dict:
    return {k: v for k, v in filters.items() if k in _LEDGER_FILTERS}


def _summary_validate(actor, filters) -> None:
    reject_unknown_parameters(filters, _LEDGER_FILTERS | _SUMMARY_OPTIONS)
    group_by = filters.get("group_by") or "carrier"
    if group_by not in reports.GROUP_BY:
        raise ValidationFailed({"group_by": [_("Use one of: %(v)s.") % {"v": ", ".join(reports.GROUP_BY)}]})
    reports.commission_report(
        actor=actor,
        group_by=group_by,
        filters=query_dict(_ledger_filters(filters)),
        period=filters.get("period") or None,
        sort=filters.get("sort") or None,
        limit=1,
    )


def _summary_rows(actor, filters) -> Rows:
    report = reports.commission_report(
        actor=actor,
        group_by=filters.get("group_by") or "carrier",
        filters=query_dict(_ledger_filters(filters)),
        period=filters.get("period") or None,
        sort=filters.get("sort") or None,
    )
    rows = [dict(row) for row in ReportGroupSerializer(report.groups, many=True).data]
    return Rows(total=len(rows), chunks=[rows])


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def commission_deck(actor, filters) -> Deck:
    """Premium and commission by statement month, top producers, carrier mix: three grouped
    queries over every line the actor may see, whatever their number."""
    ledger = _ledger_filters(filters)
    period = filters.get("period") or None
    by_month = reports.commission_report(actor=actor, group_by="period", filters=query_dict(ledger), period=period)
    producers = reports.commission_report(
        actor=actor, group_by="producer", filters=query_dict(ledger), period=period, limit=10
    )
    carriers = reports.commission_report(actor=actor, group_by="carrier", filters=query_dict(ledger), period=period)
    totals = by_month.totals
    currency = by_month.currency
    months = by_month.groups[-24:]
    carrier_rows = sorted(carriers.groups, key=lambda g: g.premium, reverse=True)
    share = totals.premium or Decimal(1)
    return Deck(
        title=_("Commissions leadership deck"),
        period=str(reports.PERIOD_LABELS[period]) if period else _("All time"),
        figures=(
            (_("Premium (%(c)s)") % {"c": currency}, _money(totals.premium)),
            (_("Gross commission"), _money(totals.gross_commission)),
            (_("Producer amount"), _money(totals.producer_amount)),
            ("lines", str(totals.count)),
        ),
        charts=(
            (_("Premium by statement month"), tuple((g.label, float(g.premium)) for g in months)),
            (_("Gross commission by statement month"), tuple((g.label, float(g.gross_commission)) for g in months)),
            (_("Top producers by premium"), tuple((g.label, float(g.premium)) for g in producers.groups)),
        ),
        tables=(
            (
                _("Top producers"),
                (_("Producer"), _("Premium"), _("Gross commission"), _("Producer amount"), _("Lines")),
                tuple(
                    (g.label, _money(g.premium), _money(g.gross_commission), _money(g.producer_amount), str(g.count))
                    for g in producers.groups
                ),
            ),
            (
                _("Carrier mix"),
                (_("Carrier"), _("Premium"), _("Share"), _("Gross commission"), _("Lines")),
                tuple(
                    (
                        g.label,
                        _money(g.premium),
                        f"{(g.premium * 100 / share).quantize(Decimal('0.1'))} %",
                        _money(g.gross_commission),
                        str(g.count),
                    )
                    for g in carrier_rows
                ),
            ),
        ),
    )


COMMISSION_SUMMARY = Report(
    name="commission_summary",
    title=_("Commission summary"),
    area=AREA,
    columns=tuple(Column(name, type=_type(name)) for name in ReportGroupSerializer().fields),
    rows=_summary_rows,
    validate=_summary_validate,
    deck=commission_deck,
    description=_(
        "GET /v1/reports/commissions' groups (group_by: carrier by default); the PDF is the leadership deck."
    ),
    filter_names=tuple(sorted(_LEDGER_FILTERS | _SUMMARY_OPTIONS)),
)

# the transactions' PDF is the leadership deck too
COMMISSION_TRANSACTIONS = dataclasses.replace(COMMISSION_TRANSACTIONS, deck=commission_deck)


# =============================================================================
# Import exceptions
# =============================================================================

_IMPORTS = queryset_report(
    name="import_batch_exceptions",
    title=_("Import exceptions"),
    area=AREA,
    columns=[Column(name, type=_type(name)) for name in ImportRowSerializer.Meta.fields],
    selector=selectors.import_row_list,
    filterset=ImportRowFilterSet,
    renderer=serializer_renderer(ImportRowSerializer),
    chunk=1000,
    description=_(
        "Statement-import rows that need attention (unmatched or in error); needs_attention=false: the others."
    ),
)


def _exception_rows(actor, filters) -> Rows:
    return _IMPORTS.rows(actor, {"needs_attention": "true", **filters})


IMPORT_BATCH_EXCEPTIONS = dataclasses.replace(_IMPORTS, rows=_exception_rows)
#: every row, as an import's detail page lists them (its CSV download)
IMPORT_ROWS = dataclasses.replace(
    _IMPORTS,
    name="import_rows",
    title=_("Import rows"),
    description=_("Statement-import rows, every status (GET /v1/imports/{id}/rows over every import unless batch_id)."),
)

# the payroll runs' reports (issue 18 point 7): payroll/run_exports.py
REPORTS = (COMMISSION_TRANSACTIONS, COMMISSION_SUMMARY, IMPORT_BATCH_EXCEPTIONS, IMPORT_ROWS, PAYROLL_RUN, PAYSLIPS)
