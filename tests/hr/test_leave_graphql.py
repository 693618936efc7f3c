"""Leave through GraphQL (issue 16 point 7): the same services and visibility as REST."""

from __future__ import annotations

import datetime

import pytest

from tests.hr.conftest import gql_as
from tests.hr.factories import LeaveLedgerEntryFactory, LeavePolicyFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date.today() + datetime.timedelta(days=(7 - datetime.date.today().weekday()) % 7 + 7)

REQUEST = """
mutation($type: ID!, $start: Date!, $end: Date!) {
  requestLeave(leaveTypeId: $type, startDate: $start, endDate: $end) { databaseId status hours workingDays }
}"""
BALANCES = "{ leaveBalances { totalCount edges { node { employeeId accrued used pending available } } } }"


def test_request_approve_and_reject_through_graphql(organisation, cast, session_client, client):
    policy = LeavePolicyFactory(leave_type__organisation=organisation, annual_hours=0)
    employee = cast.employee_of(cast.employee)
    LeaveLedgerEntryFactory(account__employee=employee, account__leave_type=policy.leave_type, hours=40)

    session_client(cast.employee)
    variables = {"type": policy.leave_type_id, "start": MONDAY.isoformat(), "end": MONDAY.isoformat()}
    body = gql_as(client, REQUEST, variables)
    assert "errors" not in body, body
    created = body["data"]["requestLeave"]
    assert (created["status"], created["hours"], created["workingDays"]) == ("requested", "8.00", "1.00")
    balances = gql_as(client, BALANCES)["data"]["leaveBalances"]
    assert [e["node"]["available"] for e in balances["edges"]] == ["32.00"]
    own = gql_as(
        client, "mutation($id: ID!) { approveLeaveRequest(id: $id) { status } }", {"id": created["databaseId"]}
    )
    assert own["errors"][0]["extensions"]["status"] == 403

    client.logout()
    session_client(cast.manager)
    approved = gql_as(
        client, "mutation($id: ID!) { approveLeaveRequest(id: $id) { status } }", {"id": created["databaseId"]}
    )
    assert approved["data"]["approveLeaveRequest"]["status"] == "approved"
    listed = gql_as(client, "{ leaveRequests { edges { node { databaseId status } } } }")
    assert [e["node"]["status"] for e in listed["data"]["leaveRequests"]["edges"]] == ["approved"]

    client.logout()
    session_client(cast.employee)
    second = gql_as(
        client,
        REQUEST,
        {
            **variables,
            "start": (MONDAY + datetime.timedelta(days=1)).isoformat(),
            "end": (MONDAY + datetime.timedelta(days=1)).isoformat(),
        },
    )
    client.logout()
    session_client(cast.hr)
    rejected = gql_as(
        client,
        'mutation($id: ID!) { rejectLeaveRequest(id: $id, reason: "Cover needed") { status rejectionReason } }',
        {"id": second["data"]["requestLeave"]["databaseId"]},
    )
    assert rejected["data"]["rejectLeaveRequest"] == {"status": "rejected", "rejectionReason": "Cover needed"}
