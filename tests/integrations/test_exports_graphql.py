"""GraphQL of report exports (issue 17 point 6): ``requestReportExport`` and ``reportExports``."""

from __future__ import annotations

import pytest

from tests.timetracking.conftest import person, token_client
from tests.timetracking.factories import TimeEntryFactory

pytestmark = pytest.mark.django_db

REQUEST = """mutation($input: ReportExportRequestInput!) {
  requestReportExport(input: $input) { databaseId report format status }
}"""
LIST = (
    "{ reportExports(first: 10) { totalCount edges { node { databaseId status rows progressPercent downloadUrl } } } }"
)


def test_request_and_follow_an_export(organisation, office, committed, gql, other_api):
    eli = person(organisation, office, name="Eli")
    TimeEntryFactory(employee=eli)
    client = token_client(eli, ("time.read", "reports.export"))
    with committed():
        body = gql(client, REQUEST, {"input": {"report": "time_entries", "format": "csv"}}).json()
    assert body["data"]["requestReportExport"]["status"] == "QUEUED", body
    listed = gql(client, LIST).json()["data"]["reportExports"]
    [node] = [edge["node"] for edge in listed["edges"]]
    assert node["status"] == "READY" and node["rows"] == 1 and node["progressPercent"] == 100
    assert "signature=" in node["downloadUrl"]
    assert gql(other_api, LIST).json()["data"]["reportExports"]["totalCount"] == 0
    bad = gql(client, REQUEST, {"input": {"report": "time_entries", "format": "csv", "filters": '{"nope": 1}'}})
    assert bad.json()["errors"]
    no_scope = token_client(eli, ("time.read",))
    assert gql(no_scope, REQUEST, {"input": {"report": "time_entries", "format": "csv"}}).json()["errors"]
