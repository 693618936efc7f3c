"""GraphQL of time tracking: the connections with filters and role visibility, the mutations
(same rules and problems as REST), and the same fields as the REST serializers."""

from __future__ import annotations

import datetime

import pytest
from graphene.utils.str_converters import to_camel_case

from timetracking.api import serializers
from timetracking.models import TimeEntry
from trackyoursheets.schema import schema

from .conftest import token_client
from .factories import TaskFactory, TimeEntryFactory

pytestmark = pytest.mark.django_db

ENTRIES = """
query($filter: TimeEntryFilter) {
  timeEntries(first: 50, filter: $filter) {
    totalCount
    edges { node { databaseId employeeId userId projectId taskId clientId startTime endTime durationSeconds
                   durationHours durationFormatted notes tags billable paid source isActive
                   project { name } task { name } } }
  }
}
"""

CREATE = """
mutation($input: TimeEntryInput!) {
  createTimeEntry(input: $input) { databaseId durationSeconds tags billable source }
}
"""


def at(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_time_entries_connection_with_filter(api, gql, employee, colleague, project, task):
    mine = TimeEntryFactory(
        employee=employee,
        project=project,
        task=task,
        start_time=at("2026-01-12T14:00:00Z"),
        end_time=at("2026-01-12T15:30:00Z"),
        duration_seconds=5400,
        tags="a,b",
    )
    TimeEntryFactory(
        employee=colleague, project=project, start_time=at("2026-01-13T14:00:00Z"), end_time=at("2026-01-13T15:00:00Z")
    )

    body = gql(
        api,
        ENTRIES,
        {"filter": {"employeeId": str(employee.pk), "startDate": "2026-01-12", "endDate": "2026-01-12", "tags": "a"}},
    ).json()

    assert "errors" not in body, body
    assert body["data"]["timeEntries"]["totalCount"] == 1
    assert body["data"]["timeEntries"]["edges"][0]["node"] == {
        "databaseId": mine.pk,
        "employeeId": employee.pk,
        "userId": employee.membership.user_id,
        "projectId": project.pk,
        "taskId": task.pk,
        "clientId": project.client_id,
        "startTime": "2026-01-12T14:00:00Z",
        "endTime": "2026-01-12T15:30:00Z",
        "durationSeconds": 5400,
        "durationHours": "1.50",
        "durationFormatted": "01:30:00",
        "notes": "Worked",
        "tags": "a,b",
        "billable": True,
        "paid": False,
        "source": "manual",
        "isActive": False,
        "project": {"name": "Website"},
        "task": {"name": "Homepage"},
    }


def test_running_timers_only_with_include_active(api, gql, employee, project):
    TimeEntryFactory(employee=employee, project=project, end_time=None, duration_seconds=None)

    without = gql(api, ENTRIES).json()["data"]["timeEntries"]["totalCount"]
    with_active = gql(api, ENTRIES, {"filter": {"includeActive": True}}).json()["data"]["timeEntries"]["totalCount"]

    assert (without, with_active) == (0, 1)


def test_an_employee_sees_only_their_entries(gql, employee, colleague, project):
    mine = TimeEntryFactory(employee=employee, project=project)
    TimeEntryFactory(employee=colleague, project=project)

    body = gql(token_client(employee), ENTRIES).json()

    assert [e["node"]["databaseId"] for e in body["data"]["timeEntries"]["edges"]] == [mine.pk]


def test_clients_projects_tasks(api, gql, as_employee, task):
    query = (
        '{ clients { edges { node { name defaultRate currency } } } projects(filter: {status: "active"}) '
        "{ edges { node { name hourlyRate client { name } } } } tasks { edges { node { name project { name } "
        "priority status } } } }"
    )

    by_client = gql(api, query).json()
    by_employee = gql(as_employee, query).json()

    assert "errors" not in by_client, by_client
    assert by_client["data"]["clients"]["edges"][0]["node"] == {
        "name": "Acme Corp",
        "defaultRate": "80.00",
        "currency": "USD",
    }
    assert by_client["data"]["projects"]["edges"][0]["node"] == {
        "name": "Website",
        "hourlyRate": "100.00",
        "client": {"name": "Acme Corp"},
    }
    assert by_client["data"]["tasks"]["edges"][0]["node"] == {
        "name": "Homepage",
        "project": {"name": "Website"},
        "priority": 3,
        "status": "todo",
    }
    assert by_employee["data"]["projects"]["edges"][0]["node"]["hourlyRate"] is None
    assert by_employee["data"]["clients"]["edges"][0]["node"]["defaultRate"] is None


def test_create_update_delete_time_entry(gql, as_employee, employee, project, task):
    created = gql(
        as_employee,
        CREATE,
        {
            "input": {
                "projectId": str(project.pk),
                "taskId": str(task.pk),
                "startTime": "2026-01-12T14:00:00Z",
                "endTime": "2026-01-12T15:00:00Z",
                "tags": "B, a",
            }
        },
    ).json()
    pk = created["data"]["createTimeEntry"]["databaseId"]
    updated = gql(
        as_employee,
        "mutation($input: TimeEntryUpdateInput!) { updateTimeEntry(input: $input) { durationSeconds notes paid } }",
        {"input": {"id": str(pk), "endTime": "2026-01-12T16:00:00Z", "notes": "More", "paid": True}},
    ).json()
    deleted = gql(as_employee, "mutation($id: ID!) { deleteTimeEntry(id: $id) { deletedId } }", {"id": str(pk)}).json()

    assert "errors" not in created, created
    assert created["data"]["createTimeEntry"] == {
        "databaseId": pk,
        "durationSeconds": 3600,
        "tags": "b,a",
        "billable": True,
        "source": "manual",
    }
    assert updated["data"]["updateTimeEntry"] == {"durationSeconds": 7200, "notes": "More", "paid": True}
    assert deleted["data"]["deleteTimeEntry"] == {"deletedId": pk}
    assert TimeEntry.objects.count() == 0


def test_mutation_problems(gql, as_employee, employee, colleague, project, organisation):
    TimeEntryFactory(
        employee=employee, project=project, start_time=at("2026-01-12T14:00:00Z"), end_time=at("2026-01-12T16:00:00Z")
    )
    other_task = TaskFactory(project__client__organisation=organisation)
    theirs = TimeEntryFactory(employee=colleague, project=project)
    base = {"projectId": str(project.pk), "startTime": "2026-01-12T15:00:00Z", "endTime": "2026-01-12T17:00:00Z"}

    overlap = gql(as_employee, CREATE, {"input": base}).json()["errors"][0]["extensions"]
    wrong_task = gql(
        as_employee,
        CREATE,
        {
            "input": {
                **base,
                "startTime": "2026-01-13T15:00:00Z",
                "endTime": "2026-01-13T16:00:00Z",
                "taskId": str(other_task.pk),
            }
        },
    ).json()["errors"][0]["extensions"]
    hidden = gql(
        as_employee, "mutation($id: ID!) { deleteTimeEntry(id: $id) { deletedId } }", {"id": str(theirs.pk)}
    ).json()["errors"][0]["extensions"]

    assert (overlap["status"], overlap["code"]) == (409, "overlap")
    assert (wrong_task["status"], wrong_task["errors"]) == (422, {"taskId": ["The task belongs to another project."]})
    assert hidden["status"] == 404


def test_start_and_stop_timer(gql, as_employee, project):
    start = "mutation($input: TimerStartInput!) { startTimer(input: $input) { databaseId isActive source } }"

    started = gql(as_employee, start, {"input": {"projectId": str(project.pk)}}).json()
    again = gql(as_employee, start, {"input": {"projectId": str(project.pk)}}).json()
    stopped = gql(as_employee, "mutation { stopTimer { databaseId isActive endTime } }").json()
    stop_again = gql(as_employee, "mutation { stopTimer { databaseId } }").json()

    assert started["data"]["startTimer"]["isActive"] is True
    assert started["data"]["startTimer"]["source"] == "timer"
    assert again["errors"][0]["extensions"]["status"] == 409
    assert again["errors"][0]["extensions"]["code"] == "timer_running"
    assert stopped["data"]["stopTimer"]["databaseId"] == started["data"]["startTimer"]["databaseId"]
    assert stopped["data"]["stopTimer"]["isActive"] is False
    assert stop_again["errors"][0]["extensions"]["code"] == "no_timer"


def test_scopes(make_api_client, organisation, gql, project):
    reader = make_api_client(organisation, scopes=["time.read"])
    nobody = make_api_client(organisation, scopes=["hr.read"])

    assert gql(reader, ENTRIES).json()["data"]["timeEntries"]["totalCount"] == 0
    assert gql(nobody, ENTRIES).json()["errors"][0]["extensions"]["status"] == 403
    denied = gql(reader, "mutation { stopTimer { databaseId } }").json()
    assert denied["errors"][0]["extensions"]["required_scope"] == "time.write"


def test_a_bad_filter_value_is_a_422(api, gql):
    body = gql(api, ENTRIES, {"filter": {"startDate": "13/01/2026"}}).json()

    assert body["errors"][0]["extensions"]["status"] == 422


def test_entries_connection_query_count_does_not_grow(api, gql, organisation, count_queries):
    from .matrix import make_list_entry

    make_list_entry(organisation, 0)

    def fetch():
        body = gql(api, ENTRIES).json()
        assert "errors" not in body, body

    one = count_queries(fetch)
    for n in range(1, 20):
        make_list_entry(organisation, n)

    assert count_queries(fetch) == one


#: GraphQL type -> (REST serializer, fields only REST has, fields only GraphQL has), camelCase. Every
#: difference is deliberate: `id` is the global id in GraphQL and `databaseId` REST's id; relations are
#: objects in GraphQL (`client`, `project`, `task`) where REST gives a name.
INTENTIONAL_DIFFERENCES = {
    "Client": (serializers.ClientSerializer, set(), {"databaseId"}),
    "Project": (serializers.ProjectSerializer, {"clientName"}, {"databaseId", "client"}),
    "Task": (serializers.TaskSerializer, {"projectName"}, {"databaseId", "project"}),
    "TimeEntry": (serializers.TimeEntrySerializer, set(), {"databaseId", "project", "task"}),
}


@pytest.mark.parametrize("type_name", sorted(INTENTIONAL_DIFFERENCES))
def test_graphql_fields_match_the_rest_serializer(type_name):
    serializer_class, rest_only, graphql_only = INTENTIONAL_DIFFERENCES[type_name]
    rest = {to_camel_case(name) for name in serializer_class().fields}
    graphql = set(schema.graphql_schema.get_type(type_name).fields)

    assert rest - graphql == rest_only
    assert graphql - rest == graphql_only
