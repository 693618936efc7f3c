"""Contracts and rates (issue 15 point 5): hours limits refused or flagged by the organisation's
setting, the bill rate and the pay rate kept apart, each with an effective-dated history (a change
in the middle of a period applies from its day), rate history over REST and who may write it."""

from __future__ import annotations

import base64
import datetime
from decimal import Decimal

import pytest

from tests.organisations.factories import OfficeFactory
from timetracking import rates
from timetracking.models import RateChange, TimeEntry

from .conftest import person, token_client
from .factories import ContractFactory, RateChangeFactory, TimeEntryFactory, TimesheetFactory

pytestmark = pytest.mark.django_db


def post_entry(api, employee, project, start: str, hours: int):
    begin = datetime.datetime.fromisoformat(start)
    return api.post(
        "/v1/time-entries",
        {
            "employee_id": employee.pk,
            "project_id": project.pk,
            "start_time": begin.isoformat(),
            "end_time": (begin + datetime.timedelta(hours=hours)).isoformat(),
        },
        format="json",
    )


def worked(employee, project, start: str, hours: float = 8, **kwargs):
    begin = datetime.datetime.fromisoformat(start)
    return TimeEntryFactory(
        employee=employee,
        project=project,
        start_time=begin,
        end_time=begin + datetime.timedelta(hours=hours),
        duration_seconds=int(hours * 3600),
        **kwargs,
    )


# ----------------------------------------------------------------------------- limits


@pytest.fixture
def weekly_40(employee):
    return ContractFactory(employee=employee, weekly_hours_limit=Decimal("40"), daily_hours_limit=Decimal("10"))


def test_time_beyond_the_weekly_limit_is_a_422_naming_the_limit(as_employee, employee, project, weekly_40):
    for day in (2, 3, 4, 5):  # Monday to Thursday 2026-03, 8 h each (New York office)
        worked(employee, project, f"2026-03-0{day}T13:00:00+00:00")

    fits = post_entry(as_employee, employee, project, "2026-03-06T13:00:00+00:00", 8)  # 40 h: at the limit
    over = post_entry(as_employee, employee, project, "2026-03-07T13:00:00+00:00", 1)

    assert fits.status_code == 201, fits.json()
    assert over.status_code == 422
    problem = over.json()
    assert problem["type"].endswith("/hours-limit")
    assert problem["limit"] == {
        "contract_id": weekly_40.pk,
        "limit": "weekly",
        "from": "2026-03-02",
        "to": "2026-03-08",
        "hours": "41.00",
        "limit_hours": "40.00",
    }
    assert "weekly limit of 40.00 hours" in problem["detail"]
    # the next week starts again from zero
    assert post_entry(as_employee, employee, project, "2026-03-09T13:00:00+00:00", 8).status_code == 201


def test_the_daily_limit_counts_the_employees_local_day(as_employee, employee, project, weekly_40):
    worked(employee, project, "2026-03-03T13:00:00+00:00", 6)  # 09:00-15:00 in New York

    over = post_entry(as_employee, employee, project, "2026-03-03T20:00:00+00:00", 5)  # 16:00-21:00: 11 h that day
    next_day = post_entry(as_employee, employee, project, "2026-03-04T05:00:00+00:00", 5)  # 00:00 local on the 4th

    assert over.status_code == 422
    assert over.json()["limit"]["limit"] == "daily"
    assert next_day.status_code == 201, next_day.json()


def test_a_project_contracts_limit_counts_only_that_projects_time(as_employee, employee, project, client_row):
    from .factories import ProjectFactory

    other = ProjectFactory(client=client_row)
    ContractFactory(employee=employee, project=project, daily_hours_limit=Decimal("2"))
    worked(employee, other, "2026-03-03T13:00:00+00:00", 6)

    assert post_entry(as_employee, employee, project, "2026-03-03T20:00:00+00:00", 2).status_code == 201
    assert post_entry(as_employee, employee, project, "2026-03-03T22:00:00+00:00", 1).status_code == 422


def test_an_update_that_goes_over_the_limit_is_refused(as_employee, employee, project, weekly_40):
    entry = worked(employee, project, "2026-03-03T13:00:00+00:00", 8)

    response = as_employee.patch(
        f"/v1/time-entries/{entry.pk}", {"end_time": "2026-03-04T00:00:00+00:00"}, format="json"
    )

    assert response.status_code == 422
    entry.refresh_from_db()
    assert entry.duration_seconds == 8 * 3600


def test_a_time_request_beyond_a_limit_is_refused_too(as_employee, employee, project, weekly_40):
    response = as_employee.post(
        "/v1/time-requests",
        {
            "project_id": project.pk,
            "start_time": "2026-03-03T13:00:00Z",
            "end_time": "2026-03-04T01:00:00Z",
            "reason": "Long day",
        },
        format="json",
    )

    assert response.status_code == 422
    assert response.json()["limit"]["limit"] == "daily"


def test_flagging_accepts_the_time_and_the_timesheet_shows_it(
    organisation, as_employee, as_admin, employee, project, weekly_40
):
    assert (
        as_admin.patch("/v1/timesheet-settings", {"over_limit": "flag"}, format="json").json()["over_limit"] == "flag"
    )
    worked(employee, project, "2026-03-03T13:00:00+00:00", 8)

    response = post_entry(as_employee, employee, project, "2026-03-03T21:00:00+00:00", 4)  # 12 h that day

    assert response.status_code == 201, response.json()
    sheet = TimesheetFactory(employee=employee)
    body = as_employee.get(f"/v1/timesheets/{sheet.pk}").json()
    assert body["flagged"] is True
    assert body["over_limit"] == [
        {
            "contract_id": weekly_40.pk,
            "limit": "daily",
            "from": "2026-03-03",
            "to": "2026-03-03",
            "hours": "12.00",
            "limit_hours": "10.00",
        }
    ]
    clean = TimesheetFactory(employee=employee, period_start=datetime.date(2026, 3, 9))
    assert as_employee.get(f"/v1/timesheets/{clean.pk}").json()["flagged"] is False
    query = "query($id: ID!) { timesheet(id: $id) { flagged overLimit { contractId limit from to hours limitHours } } }"
    found = {}
    for timesheet in (sheet, clean):
        node = f"Timesheet:{timesheet.pk}"
        node_id = base64.b64encode(node.encode()).decode()
        answer = as_employee.post("/graphql", {"query": query, "variables": {"id": node_id}}, format="json").json()
        found[timesheet.pk] = answer["data"]["timesheet"]
    assert found[sheet.pk] == {
        "flagged": True,
        "overLimit": [
            {
                "contractId": weekly_40.pk,
                "limit": "daily",
                "from": "2026-03-03",
                "to": "2026-03-03",
                "hours": "12.00",
                "limitHours": "10.00",
            }
        ],
    }
    assert found[clean.pk] == {"flagged": False, "overLimit": []}


# ----------------------------------------------------------------------------- effective-dated rates


def test_a_bill_rate_change_mid_period_applies_from_its_day_in_the_summary(
    api, as_admin, employee, project, client_row
):
    # project rate 100 until Wednesday 2026-03-04, then 120 (set over REST)
    created = as_admin.post(
        "/v1/rates",
        {"kind": "bill", "project_id": project.pk, "hourly_rate": "120.00", "effective_from": "2026-03-04"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    worked(employee, project, "2026-03-03T13:00:00+00:00", 2)  # Tuesday: 2 h x 100
    worked(employee, project, "2026-03-04T13:00:00+00:00", 3)  # Wednesday: 3 h x 120
    # 00:30 UTC on the 4th is still the 3rd in New York: the old rate
    worked(employee, project, "2026-03-04T00:30:00+00:00", 1)

    summary = api.get("/v1/reports/summary?start_date=2026-03-01&end_date=2026-03-31").json()["summary"]

    assert summary["amount"] == "660.00"  # (2 + 1) x 100 + 3 x 120
    assert summary["billable_hours"] == "6.00"


def test_bill_rate_precedence_task_then_contract_then_project_then_client_each_dated(
    employee, project, task, client_row
):
    entry = worked(employee, project, "2026-03-10T13:00:00+00:00", 1, task=task)
    assert rates.bill_rate_for(entry) == Decimal("100.00")  # the project's (no task or contract rate)

    RateChangeFactory(
        project=None, client=client_row, hourly_rate=Decimal("90"), effective_from=datetime.date(2026, 1, 1)
    )
    assert rates.bill_rate_for(entry) == Decimal("100.00")  # the project still comes first

    contract = ContractFactory(employee=employee, hourly_rate=Decimal("70"))
    assert rates.bill_rate_for(entry) == Decimal("70")
    RateChangeFactory(
        project=None, contract=contract, hourly_rate=Decimal("75"), effective_from=datetime.date(2026, 3, 10)
    )
    assert rates.bill_rate_for(entry) == Decimal("75")

    RateChangeFactory(project=None, task=task, hourly_rate=Decimal("150"), effective_from=datetime.date(2026, 3, 11))
    assert rates.bill_rate_for(entry) == Decimal("75")  # the task's rate starts the next day
    later = worked(employee, project, "2026-03-11T13:00:00+00:00", 1, task=task)
    assert rates.bill_rate_for(later) == Decimal("150")


def test_the_pay_rate_is_never_the_bill_rate(employee, project):
    employee.pay_type, employee.pay_rate = "hourly", Decimal("30")
    employee.save()
    day = datetime.date(2026, 3, 10)
    assert rates.pay_rate_for(employee, day) == Decimal("30")  # the HR record's

    contract = ContractFactory(employee=employee, hourly_rate=Decimal("90"))  # a bill rate: not pay
    assert rates.pay_rate_for(employee, day) == Decimal("30")
    RateChangeFactory(project=None, contract=contract, kind="pay", hourly_rate=Decimal("35"), effective_from=day)
    assert rates.pay_rate_for(employee, day - datetime.timedelta(days=1)) == Decimal("30")
    assert rates.pay_rate_for(employee, day) == Decimal("35")
    entry = worked(employee, project, "2026-03-10T13:00:00+00:00", 1)
    assert rates.bill_rate_for(entry) == Decimal("90")  # the pay change does not touch the bill rate

    employee.pay_type = "salary"
    employee.save()
    contract.delete()
    assert rates.pay_rate_for(employee, day) is None  # a salary is no hourly rate


# ----------------------------------------------------------------------------- rates over REST


def test_rates_rest_validation_conflicts_and_history_is_kept(as_admin, project, employee):
    contract = ContractFactory(employee=employee)
    body = {"kind": "pay", "project_id": project.pk, "hourly_rate": "10.00", "effective_from": "2026-03-01"}
    assert as_admin.post("/v1/rates", body, format="json").status_code == 422  # pay needs a contract
    two = {**body, "kind": "bill", "client_id": project.client_id}
    assert as_admin.post("/v1/rates", two, format="json").status_code == 422  # exactly one target

    past = as_admin.post(
        "/v1/rates",
        {"kind": "pay", "contract_id": contract.pk, "hourly_rate": "31.00", "effective_from": "2026-03-01"},
        format="json",
    )
    assert past.status_code == 201, past.json()
    again = as_admin.post(
        "/v1/rates",
        {"kind": "pay", "contract_id": contract.pk, "hourly_rate": "32.00", "effective_from": "2026-03-01"},
        format="json",
    )
    assert again.status_code == 409
    assert as_admin.delete(f"/v1/rates/{past.json()['id']}").status_code == 409  # in force: kept

    future = as_admin.post(
        "/v1/rates",
        {"kind": "pay", "contract_id": contract.pk, "hourly_rate": "40.00", "effective_from": "2099-01-01"},
        format="json",
    )
    assert as_admin.delete(f"/v1/rates/{future.json()['id']}").status_code == 204
    listed = as_admin.get("/v1/rates", {"contract_id": contract.pk, "kind": "pay"}).json()
    assert [(r["hourly_rate"], r["effective_from"]) for r in listed["results"]] == [("31.00", "2026-03-01")]


def test_who_may_see_and_write_rates(organisation, employee, manager, project):
    elsewhere = person(organisation, OfficeFactory(organisation=organisation), name="Zed")
    mine = ContractFactory(employee=employee)
    theirs = ContractFactory(employee=elsewhere)
    RateChangeFactory(project=project)
    RateChangeFactory(project=None, contract=theirs, kind="pay")
    body = {"kind": "bill", "project_id": project.pk, "hourly_rate": "1.00", "effective_from": "2026-05-01"}

    as_employee = token_client(employee)
    assert as_employee.get("/v1/rates").json()["pagination"]["total"] == 0
    assert as_employee.post("/v1/rates", body, format="json").status_code == 403

    as_manager = token_client(manager)
    seen = as_manager.get("/v1/rates").json()["results"]
    assert [r["project_id"] for r in seen] == [project.pk]  # not another office's contract
    ok = {"kind": "pay", "contract_id": mine.pk, "hourly_rate": "20.00", "effective_from": "2026-05-01"}
    assert as_manager.post("/v1/rates", ok, format="json").status_code == 201
    foreign = {**ok, "contract_id": theirs.pk}
    assert as_manager.post("/v1/rates", foreign, format="json").status_code == 422  # not a contract they see
    assert RateChange.objects.filter(contract=theirs).count() == 1


def test_contracts_carry_limits_and_the_pay_rate(as_admin, employee):
    response = as_admin.post(
        "/v1/contracts",
        {
            "employee_id": employee.pk,
            "hourly_rate": "90.00",
            "pay_rate": "30.00",
            "weekly_hours_limit": "40.00",
            "daily_hours_limit": "9.50",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["hourly_rate"], body["pay_rate"], body["weekly_hours_limit"], body["daily_hours_limit"]) == (
        "90.00",
        "30.00",
        "40.00",
        "9.50",
    )
    patched = as_admin.patch(f"/v1/contracts/{body['id']}", {"weekly_hours_limit": None}, format="json")
    assert patched.status_code == 200 and patched.json()["weekly_hours_limit"] is None
    assert TimeEntry.objects.count() == 0


def test_graphql_refuses_time_beyond_a_limit_with_the_same_problem(as_employee, employee, project, weekly_40):
    worked(employee, project, "2026-03-03T13:00:00+00:00", 8)
    mutation = "mutation($input: TimeEntryInput!) { createTimeEntry(input: $input) { databaseId } }"
    variables = {
        "input": {
            "projectId": str(project.pk),
            "startTime": "2026-03-03T21:00:00Z",
            "endTime": "2026-03-04T00:00:00Z",
        }
    }

    body = as_employee.post("/graphql", {"query": mutation, "variables": variables}, format="json").json()

    extensions = body["errors"][0]["extensions"]
    assert extensions["status"] == 422
    assert "daily limit of 10.00 hours" in body["errors"][0]["message"]
    assert TimeEntry.objects.count() == 1
