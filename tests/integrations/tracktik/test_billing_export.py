"""The ``tracktik_billing`` report export (issue 19 point 4): the figures of
``GET /v1/reports/tracktik-billing?week=…`` one row per line, in CSV and XLSX (money typed), the
invoice backup PDF, the scopes, a bad or missing week is a 422, another organisation sees none."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from organisations.choices import Role
from tests.organisations.factories import MembershipFactory
from tests.timetracking.conftest import token_client

from ..exports_helpers import cell, csv_rows, download, export_and_wait, pdf_text, request_export, xlsx_rows
from .conftest import WEEK, sync

SCOPES = ("integrations.read", "reports.export")
BODY = {"report": "tracktik_billing", "filters": {"week": "2026-11-04"}}


def _lines(report: dict) -> list[dict]:
    """The endpoint's lines flattened as the export writes them."""
    head = {k: report[k] for k in ("week_start", "week_end", "currency")}
    return [
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
        for client in report["clients"]
        for site in client["sites"]
        for line in site["lines"]
    ]


@pytest.fixture
def admin(api, organisation, fake, connected):
    sync(api, organisation)
    return token_client(MembershipFactory(organisation=organisation, role=Role.ADMIN), SCOPES)


def test_csv_and_xlsx_are_the_weekly_billing(admin, committed):
    lines = _lines(admin.get("/v1/reports/tracktik-billing", {"week": "2026-11-04"}).json())
    assert len(lines) == 5
    export = export_and_wait(admin, committed, {**BODY, "format": "csv"})
    rows = csv_rows(download(admin, export))
    assert rows == [{k: json.dumps(v) if isinstance(v, list) else cell(v) for k, v in line.items()} for line in lines]
    assert rows[0]["week_start"] == WEEK
    export = export_and_wait(admin, committed, {**BODY, "format": "xlsx"})
    sheet = xlsx_rows(download(admin, export))
    assert len(sheet) == len(lines)
    for row, line in zip(sheet, lines, strict=True):
        assert isinstance(row["amount"], (int, float)) and f"{Decimal(str(row['amount'])):.2f}" == line["amount"]
        assert f"{Decimal(str(row['rate'])):.2f}" == line["rate"]
    assert sum(Decimal(str(r["amount"])) for r in sheet) == Decimal("2670.00")


def test_the_pdf_is_the_invoice_backup(admin, committed):
    export = export_and_wait(admin, committed, {**BODY, "format": "pdf"})
    text = pdf_text(download(admin, export))
    for expected in ("invoice backup", "Amsterdam Campus", "New York HQ", "2670.00", "Front Desk"):
        assert expected in text


def test_the_week_is_required_and_the_scopes_checked(admin, organisation, other_organisation, committed):
    assert request_export(admin, committed, {"report": "tracktik_billing", "format": "csv"}).status_code == 422
    bad = request_export(admin, committed, {**BODY, "format": "csv", "filters": {"week": "soon"}})
    assert bad.status_code == 422
    bad = request_export(admin, committed, {**BODY, "format": "csv", "filters": {"week": WEEK, "client": 1}})
    assert bad.status_code == 422
    no_scope = token_client(MembershipFactory(organisation=organisation, role=Role.ADMIN), ("reports.export",))
    assert request_export(no_scope, committed, {**BODY, "format": "csv"}).status_code == 403
    other = token_client(MembershipFactory(organisation=other_organisation, role=Role.ADMIN), SCOPES)
    export = export_and_wait(other, committed, {**BODY, "format": "csv"})
    assert export["rows"] == 0 and csv_rows(download(other, export)) == []


def test_the_billing_page_links_to_the_export(admin, session_client, organisation):
    page = session_client(MembershipFactory(organisation=organisation, role=Role.ADMIN))
    html = page.get("/app/tracktik/billing", {"week": "2026-11-04"}).content.decode()
    assert f"/app/exports/?report=tracktik_billing&amp;week={WEEK}" in html
    assert page.get(f"/app/exports/?report=tracktik_billing&week={WEEK}").status_code == 200
