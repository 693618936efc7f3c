"""A payroll run's report exports (issue 18 point 7) through ``POST /v1/reports/export``: the
``payroll_run`` CSV and XLSX equal ``GET /v1/payroll/runs/{id}``'s entries to the cent, the
payslips PDF and year to date; an employee exports their own payslip only; another organisation's
run never appears; HR exports a run, a manager does not."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from organisations.choices import Role
from tests.integrations.exports_helpers import csv_rows, download, export_and_wait, pdf_text, request_export, xlsx_rows
from tests.organisations.factories import MembershipFactory, ProducerFactory
from tests.payroll.factories import CommissionTransactionFactory
from tests.timetracking.conftest import person, token_client

from .helpers import MONDAY, approve_week, hourly, project_of, salaried, weekly_schedule, work

pytestmark = pytest.mark.django_db

MINE = ("payroll.read", "reports.export")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def runs(api, organisation, office):
    """Two weekly runs: the first paid, the second ready. Alice (hourly, a producer with a
    commission) works overtime in week 2; Bob is salaried; regular pay has an external code."""
    project = project_of(organisation)
    alice_login = MembershipFactory(organisation=organisation, role=Role.EMPLOYEE, office=office)
    alice = hourly(office, rate="20.00", membership=alice_login, first_name="Alice", last_name="Archer")
    bob = salaried(office, first_name="Bob", last_name="Baker")
    producer = ProducerFactory(organisation=organisation, membership=alice_login, workspace__office=office)
    week2 = MONDAY + datetime.timedelta(days=7)
    CommissionTransactionFactory(
        producer=producer, status="approved", gross_commission=Decimal("300.00"), transaction_date=week2
    )
    schedule = weekly_schedule(organisation, [alice, bob])
    approve_week(alice, MONDAY)
    approve_week(alice, week2)
    work(alice, project, MONDAY, 8)
    for day in range(5):
        work(alice, project, week2 + datetime.timedelta(days=day), 9, minutes=20)

    def create(start):
        body = {"pay_schedule_id": schedule.pk, "period_start": str(start)}
        response = api.post("/v1/payroll/runs", body, format="json")
        assert response.status_code == 201, response.json()
        return response.json()["id"]

    first = create(MONDAY)
    regular = next(c for c in api.get("/v1/payroll/pay-codes").json()["results"] if c["code"] == "regular")
    assert (
        api.patch(f"/v1/payroll/pay-codes/{regular['id']}", {"external_code": "5000-REG"}, format="json").status_code
        == 200
    )
    assert api.post(f"/v1/payroll/runs/{first}/approve").status_code == 200
    assert api.post(f"/v1/payroll/runs/{first}/mark-paid").status_code == 200
    second = create(week2)
    assert api.post(f"/v1/payroll/runs/{second}/approve").status_code == 200
    return {"first": first, "second": second, "alice": alice, "bob": bob, "alice_login": alice_login}


def _expected(detail: dict) -> dict:
    """``(employee_id, pay code) -> (external code, hours, amount)`` from the run's detail."""
    out = {}
    for entry in detail["entries"]:
        external = {line["pay_code"]: line["external_code"] for line in entry["lines"]}
        for code, amount in entry["amounts_by_code"].items():
            out[(str(entry["employee_id"]), code)] = (external[code], entry["hours_by_code"].get(code, ""), amount)
    return out


def test_the_run_csv_and_xlsx_equal_the_run_detail_to_the_cent(api, runs, committed):
    detail = api.get(f"/v1/payroll/runs/{runs['second']}").json()
    expected = _expected(detail)
    assert {"regular", "overtime", "commission"} <= {code for _, code in expected}
    export = export_and_wait(
        api, committed, {"report": "payroll_run", "format": "csv", "filters": {"run_id": detail["id"]}}
    )
    rows = csv_rows(download(api, export))
    assert export["rows"] == len(rows) == len(expected)
    got = {(r["employee_id"], r["pay_code"]): (r["external_code"], r["hours"], r["amount"]) for r in rows}
    assert got == expected
    assert got[(str(runs["alice"].pk), "regular")][0] == "5000-REG"
    assert {(r["period_start"], r["period_end"], r["pay_date"]) for r in rows} == {
        (detail["period_start"], detail["period_end"], detail["pay_date"])
    }
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal(detail["gross_total"])

    export = export_and_wait(
        api, committed, {"report": "payroll_run", "format": "xlsx", "filters": {"run_id": detail["id"]}}
    )
    typed = xlsx_rows(download(api, export))
    assert {(str(r["employee_id"]), r["pay_code"]): Decimal(str(r["amount"])) for r in typed} == {
        key: Decimal(amount) for key, (_, _, amount) in expected.items()
    }
    assert all(isinstance(r["pay_date"], datetime.datetime) for r in typed)


def test_payslips_pdf_and_year_to_date(api, runs, committed, organisation):
    filters = {"run_id": runs["second"]}
    detail = api.get(f"/v1/payroll/runs/{runs['second']}").json()
    first = api.get(f"/v1/payroll/runs/{runs['first']}").json()
    gross = {e["employee_id"]: Decimal(e["gross"]) for e in detail["entries"]}
    before = {e["employee_id"]: Decimal(e["gross"]) for e in first["entries"]}
    export = export_and_wait(api, committed, {"report": "payslips", "format": "pdf", "filters": filters})
    assert export["rows"] == 2
    text = pdf_text(download(api, export))
    for expected in (
        "Payslip: Alice Archer",
        "Payslip: Bob Baker",
        organisation.name,
        "Year to date 2026",
        "Generated",
    ):
        assert expected in text
    assert f"{gross[runs['alice'].pk]:,.2f}" in text
    assert "Commissions" in text and "Reimbursements" in text

    export = export_and_wait(api, committed, {"report": "payslips", "format": "csv", "filters": filters})
    rows = {int(r["employee_id"]): r for r in csv_rows(download(api, export))}
    for employee_id, row in rows.items():
        assert Decimal(row["gross"]) == gross[employee_id]
        assert Decimal(row["ytd_gross"]) == gross[employee_id] + before.get(employee_id, Decimal("0"))
    assert Decimal(rows[runs["alice"].pk]["commissions"]) > 0


def test_an_employee_exports_their_own_payslip_only(api, runs, committed):
    alice = token_client(runs["alice_login"], MINE)
    run_id = runs["second"]
    export = export_and_wait(alice, committed, {"report": "payslips", "format": "pdf", "filters": {"run_id": run_id}})
    text = pdf_text(download(alice, export))
    assert "Alice Archer" in text and "Bob Baker" not in text
    refused = [
        {"report": "payslips", "format": "pdf", "filters": {"run_id": run_id, "employee_id": runs["bob"].pk}},
        {"report": "payroll_run", "format": "csv", "filters": {"run_id": run_id}},
        {"report": "payslips", "format": "csv", "filters": {}},
    ]
    for body in refused:
        response = request_export(alice, committed, body)
        assert response.status_code == 422, response.content
        assert {"filters.run_id", "filters.employee_id"} & set(response.json()["errors"])
    draft = api.post(
        "/v1/payroll/runs",
        {
            "pay_schedule_id": api.get(f"/v1/payroll/runs/{run_id}").json()["pay_schedule_id"],
            "period_start": "2026-03-16",
        },
        format="json",
    ).json()["id"]
    hidden = request_export(alice, committed, {"report": "payslips", "format": "pdf", "filters": {"run_id": draft}})
    assert hidden.status_code == 422  # a draft is not a payslip yet


def test_another_organisations_run_never_appears(other_api, runs, committed):
    for report in ("payroll_run", "payslips"):
        response = request_export(
            other_api, committed, {"report": report, "format": "csv", "filters": {"run_id": runs["second"]}}
        )
        assert response.status_code == 422, response.content
        assert "filters.run_id" in response.json()["errors"]


def test_the_run_page_and_my_pay_buttons_queue_the_export(client, runs, committed, organisation, office):
    admin = person(organisation, office, role=Role.ADMIN, name="Ada")
    client.force_login(admin.membership.user)
    page = client.get(f"/app/payroll/runs/{runs['second']}").content.decode()
    assert 'value="payroll_run"' in page and 'value="payslips"' in page
    with committed():
        queued = client.post(
            "/app/exports/", {"report": "payroll_run", "format": "xlsx", "filters": f"run_id={runs['second']}"}
        )
    assert queued.status_code == 302 and queued["Location"].startswith("/app/exports/")

    client.force_login(runs["alice_login"].user)
    assert f'value="run_id={runs["second"]}"' in client.get("/app/payroll/my-pay").content.decode()
    with committed():
        mine = client.post(
            "/app/exports/", {"report": "payslips", "format": "pdf", "filters": f"run_id={runs['second']}"}
        )
    assert mine.status_code == 302
    detail = client.get(mine["Location"])
    assert 'data-export-status="ready"' in detail.content.decode()
    assert "Export: payslips" in detail.content.decode()


def test_hr_exports_the_run_and_a_manager_does_not(runs, committed, organisation, office):
    body = {"report": "payroll_run", "format": "csv", "filters": {"run_id": runs["second"]}}
    hr = token_client(person(organisation, office, role=Role.HR, name="Hana"), MINE)
    assert export_and_wait(hr, committed, body)["status"] == "ready"
    manager = token_client(person(organisation, office, role=Role.MANAGER, name="Max"), MINE)
    assert request_export(manager, committed, body).status_code == 422
