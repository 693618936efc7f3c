"""Report exports of commissions, HR and the audit trail (issue 17): content against the API's
lists, the leadership deck, and who sees what (producer, manager, HR, employee, other tenant)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

from organisations.choices import Role
from tests.hr.factories import EmployeeFactory, HRDocumentFactory
from tests.organisations.factories import MembershipFactory, OfficeFactory, ProducerFactory, WorkspaceFactory
from tests.payroll.factories import CarrierFactory, CommissionTransactionFactory
from tests.timetracking.conftest import token_client

from .exports_helpers import api_list, cell, csv_rows, download, export_and_wait, pdf_text, request_export, xlsx_rows

D = Decimal
ALL = ("transactions.read", "hr.read", "organisation.read", "reports.export", "time.read")


def _cell(value) -> str:
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else cell(value)


def same_as_api(rows, listed):
    api = {str(r["id"]): r for r in listed}
    assert len(rows) == len(listed)
    for row in rows:
        expected = api[row["id"]]
        assert row == {k: _cell(v) for k, v in expected.items()}


@pytest.fixture
def book(organisation):
    north, south = OfficeFactory(organisation=organisation), OfficeFactory(organisation=organisation)
    login = MembershipFactory(organisation=organisation, role=Role.PRODUCER, office=north)
    paula = ProducerFactory(workspace=WorkspaceFactory(office=north), membership=login, portal_access=True)
    rick = ProducerFactory(workspace=WorkspaceFactory(office=south))
    acme, zeta = (
        CarrierFactory(organisation=organisation, name="Acme Mutual"),
        CarrierFactory(organisation=organisation, name="Zeta Life"),
    )
    for month in (1, 2, 3):
        day = datetime.date(2026, month, 10)
        for producer, carrier, premium in ((paula, acme, D("1000.10")), (rick, zeta, D("333.33"))):
            CommissionTransactionFactory(
                producer=producer,
                carrier=carrier,
                transaction_date=day,
                statement_period=day.replace(day=1),
                premium=premium,
                gross_commission=premium / 10,
            )
    admin = MembershipFactory(organisation=organisation, role=Role.ADMIN)
    manager = MembershipFactory(organisation=organisation, role=Role.MANAGER, office=south)
    return {"paula": login, "admin": admin, "manager": manager}


@pytest.mark.parametrize(("who", "count"), [("admin", 6), ("paula", 3), ("manager", 3)])
def test_commission_transactions_csv_is_the_ledger_list(book, committed, who, count):
    client = token_client(book[who], ALL)
    export = export_and_wait(client, committed, {"report": "commission_transactions", "format": "csv"})
    rows = csv_rows(download(client, export))
    assert len(rows) == count
    same_as_api(rows, api_list(client, "/v1/transactions"))


def test_commission_transactions_xlsx_money_is_exact(book, committed):
    client = token_client(book["admin"], ALL)
    export = export_and_wait(client, committed, {"report": "commission_transactions", "format": "xlsx"})
    rows = xlsx_rows(download(client, export))
    api = {r["id"]: r for r in api_list(client, "/v1/transactions")}
    for row in rows:
        assert f"{D(str(row['premium'])):.2f}" == api[row["id"]]["premium"]
        assert row["transaction_date"].date() == datetime.date.fromisoformat(api[row["id"]]["transaction_date"])


def test_commission_summary_and_the_leadership_deck(book, committed):
    client = token_client(book["admin"], ALL)
    report = client.get("/v1/reports/commissions", {"group_by": "producer"}).json()
    export = export_and_wait(
        client, committed, {"report": "commission_summary", "format": "csv", "filters": {"group_by": "producer"}}
    )
    rows = csv_rows(download(client, export))
    assert [{k: _cell(v) for k, v in g.items()} for g in report["groups"]] == rows
    deck = export_and_wait(client, committed, {"report": "commission_summary", "format": "pdf"})
    text = pdf_text(download(client, deck))
    for expected in ("Commissions leadership deck", "Acme Mutual", "Zeta Life", "Top producers", "Carrier mix"):
        assert expected in text
    assert "Acme Insurance" in text  # the organisation on every page
    assert "4,000.29" in text  # 3 x 1000.10 + 3 x 333.33, to the cent
    assert "Generated" in text
    producer_deck = export_and_wait(
        token_client(book["paula"], ALL), committed, {"report": "commission_transactions", "format": "pdf"}
    )
    producer_text = pdf_text(download(token_client(book["paula"], ALL), producer_deck))
    assert "Acme Mutual" in producer_text and "Zeta Life" not in producer_text


def test_import_exceptions_need_the_transactions_scope(book, committed):
    client = token_client(book["admin"], ("reports.export",))
    refused = request_export(client, committed, {"report": "import_batch_exceptions", "format": "csv"})
    assert refused.status_code == 403
    client = token_client(book["admin"], ALL)
    export = export_and_wait(client, committed, {"report": "import_batch_exceptions", "format": "csv"})
    assert export["status"] == "ready" and export["rows"] == 0


@pytest.fixture
def staff(organisation):
    office, other = OfficeFactory(organisation=organisation), OfficeFactory(organisation=organisation)
    people = {}
    for role, where in (
        (Role.HR, None),
        (Role.MANAGER, office),
        (Role.EMPLOYEE, office),
        (Role.EMPLOYEE, other),
        (Role.ADMIN, None),
    ):
        membership = MembershipFactory(organisation=organisation, role=role, office=where)
        EmployeeFactory(
            organisation=organisation, office=where, membership=membership, pay_type="hourly", pay_rate=D("31.25")
        )
        people.setdefault(role, membership)
    return people


@pytest.mark.parametrize(("role", "count", "pay"), [("hr", 5, True), ("manager", 2, False), ("employee", 1, False)])
def test_hr_directory_shows_pay_only_to_hr(staff, committed, role, count, pay):
    client = token_client(staff[role], ALL)
    export = export_and_wait(client, committed, {"report": "hr_directory", "format": "csv"})
    rows = csv_rows(download(client, export))
    assert len(rows) == count
    assert ("pay_rate" in rows[0]) is pay
    if pay:
        assert {r["pay_rate"] for r in rows} == {"31.25"}
    same_as_api(rows, api_list(client, "/v1/hr/employees"))
    export = export_and_wait(client, committed, {"report": "hr_directory", "format": "xlsx"})
    assert ("pay_rate" in xlsx_rows(download(client, export))[0]) is pay


def test_hr_acknowledgements_for_hr_only(staff, committed, organisation):
    document = HRDocumentFactory(organisation=organisation)
    hr = token_client(staff["hr"], ALL)
    listed = api_list(hr, f"/v1/hr/documents/{document.pk}/acknowledgements")
    export = export_and_wait(
        hr, committed, {"report": "hr_acknowledgements", "format": "csv", "filters": {"document_id": document.pk}}
    )
    rows = csv_rows(download(hr, export))
    assert [r["employee_id"] for r in rows] == [str(r["employee_id"]) for r in listed]
    missing = request_export(hr, committed, {"report": "hr_acknowledgements", "format": "csv"})
    assert missing.status_code == 422
    employee = token_client(staff["employee"], ALL)
    refused = request_export(
        employee, committed, {"report": "hr_acknowledgements", "format": "csv", "filters": {"document_id": document.pk}}
    )
    assert refused.status_code in (403, 422)


def test_audit_events_for_owners_and_admins(staff, committed):
    admin = token_client(staff["admin"], ALL)
    export = export_and_wait(admin, committed, {"report": "audit_events", "format": "csv"})
    rows = csv_rows(download(admin, export))
    listed = api_list(admin, "/v1/audit-events")
    assert {r["id"] for r in rows} <= {str(r["id"]) for r in listed} | {str(max([0, *[r["id"] for r in listed]]) + 1)}
    for fmt in ("xlsx", "pdf"):
        assert export_and_wait(admin, committed, {"report": "audit_events", "format": fmt})["status"] == "ready"
    employee = token_client(staff["employee"], ALL)
    assert request_export(employee, committed, {"report": "audit_events", "format": "csv"}).status_code == 403


REPORT_FILTERS = {
    "time_entries": {},
    "timesheets": {},
    "tracked_hours": {"group_by": "project"},
    "commission_transactions": {},
    "commission_summary": {"group_by": "carrier"},
    "import_batch_exceptions": {"needs_attention": "false"},
    "import_rows": {},
    "hr_directory": {},
    "hr_acknowledgements": {},
    "audit_events": {},
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
@pytest.mark.parametrize("report", sorted(REPORT_FILTERS))
def test_every_report_in_every_format(book, staff, organisation, committed, report, fmt):
    from tests.timetracking.factories import TimeEntryFactory, TimesheetFactory

    employee = EmployeeFactory(organisation=organisation, office=None)
    TimeEntryFactory(employee=employee)
    TimesheetFactory(employee=employee)
    filters = dict(REPORT_FILTERS[report])
    if report == "hr_acknowledgements":
        filters["document_id"] = HRDocumentFactory(organisation=organisation).pk
    client = token_client(book["admin"], ALL)
    export = export_and_wait(client, committed, {"report": report, "format": fmt, "filters": filters})
    assert export["status"] == "ready", export["error"]
    data = download(client, export)
    assert len(data) == export["size"] > 0
    if fmt == "pdf":
        assert data.startswith(b"%PDF") and "Acme Insurance" in pdf_text(data)
    elif fmt == "xlsx":
        assert len(xlsx_rows(data)) == export["rows"]
    else:
        assert len(csv_rows(data)) == export["rows"]


def test_a_month_end_audit_pack(book, committed):
    from .exports_helpers import zip_files

    client = token_client(book["admin"], ALL)
    export = export_and_wait(
        client,
        committed,
        {
            "report": "month_end_audit_pack",
            "format": "zip",
            "filters": {"created_after": "2020-01-01T00:00:00Z"},
            "parts": [
                {"report": "commission_transactions", "format": "xlsx"},
                {"report": "import_batch_exceptions", "format": "csv"},
                {"report": "audit_events", "format": "csv"},
                {"report": "commission_summary", "format": "pdf"},
            ],
        },
    )
    files = zip_files(download(client, export))
    manifest = json.loads(files.pop("manifest.json"))
    assert sorted(files) == [
        "01-commission_transactions.xlsx",
        "02-import_batch_exceptions.csv",
        "03-audit_events.csv",
        "04-commission_summary.pdf",
    ]
    assert manifest["files"][0]["rows"] == 6
    assert manifest["files"][0]["filters"] == {"created_after": "2020-01-01T00:00:00Z"}
    assert manifest["files"][2]["filters"] == {"created_after": "2020-01-01T00:00:00Z"}
    assert len(xlsx_rows(files["01-commission_transactions.xlsx"])) == 6


def test_import_rows_hold_every_status_of_the_organisations_own_imports(
    book, committed, organisation, other_organisation
):
    from payroll.models import ImportBatch, ImportRow

    mine = ImportBatch.objects.create(organisation=organisation, source="csv")
    theirs = ImportBatch.objects.create(organisation=other_organisation, source="csv")
    ImportRow.objects.create(organisation=organisation, batch=mine, line=2, status="matched", policy_number="OWN-1")
    ImportRow.objects.create(organisation=organisation, batch=mine, line=3, status="unmatched", policy_number="OWN-2")
    ImportRow.objects.create(
        organisation=other_organisation, batch=theirs, line=2, status="matched", policy_number="ALIEN"
    )
    refused = request_export(
        token_client(book["admin"], ("reports.export",)), committed, {"report": "import_rows", "format": "csv"}
    )
    assert refused.status_code == 403
    client = token_client(book["admin"], ALL)
    every = csv_rows(download(client, export_and_wait(client, committed, {"report": "import_rows", "format": "csv"})))
    assert sorted(r["policy_number"] for r in every) == ["OWN-1", "OWN-2"]  # never another organisation's
    foreign = export_and_wait(
        client, committed, {"report": "import_rows", "format": "csv", "filters": {"batch_id": theirs.pk}}
    )
    assert foreign["status"] == "ready" and foreign["rows"] == 0
