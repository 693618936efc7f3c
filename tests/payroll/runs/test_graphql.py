"""GraphQL of payroll runs: the contract's ``payrollRuns(status: [PayrollRunStatus!])`` and
``createPayrollRun(input: PayrollRunInput!): PayrollRun!``, approve, mark paid, acknowledge;
scopes and tenancy as on REST."""

from __future__ import annotations

import pytest

from .helpers import MONDAY, approve_week, hourly, project_of, weekly_schedule, work

pytestmark = pytest.mark.django_db

CREATE = """mutation($input: PayrollRunInput!) { createPayrollRun(input: $input) {
  databaseId status periodStart grossTotal currency
  entries { employeeId gross hoursByCode { code value }
    lines { payCode hours rate multiplier amount explanation sources { kind id } } }
} }"""
RUNS = """query($status: [PayrollRunStatus!]) { payrollRuns(status: $status, first: 10) {
  totalCount edges { node { databaseId status acknowledgements { notes clientId } } } } }"""


def test_the_contracts_payroll_runs_signatures(api, gql):
    query = "{ __schema { queryType { fields { name args { name type { kind ofType { kind ofType { name } } } } } } } }"
    fields = {f["name"]: f for f in gql(api, query).json()["data"]["__schema"]["queryType"]["fields"]}
    status = next(a for a in fields["payrollRuns"]["args"] if a["name"] == "status")["type"]
    # status: [PayrollRunStatus!]
    assert (status["kind"], status["ofType"]["kind"], status["ofType"]["ofType"]["name"]) == (
        "LIST",
        "NON_NULL",
        "PayrollRunStatus",
    )
    mutations = gql(
        api,
        "{ __schema { mutationType { fields { name args { name type { ofType { name } } } "
        "type { ofType { name } } } } } }",
    ).json()["data"]["__schema"]["mutationType"]["fields"]
    create = next(f for f in mutations if f["name"] == "createPayrollRun")
    assert create["args"][0]["type"]["ofType"]["name"] == "PayrollRunInput"
    assert create["type"]["ofType"]["name"] == "PayrollRun"
    assert {"approvePayrollRun", "markPayrollRunPaid", "acknowledgePayrollRun"} <= {f["name"] for f in mutations}


def test_create_approve_poll_acknowledge_pay(api, gql, organisation, office, other_organisation, make_api_client):
    project = project_of(organisation)
    alice = hourly(office, "20.00")
    approve_week(alice)
    work(alice, project, MONDAY, 9)
    schedule = weekly_schedule(organisation, [alice])

    created = gql(api, CREATE, {"input": {"payScheduleId": str(schedule.pk), "periodStart": "2026-03-02"}}).json()
    assert "errors" not in created, created
    run = created["data"]["createPayrollRun"]
    assert (run["status"], run["grossTotal"], run["currency"]) == ("DRAFT", "180.00", "USD")
    [line] = run["entries"][0]["lines"]
    assert (line["payCode"], line["hours"], line["amount"]) == ("regular", "9.00", "180.00")
    run_id = run["databaseId"]

    assert gql(api, RUNS, {"status": ["READY"]}).json()["data"]["payrollRuns"]["totalCount"] == 0
    approved = gql(api, "mutation($id: ID!) { approvePayrollRun(id: $id) { status } }", {"id": str(run_id)}).json()
    assert approved["data"]["approvePayrollRun"]["status"] == "READY"
    ack = gql(
        api,
        "mutation($i: PayrollRunAckInput!) { acknowledgePayrollRun(input: $i) { acknowledgements { notes } } }",
        {"i": {"id": str(run_id), "notes": "Synced to NetSuite"}},
    ).json()
    assert ack["data"]["acknowledgePayrollRun"]["acknowledgements"] == [{"notes": "Synced to NetSuite"}]
    ready = gql(api, RUNS, {"status": ["READY", "PAID"]}).json()["data"]["payrollRuns"]
    assert [e["node"]["databaseId"] for e in ready["edges"]] == [run_id]
    paid = gql(api, "mutation($id: ID!) { markPayrollRunPaid(id: $id) { status } }", {"id": str(run_id)}).json()
    assert paid["data"]["markPayrollRunPaid"]["status"] == "PAID"

    # another tenant sees nothing and cannot act
    other = make_api_client(other_organisation)
    assert gql(other, RUNS).json()["data"]["payrollRuns"]["totalCount"] == 0
    assert gql(other, "query($id: ID!) { payrollRun(id: $id) { status } }", {"id": str(run_id)}).json()["data"] == {
        "payrollRun": None
    }
    refused = gql(other, "mutation($id: ID!) { cancelPayrollRun(id: $id) { status } }", {"id": str(run_id)}).json()
    assert refused["errors"][0]["extensions"]["status"] == 404


def test_the_payroll_scope_is_required(organisation, make_api_client, gql):
    reader = make_api_client(organisation, scopes=["time.read"])
    body = gql(reader, RUNS).json()
    assert body["errors"][0]["extensions"]["status"] == 403
