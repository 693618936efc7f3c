"""Query-count guard: creating, reading and approving a run of 1 employee costs the same number
of SQL statements as a run of 100 (hourly with time, paid leave, expenses and paid holidays,
salaried with leave, producers with ledger lines)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from payroll.models import OvertimeRule
from tests.hr.factories import HolidayFactory, HolidayGroupFactory, LeaveRequestFactory, LeaveTypeFactory
from tests.organisations.factories import MembershipFactory, OfficeFactory, OrganisationFactory, ProducerFactory
from tests.payroll.factories import CommissionTransactionFactory
from tests.timetracking.factories import ExpenseFactory

from .helpers import MONDAY, approve_week, hourly, project_of, salaried, weekly_schedule, work

pytestmark = pytest.mark.django_db


def organisation_with(n):
    organisation = OrganisationFactory()
    office = OfficeFactory(organisation=organisation)
    project = project_of(organisation)
    OvertimeRule.objects.create(organisation=organisation, holiday_multiplier=Decimal("1.5"), paid_holidays=True)
    HolidayFactory(group=HolidayGroupFactory(organisation=organisation), date=MONDAY.replace(day=4))
    vacation = LeaveTypeFactory(organisation=organisation, name="Vacation", pay_code_name="Vacation")
    people = []
    for i in range(n):
        membership = MembershipFactory(organisation=organisation)
        employee = hourly(office, membership=membership)
        approve_week(employee)
        work(employee, project, MONDAY, 9)
        work(employee, project, MONDAY.replace(day=3), 9)
        producer = ProducerFactory(organisation=organisation, membership=membership, workspace__office=office)
        CommissionTransactionFactory(
            producer=producer, status="approved", gross_commission=Decimal("10.00"), transaction_date=MONDAY
        )
        ExpenseFactory(employee=employee, status="approved")
        boss = salaried(office, first_name=f"S{i}")
        for person in (employee, boss):
            day = MONDAY.replace(day=5)
            LeaveRequestFactory(
                employee=person, leave_type=vacation, start_date=day, status="approved", days=[[str(day), "8.00"]]
            )
        people += [employee, boss]
    return organisation, weekly_schedule(organisation, people)


def cost(make_api_client, count_queries, n):
    organisation, schedule = organisation_with(n)
    api = make_api_client(organisation)
    counts = {}
    created = {}

    def create():
        created["run"] = api.post(
            "/v1/payroll/runs", {"pay_schedule_id": schedule.pk, "period_start": "2026-03-02"}, format="json"
        )

    counts["create"] = count_queries(create)
    run = created["run"].json()
    assert created["run"].status_code == 201 and len(run["entries"]) == 2 * n
    codes = {code for entry in run["entries"] for code in entry["amounts_by_code"]}
    assert {"vacation", "reimbursement", "holiday", "commission"} <= codes
    url = f"/v1/payroll/runs/{run['id']}"
    counts["detail"] = count_queries(lambda: api.get(url))
    counts["entries"] = count_queries(lambda: api.get(f"{url}/entries?page_size=100"))
    counts["approve"] = count_queries(lambda: api.post(f"{url}/approve"))
    counts["mark_paid"] = count_queries(lambda: api.post(f"{url}/mark-paid"))
    return counts


def test_a_run_of_one_employee_costs_what_a_run_of_a_hundred_costs(make_api_client, count_queries):
    # PostgreSQL writes the run with COPY whatever its size; SQLite (the embedded default) falls back
    # to bulk_create, which Django splits every 999 parameters: keep under one batch there
    many = 100 if connection.vendor == "postgresql" else 6
    assert cost(make_api_client, count_queries, 1) == cost(make_api_client, count_queries, many)
