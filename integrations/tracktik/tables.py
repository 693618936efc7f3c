"""The TrackTik pages' tables on the shared :class:`~trackyoursheets.web.tables.Table`."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web.tables import CHOICE, DATE, DATETIME, NUMBER, Column, Table


class SyncRunTable(Table):
    name = "tracktik-runs"
    noun = _("sync runs")
    empty_text = _("No sync yet.")
    columns = (
        Column(
            "id",
            _("Run"),
            sort="id",
            link=lambda r: reverse("tracktik:run", args=[r.pk]),
            accessor=lambda r: f"#{r.pk}" + (" (full)" if r.full else ""),
        ),
        Column("status", _("Status"), kind=CHOICE, sort="status", detail=lambda r: r.error),
        Column("progress_percent", _("Progress %"), kind=NUMBER),
        Column("created_count", _("Created"), kind=NUMBER, sort="created_count"),
        Column("updated_count", _("Updated"), kind=NUMBER, sort="updated_count"),
        Column("unchanged_count", _("Unchanged"), kind=NUMBER, sort="unchanged_count"),
        Column("removed_count", _("Removed"), kind=NUMBER, sort="removed_count"),
        Column("flagged_count", _("Flagged"), kind=NUMBER, sort="flagged_count"),
        Column("error_count", _("Errors"), kind=NUMBER, sort="error_count"),
        Column("created_at", _("Started"), kind=DATETIME, sort="created_at"),
    )


def _position_rates(contract) -> str:
    return ", ".join(f"{position}: {rate}" for position, rate in sorted((contract.position_rates or {}).items()))


class ContractTable(Table):
    name = "tracktik-contracts"
    noun = _("contracts")
    empty_text = _("No contract synced: TrackTik's contracts come in with each sync.")
    columns = (
        Column("name", _("Contract"), sort="name", accessor=str, detail=lambda c: c.custom_id),
        Column("tracktik_id", _("TrackTik id"), kind=NUMBER, sort="tracktik_id"),
        Column("site", _("Site"), sort="site__name", accessor=lambda c: c.site.name if c.site else ""),
        Column("start_date", _("Start"), kind=DATE, sort="start_date"),
        Column("end_date", _("End"), kind=DATE, sort="end_date"),
        Column("status", _("Status"), sort="status"),
        Column("bill_rate", _("Client rate"), kind=NUMBER, sort="bill_rate"),
        Column("position_rates", _("Rates per position (TrackTik position id)"), accessor=_position_rates),
    )


def _upload_columns(url_name: str) -> tuple[Column, ...]:
    return (
        Column(
            "id",
            _("Upload"),
            sort="id",
            link=lambda u: reverse(url_name, args=[u.pk]),
            accessor=lambda u: f"#{u.pk} {u.filename}",
        ),
        Column("created_at", _("Uploaded"), kind=DATETIME, sort="created_at"),
    )


class ScrMatchTable(Table):
    name = "tracktik-scr"
    noun = _("SCR matches")
    empty_text = _("Nothing uploaded yet.")
    columns = _upload_columns("tracktik:scr-match")


class InvoiceReconciliationTable(Table):
    name = "tracktik-invoices"
    noun = _("invoice reconciliations")
    empty_text = _("Nothing uploaded yet.")
    columns = _upload_columns("tracktik:invoice")
