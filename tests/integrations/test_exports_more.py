"""Report exports of leave and expenses (``leave_requests``, ``leave_balances``, ``expenses``):
CSV and XLSX against the API's lists row by row, for a role that sees all and an employee who
sees their own; the PDF; a bad filter is a 422; another organisation's rows never appear."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from organisations.choices import Role
from tests.hr.factories import EmployeeFactory, LeaveLedgerEntryFactory, LeaveRequestFactory
from tests.organisations.factories import MembershipFactory, OfficeFactory
from tests.timetracking.conftest import token_client
from tests.timetracking.factories import ExpenseFactory

from .exports_helpers import api_list, csv_rows, download, export_and_wait, pdf_text, request_export, xlsx_rows
from .test_exports_reports import same_as_api

SCOPES = ("hr.read", "time.read", "reports.export")
LISTS = {
    "leave_requests": "/v1/hr/leave-requests",
    "leave_balances": "/v1/hr/leave-balances",
    "expenses": "/v1/expenses",
}


def _member(organisation, role, office, name):
    membership = MembershipFactory(organisation=organisation, role=role, office=office)
    return EmployeeFactory(organisation=organisation, office=office, membership=membership, last_name=name)


@pytest.fixture
def people(organisation, other_organisation):
    north, south = OfficeFactory(organisation=organisation), OfficeFactory(organisation=organisation)
    eli = _member(organisation, Role.EMPLOYEE, north, "Eli")
    lou = _member(organisation, Role.EMPLOYEE, south, "Lou")
    admin = _member(organisation, Role.ADMIN, None, "Ada")
    stranger = EmployeeFactory(organisation=other_organisation, last_name="Stranger")
    for who in (eli, lou, stranger):
        LeaveRequestFactory(employee=who, notes=f"Trip of {who.last_name}")
        LeaveLedgerEntryFactory(account__employee=who, hours=Decimal("12.5"), effective_date=datetime.date(2026, 1, 1))
        ExpenseFactory(employee=who, amount=Decimal("1234.56"), converted_amount=Decimal("1234.56"))
        ExpenseFactory(employee=who, amount=Decimal("0.05"), converted_amount=Decimal("0.05"), billable=True)
    return {"eli": eli, "admin": admin}


@pytest.mark.parametrize(
    ("report", "who", "count"),
    [
        ("leave_requests", "admin", 2),
        ("leave_requests", "eli", 1),
        ("leave_balances", "admin", 2),
        ("leave_balances", "eli", 1),
        ("expenses", "admin", 4),
        ("expenses", "eli", 2),
    ],
)
def test_csv_and_xlsx_are_the_api_list(people, committed, report, who, count):
    client = token_client(people[who], SCOPES)
    listed = api_list(client, LISTS[report])
    export = export_and_wait(client, committed, {"report": report, "format": "csv"})
    assert export["status"] == "ready", export["error"]
    data = download(client, export)
    rows = csv_rows(data)
    assert len(rows) == len(listed) == count
    same_as_api(rows, listed)
    assert b"Stranger" not in data  # another organisation's rows never appear
    export = export_and_wait(client, committed, {"report": report, "format": "xlsx"})
    sheet = xlsx_rows(download(client, export))
    api = {r["id"]: r for r in listed}
    assert sorted(r["id"] for r in sheet) == sorted(api)
    for row in sheet:
        expected = api[row["id"]]
        for name in ("amount", "converted_amount", "hours", "balance", "available"):
            if name in expected:  # money and hours are typed numbers, equal to the API's to the cent
                assert isinstance(row[name], (int, float))
                assert f"{Decimal(str(row[name])):.2f}" == expected[name]


def test_filters_are_the_lists_and_a_bad_one_is_a_422(people, committed):
    client = token_client(people["admin"], SCOPES)
    export = export_and_wait(
        client, committed, {"report": "expenses", "format": "csv", "filters": {"employee_id": people["eli"].pk}}
    )
    assert {r["employee_id"] for r in csv_rows(download(client, export))} == {str(people["eli"].pk)}
    export = export_and_wait(
        client, committed, {"report": "leave_balances", "format": "csv", "filters": {"as_of": "2025-12-31"}}
    )
    assert {r["balance"] for r in csv_rows(download(client, export))} == {"0.00"}  # before the ledger's day
    for report, filters in (
        ("leave_requests", {"status": "nope"}),
        ("leave_balances", {"as_of": "yesterday"}),
        ("leave_balances", {"nope": "1"}),
        ("expenses", {"date_from": "soon"}),
    ):
        bad = request_export(client, committed, {"report": report, "format": "csv", "filters": filters})
        assert bad.status_code == 422, (report, filters)


@pytest.mark.parametrize("report", sorted(LISTS))
def test_pdf_is_the_table(people, committed, report):
    client = token_client(people["admin"], SCOPES)
    export = export_and_wait(client, committed, {"report": report, "format": "pdf"})
    data = download(client, export)
    assert data.startswith(b"%PDF") and "Stranger" not in pdf_text(data)


def test_the_pages_have_their_export_button(people, session_client):
    client = session_client(people["eli"].membership)
    leave = client.get("/app/hr/leave").content.decode()
    assert "/app/exports/?report=leave_requests" in leave and "/app/exports/?report=leave_balances" in leave
    assert "/app/exports/?report=expenses" in client.get("/app/time/expenses").content.decode()
    assert client.get("/app/exports/?report=leave_requests").status_code == 200
    client.logout()
    admin = session_client(people["admin"].membership)
    assert "/app/exports/?report=leave_balances" in admin.get("/app/hr/leave-balances").content.decode()
