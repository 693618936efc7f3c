"""The TrackTik report export (issue 19 point 4), registered from ``apps.py``: ``tracktik_billing``
is ``GET /v1/reports/tracktik-billing?week=…`` (the weekly billing by client), one row per line
(client, site, position, pay type) with the same figures, rendered by the endpoint's serializer;
its PDF is the invoice backup (the week's totals, amount by client, each client's lines).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from integrations.exports.registry import Column, Deck, Report, Rows
from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.api.filters import reject_unknown_parameters

from . import selectors
from .api.serializers import BillingQuerySerializer, BillingReportSerializer

__all__ = ["REPORTS"]

AREA = "integrations"

_COLUMNS = (
    Column("week_start", type="date"),
    Column("week_end", type="date"),
    Column("currency"),
    Column("client_id", type="int"),
    Column("client_name"),
    Column("site_id", type="int"),
    Column("site_tracktik_id", type="int"),
    Column("site_custom_id"),
    Column("site_name"),
    Column("position_id", type="int"),
    Column("position"),
    Column("post_position_code"),
    Column("pay_type"),
    Column("hours", type="hours"),
    Column("rate", type="money"),
    Column("factor"),
    Column("amount", type="money"),
    Column("shift_ids"),
)


def _week(filters):
    reject_unknown_parameters(filters, {"week"})
    query = BillingQuerySerializer(data={k: v for k, v in filters.items() if k == "week"})
    if not query.is_valid():
        raise ValidationFailed(query.errors)
    return query.validated_data["week"]


def _validate(actor, filters) -> None:
    _week(filters)


def _report(actor, filters) -> dict:
    """The endpoint's JSON body for the week asked."""
    return BillingReportSerializer(selectors.billing_report(actor=actor, week=_week(filters))).data


def _lines(report: dict) -> list[dict]:
    rows = []
    head = {"week_start": report["week_start"], "week_end": report["week_end"], "currency": report["currency"]}
    for client in report["clients"]:
        for site in client["sites"]:
            for line in site["lines"]:
                rows.append(
                    {
                        **head,
                        "client_id": client["client_id"],
                        "client_name": client["client_name"],
                        "site_id": site["site_id"],
                        "site_tracktik_id": site["tracktik_id"],
                        "site_custom_id": site["custom_id"],
                        "site_name": site["name"],
                        **line,
                    }
                )
    return rows


def _rows(actor, filters) -> Rows:
    rows = _lines(_report(actor, filters))
    return Rows(total=len(rows), chunks=[rows])


def _deck(actor, filters) -> Deck:
    """The invoice backup: the week's totals, amount by client, and every client's lines."""
    report = _report(actor, filters)
    totals, currency = report["totals"], report["currency"]
    header = (_("Site"), _("Position"), _("Pay type"), _("Hours"), _("Rate"), _("Factor"), _("Amount"))
    return Deck(
        title=_("TrackTik weekly billing: invoice backup"),
        period=f"{report['week_start']} – {report['week_end']}",
        figures=(
            (_("Amount (%(c)s)") % {"c": currency}, totals["amount"]),
            (_("Hours"), totals["hours"]),
            (_("Regular hours"), totals["regular_hours"]),
            (_("Overtime hours"), totals["overtime_hours"]),
            (_("Holiday hours"), totals["holiday_hours"]),
        ),
        charts=(
            (_("Amount by client"), tuple((c["client_name"], float(Decimal(c["amount"]))) for c in report["clients"])),
        ),
        tables=tuple(
            (
                f"{client['client_name']}: {client['hours']} h, {client['amount']} {currency}",
                header,
                tuple(
                    (
                        site["custom_id"] or site["name"],
                        line["position"],
                        line["pay_type"],
                        line["hours"],
                        line["rate"],
                        line["factor"],
                        line["amount"],
                    )
                    for site in client["sites"]
                    for line in site["lines"]
                ),
            )
            for client in report["clients"]
        ),
    )


TRACKTIK_BILLING = Report(
    name="tracktik_billing",
    title=_("TrackTik weekly billing"),
    area=AREA,
    columns=_COLUMNS,
    rows=_rows,
    validate=_validate,
    deck=_deck,
    description=_("GET /v1/reports/tracktik-billing (week required): one row per client, site, position and pay type."),
    filter_names=("week",),
)

REPORTS = (TRACKTIK_BILLING,)
