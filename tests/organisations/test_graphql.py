"""GraphQL wiring of the organisations app (POST /graphql): shapes, filters, pagination,
scopes, tenancy, roles, limits, events, errors, depth and query counts."""

from __future__ import annotations

import re

import pytest
from graphene.utils.str_converters import to_camel_case
from graphql_relay import to_global_id

from integrations.models import OutboxEvent
from organisations.api import serializers
from organisations.choices import Role
from organisations.models import Producer, Workspace
from organisations.plans import FEATURES, PlanCode
from tests.organisations.factories import (
    MembershipFactory,
    OfficeFactory,
    ProducerFactory,
    WorkspaceAgentFactory,
    WorkspaceFactory,
)
from trackyoursheets.schema import schema

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

WORKSPACES = """
query($filter: WorkspaceFilter, $first: Int, $after: String) {
  workspaces(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { node { id databaseId name status description office { databaseId name } agents { email role } } }
  }
}
"""

PRODUCERS = """
query($filter: ProducerFilter) {
  producers(filter: $filter) {
    totalCount
    edges { node { databaseId displayName email producerCode defaultSplitPercent portalAccess status
                   membershipId userId workspace { databaseId name office { name } agents { email } } } }
  }
}
"""

CREATE_WORKSPACE = """
mutation($input: WorkspaceInput!) {
  createWorkspace(input: $input) { databaseId name description status office { name } }
}
"""

UPDATE_WORKSPACE = """
mutation($input: WorkspaceUpdateInput!) {
  updateWorkspace(input: $input) { databaseId name status office { name } }
}
"""

UPSERT_PRODUCER = """
mutation($input: ProducerInput!) {
  upsertProducer(input: $input) {
    databaseId displayName producerCode defaultSplitPercent portalAccess workspace { name }
  }
}
"""


def data_of(response) -> dict:
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def only_error(response) -> dict:
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]


def names(connection: dict) -> list[str]:
    return [edge["node"].get("name") or edge["node"].get("displayName") for edge in connection["edges"]]


# =============================================================================
# organisation
# =============================================================================


def test_organisation_shows_plan_limits_usage_and_features(organisation, make_member, make_api_client, gql):
    organisation.plan = PlanCode.GROWTH
    organisation.feature_toggles = {"webhooks": False}
    organisation.save()
    make_member(organisation, Role.OWNER)
    make_member(organisation, Role.EMPLOYEE)
    make_member(organisation, Role.EMPLOYEE, status="deactivated")
    WorkspaceFactory(office__organisation=organisation)
    WorkspaceFactory(office__organisation=organisation, status="archived")
    api = make_api_client(organisation, scopes=("organisation.read",))
    query = """{ organisation {
        id databaseId name slug timezone currency apiRateLimitPerMinute createdAt
        plan { code name pricePerSeat maxSeats maxWorkspaces maxAgentsPerWorkspace }
        limits { seats { limit used available } workspaces { limit used available } agentsPerWorkspace { limit } }
        features { name enabled }
    } }"""

    body = data_of(gql(api, query))["organisation"]

    assert body["id"] == to_global_id("Organisation", organisation.pk)
    assert body["databaseId"] == organisation.pk
    assert (body["name"], body["slug"], body["timezone"], body["currency"]) == ("Acme Insurance", "acme", "UTC", "USD")
    assert body["apiRateLimitPerMinute"] == organisation.api_rate_limit_per_minute
    assert ISO_UTC.match(body["createdAt"])
    assert body["plan"] == {
        "code": "growth",
        "name": "Growth",
        "pricePerSeat": "24.99",
        "maxSeats": 25,
        "maxWorkspaces": 15,
        "maxAgentsPerWorkspace": 15,
    }
    assert body["limits"] == {
        "seats": {"limit": 25, "used": 2, "available": 23},
        "workspaces": {"limit": 15, "used": 1, "available": 14},
        "agentsPerWorkspace": {"limit": 15},
    }
    assert [f["name"] for f in body["features"]] == list(FEATURES)
    enabled = {f["name"]: f["enabled"] for f in body["features"]}
    assert (enabled["webhooks"], enabled["hr"]) == (False, True)


# =============================================================================
# Lists: workspaces, producers, offices
# =============================================================================


def test_workspaces_list_their_office_and_agents(organisation, office, api, gql):
    workspace = WorkspaceFactory(office=office, name="North pod", description="Commercial lines")
    WorkspaceAgentFactory(workspace=workspace, membership__role=Role.PRODUCER, membership__user__email="p@acme.test")
    WorkspaceAgentFactory(workspace=workspace, membership__role=Role.MANAGER, membership__user__email="m@acme.test")

    body = data_of(gql(api, WORKSPACES))["workspaces"]

    assert body["totalCount"] == 1
    assert body["edges"][0]["node"] == {
        "id": to_global_id("Workspace", workspace.pk),
        "databaseId": workspace.pk,
        "name": "North pod",
        "status": "active",
        "description": "Commercial lines",
        "office": {"databaseId": office.pk, "name": "Head Office"},
        "agents": [{"email": "p@acme.test", "role": "producer"}, {"email": "m@acme.test", "role": "manager"}],
    }


def test_workspaces_filter_goes_through_the_filterset(organisation, office, api, gql):
    branch = OfficeFactory(organisation=organisation, name="Branch")
    WorkspaceFactory(office=office, name="Alpha")
    WorkspaceFactory(office=branch, name="Bravo")
    WorkspaceFactory(office=branch, name="Charlie", status="archived")
    agent = WorkspaceAgentFactory(workspace__office=branch, workspace__name="Delta", membership__role=Role.HR)

    def listed(filter_):
        return names(data_of(gql(api, WORKSPACES, {"filter": filter_}))["workspaces"])

    assert listed({"officeId": branch.pk}) == ["Bravo", "Charlie", "Delta"]
    assert listed({"officeId": to_global_id("Office", branch.pk)}) == ["Bravo", "Charlie", "Delta"]
    assert listed({"officeId": branch.pk, "status": "active"}) == ["Bravo", "Delta"]
    assert listed({"name": "ALP"}) == ["Alpha"]
    assert listed({"role": "hr"}) == [agent.workspace.name]
    assert listed({"updatedAfter": "2099-01-01T00:00:00Z"}) == []


def test_workspaces_paginate_with_first_and_after(organisation, office, api, gql):
    for name in ("A", "B", "C", "D", "E"):
        WorkspaceFactory(office=office, name=name)

    first_page = data_of(gql(api, WORKSPACES, {"first": 2}))["workspaces"]
    second_page = data_of(gql(api, WORKSPACES, {"first": 2, "after": first_page["pageInfo"]["endCursor"]}))
    last_page = data_of(gql(api, WORKSPACES, {"first": 2, "after": second_page["workspaces"]["pageInfo"]["endCursor"]}))

    assert (names(first_page), first_page["totalCount"]) == (["A", "B"], 5)
    assert first_page["pageInfo"]["hasNextPage"] is True
    assert names(second_page["workspaces"]) == ["C", "D"]
    assert names(last_page["workspaces"]) == ["E"]
    assert last_page["workspaces"]["pageInfo"]["hasNextPage"] is False


def test_pagination_argument_of_the_contract_equals_first_and_after(office, api, gql):
    for name in ("A", "B", "C"):
        WorkspaceFactory(office=office, name=name)
    query = "query($p: Pagination) { workspaces(pagination: $p) { edges { node { name } } } }"
    cursor = data_of(gql(api, WORKSPACES, {"first": 1}))["workspaces"]["pageInfo"]["endCursor"]

    body = data_of(gql(api, query, {"p": {"first": 1, "after": cursor}}))

    assert names(body["workspaces"]) == ["B"]


def test_more_than_100_rows_per_page_is_a_422(api, gql):
    error = only_error(gql(api, WORKSPACES, {"first": 101}))

    assert error["message"] == "first: Must be 100 or less."
    assert error["extensions"]["status"] == 422
    assert error["extensions"]["errors"] == {"first": ["Must be 100 or less."]}


def test_bad_filter_value_is_a_422_naming_each_field(api, gql):
    response = gql(api, WORKSPACES, {"filter": {"officeId": "abc", "updatedAfter": "yesterday", "status": "gone"}})

    error = only_error(response)
    assert response.json()["data"] is None
    assert error["path"] == ["workspaces"]
    assert error["extensions"]["status"] == 422
    assert error["extensions"]["type"] == "https://docs.trackyoursheets.com/errors/validation"
    assert error["extensions"]["errors"] == {
        "officeId": ["Enter a number."],
        "status": ["Select a valid choice. gone is not one of the available choices."],
        "updatedAfter": ["Enter a valid date/time."],
    }


def test_producers_list_with_workspace_and_login(organisation, office, api, gql):
    member = MembershipFactory(organisation=organisation, role=Role.PRODUCER)
    workspace = WorkspaceFactory(office=office, name="North pod")
    WorkspaceAgentFactory(workspace=workspace, membership__user__email="agent@acme.test")
    producer = ProducerFactory(
        workspace=workspace, display_name="Ada Agent", email="ada@acme.test", producer_code="P-1", membership=member
    )
    ProducerFactory(workspace__office=office, display_name="Bob Broker", portal_access=True)

    body = data_of(gql(api, PRODUCERS))["producers"]
    filtered = data_of(gql(api, PRODUCERS, {"filter": {"portalAccess": True}}))["producers"]

    assert body["totalCount"] == 2
    assert body["edges"][0]["node"] == {
        "databaseId": producer.pk,
        "displayName": "Ada Agent",
        "email": "ada@acme.test",
        "producerCode": "P-1",
        "defaultSplitPercent": "100.00",
        "portalAccess": False,
        "status": "active",
        "membershipId": member.pk,
        "userId": member.user_id,
        "workspace": {
            "databaseId": workspace.pk,
            "name": "North pod",
            "office": {"name": "Head Office"},
            "agents": [{"email": "agent@acme.test"}],
        },
    }
    assert names(filtered) == ["Bob Broker"]


def test_producers_filter_by_search_and_workspace(organisation, office, api, gql):
    workspace = WorkspaceFactory(office=office)
    ProducerFactory(workspace=workspace, display_name="Ada Agent", producer_code="ADA")
    ProducerFactory(workspace__office=office, display_name="Bob Broker", producer_code="BOB")

    by_search = data_of(gql(api, PRODUCERS, {"filter": {"search": "bob"}}))["producers"]
    by_workspace = data_of(gql(api, PRODUCERS, {"filter": {"workspaceId": to_global_id("Workspace", workspace.pk)}}))

    assert names(by_search) == ["Bob Broker"]
    assert names(by_workspace["producers"]) == ["Ada Agent"]


def test_offices_are_listed_and_filtered(organisation, office, api, gql):
    OfficeFactory(organisation=organisation, name="Branch")
    query = "query($f: OfficeFilter) { offices(filter: $f) { totalCount edges { node { name timezone } } } }"

    everything = data_of(gql(api, query))["offices"]
    branch = data_of(gql(api, query, {"f": {"name": "bran"}}))["offices"]

    assert names(everything) == ["Branch", "Head Office"]
    assert branch == {"totalCount": 1, "edges": [{"node": {"name": "Branch", "timezone": "America/New_York"}}]}


def test_one_workspace_by_integer_or_global_id(office, api, gql):
    workspace = WorkspaceFactory(office=office, name="North pod")
    query = "query($id: ID!) { workspace(id: $id) { name } }"

    by_pk = data_of(gql(api, query, {"id": workspace.pk}))
    by_global_id = data_of(gql(api, query, {"id": to_global_id("Workspace", workspace.pk)}))
    missing = data_of(gql(api, query, {"id": workspace.pk + 1000}))

    assert by_pk == by_global_id == {"workspace": {"name": "North pod"}}
    assert missing == {"workspace": None}


# =============================================================================
# Tenancy and roles
# =============================================================================


def test_other_tenants_rows_are_never_listed(organisation, other_organisation, office, api, gql):
    ProducerFactory(workspace__office=office, workspace__name="Ours", display_name="Our producer")
    ProducerFactory(
        workspace__office__organisation=other_organisation, workspace__name="Theirs", display_name="Their producer"
    )
    OfficeFactory(organisation=other_organisation, name="Their office")

    workspaces = data_of(gql(api, WORKSPACES))["workspaces"]
    producers = data_of(gql(api, PRODUCERS))["producers"]
    offices = data_of(gql(api, "{ offices { edges { node { name } } } }"))["offices"]

    assert names(workspaces) == ["Ours"]
    assert names(producers) == ["Our producer"]
    assert names(offices) == ["Head Office"]


def test_node_of_another_tenants_workspace_is_null(other_organisation, office, api, gql):
    ours = WorkspaceFactory(office=office, name="Ours")
    theirs = WorkspaceFactory(office__organisation=other_organisation, name="Theirs")
    query = "query($id: ID!) { node(id: $id) { id ... on Workspace { name } } }"

    own = gql(api, query, {"id": to_global_id("Workspace", ours.pk)})
    foreign = gql(api, query, {"id": to_global_id("Workspace", theirs.pk)})
    by_field = gql(api, "query($id: ID!) { workspace(id: $id) { name } }", {"id": theirs.pk})

    assert data_of(own) == {"node": {"id": to_global_id("Workspace", ours.pk), "name": "Ours"}}
    assert foreign.json() == {"data": {"node": None}}
    assert by_field.json() == {"data": {"workspace": None}}


def test_node_of_another_organisation_or_unknown_type_is_null(other_organisation, api, gql):
    query = "query($id: ID!) { node(id: $id) { id } }"

    for global_id in (
        to_global_id("Organisation", other_organisation.pk),
        to_global_id("Membership", 1),
        to_global_id("Workspace", "abc"),
        "not-a-global-id",
    ):
        assert gql(api, query, {"id": global_id}).json() == {"data": {"node": None}}


def test_manager_sees_only_their_office(organisation, office, make_member, session_client, gql):
    branch = OfficeFactory(organisation=organisation, name="Branch")
    manager = make_member(organisation, Role.MANAGER, office=office)
    ProducerFactory(workspace__office=office, workspace__name="Ours", display_name="Our producer")
    hidden = ProducerFactory(workspace__office=branch, workspace__name="Theirs", display_name="Branch producer")
    client = session_client(manager)

    workspaces = data_of(gql(client, WORKSPACES))["workspaces"]
    producers = data_of(gql(client, PRODUCERS))["producers"]
    node = gql(client, "query($id: ID!) { node(id: $id) { id } }", {"id": to_global_id("Producer", hidden.pk)})

    assert names(workspaces) == ["Ours"]
    assert names(producers) == ["Our producer"]
    assert node.json() == {"data": {"node": None}}


def test_producer_sees_own_record_and_its_workspace(organisation, office, make_member, session_client, gql):
    member = make_member(organisation, Role.PRODUCER)
    ProducerFactory(workspace__office=office, workspace__name="Mine", display_name="Me", membership=member)
    ProducerFactory(workspace__office=office, workspace__name="Other", display_name="Colleague")

    producers = data_of(gql(session_client(member), PRODUCERS))["producers"]

    assert names(producers) == ["Me"]
    assert producers["edges"][0]["node"]["workspace"]["name"] == "Mine"


def test_nested_relation_to_another_tenants_row_is_null(organisation, other_organisation, office, api, gql):
    # services never link across tenants (full_clean refuses); a row written around them must not leak either
    theirs = WorkspaceFactory(office__organisation=other_organisation, name="Theirs")
    mine = Producer.objects.create(organisation=organisation, display_name="Ada Agent", workspace=theirs)
    query = "query($id: ID!) { producer(id: $id) { displayName workspace { name } } }"

    listed = data_of(gql(api, "{ producers { edges { node { displayName workspace { name } } } } }"))
    single = data_of(gql(api, query, {"id": mine.pk}))

    assert listed["producers"]["edges"] == [{"node": {"displayName": "Ada Agent", "workspace": None}}]
    assert single == {"producer": {"displayName": "Ada Agent", "workspace": None}}


def test_nested_relation_without_its_read_scope_is_null(organisation, office, make_api_client, gql):
    ProducerFactory(workspace__office=office, display_name="Ada Agent")
    api = make_api_client(organisation, scopes=("producers.read",))

    body = data_of(gql(api, "{ producers { edges { node { displayName workspace { name } } } } }"))

    assert body["producers"]["edges"] == [{"node": {"displayName": "Ada Agent", "workspace": None}}]


# =============================================================================
# Mutations: workspaces
# =============================================================================


def test_create_workspace_writes_the_workspace_and_its_event(organisation, office, api, gql):
    variables = {"input": {"name": "  North pod ", "officeId": to_global_id("Office", office.pk), "description": "CL"}}

    body = data_of(gql(api, CREATE_WORKSPACE, variables))["createWorkspace"]

    workspace = Workspace.objects.get()
    assert body == {
        "databaseId": workspace.pk,
        "name": "North pod",
        "description": "CL",
        "status": "active",
        "office": {"name": "Head Office"},
    }
    event = OutboxEvent.objects.get(topic="organisation.workspace.created")
    assert (event.organisation_id, event.payload["id"]) == (organisation.pk, workspace.pk)
    assert event.payload["name"] == "North pod"


def test_create_workspace_beyond_the_plan_limit_is_refused(organisation, office, api, gql):
    organisation.plan = PlanCode.STARTER
    organisation.save()
    for name in ("A", "B", "C"):
        WorkspaceFactory(office=office, name=name)

    error = only_error(gql(api, CREATE_WORKSPACE, {"input": {"name": "D", "officeId": office.pk}}))

    assert error["path"] == ["createWorkspace"]
    assert error["message"] == "The Starter plan allows 3 active workspaces; archive one or change plan."
    assert error["extensions"]["status"] == 422
    assert error["extensions"]["type"] == "https://docs.trackyoursheets.com/errors/plan-limit"
    assert (error["extensions"]["limit"], error["extensions"]["used"]) == (3, 3)
    assert Workspace.objects.count() == 3
    assert not OutboxEvent.objects.exists()


def test_create_workspace_in_another_tenants_office_is_not_found(other_organisation, api, gql):
    theirs = OfficeFactory(organisation=other_organisation)
    missing_pk = theirs.pk + 1000

    foreign = only_error(gql(api, CREATE_WORKSPACE, {"input": {"name": "Sneaky", "officeId": theirs.pk}}))
    missing = only_error(gql(api, CREATE_WORKSPACE, {"input": {"name": "Sneaky", "officeId": missing_pk}}))

    assert foreign["extensions"]["status"] == missing["extensions"]["status"] == 422
    assert foreign["extensions"]["errors"] == {"officeId": [f'Invalid pk "{theirs.pk}" - object does not exist.']}
    assert missing["extensions"]["errors"] == {"officeId": [f'Invalid pk "{missing_pk}" - object does not exist.']}
    assert not Workspace.objects.exists()


def test_create_workspace_with_a_taken_name_is_a_422(office, api, gql):
    WorkspaceFactory(office=office, name="North pod")

    error = only_error(gql(api, CREATE_WORKSPACE, {"input": {"name": "North pod", "officeId": office.pk}}))

    assert error["extensions"]["status"] == 422
    assert error["extensions"]["errors"] == {
        "nonFieldErrors": ["Workspace with this Organisation and Name already exists."]
    }


def test_update_workspace_renames_moves_and_archives(organisation, office, api, gql):
    workspace = WorkspaceFactory(office=office, name="North pod")
    branch = OfficeFactory(organisation=organisation, name="Branch")
    variables = {
        "input": {
            "id": to_global_id("Workspace", workspace.pk),
            "name": "South pod",
            "officeId": branch.pk,
            "status": "archived",
        }
    }

    body = data_of(gql(api, UPDATE_WORKSPACE, variables))["updateWorkspace"]

    assert body == {"databaseId": workspace.pk, "name": "South pod", "status": "archived", "office": {"name": "Branch"}}
    workspace.refresh_from_db()
    assert (workspace.name, workspace.office_id, workspace.status) == ("South pod", branch.pk, "archived")
    assert OutboxEvent.objects.get().topic == "organisation.workspace.updated"


def test_update_another_tenants_workspace_is_not_found(other_organisation, api, gql):
    theirs = WorkspaceFactory(office__organisation=other_organisation, name="Theirs")

    error = only_error(gql(api, UPDATE_WORKSPACE, {"input": {"id": theirs.pk, "name": "Mine now"}}))

    assert error["message"] == "No workspace with this id."
    assert error["extensions"]["status"] == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_manager_cannot_create_a_workspace_in_another_office(organisation, office, make_member, session_client, gql):
    branch = OfficeFactory(organisation=organisation, name="Branch")
    manager = make_member(organisation, Role.MANAGER, office=office)

    error = only_error(gql(session_client(manager), CREATE_WORKSPACE, {"input": {"name": "X", "officeId": branch.pk}}))

    assert error["extensions"]["status"] == 403
    assert error["message"] == "Your role does not allow changes in this office."
    assert not Workspace.objects.exists()


# =============================================================================
# Mutations: producers
# =============================================================================


def test_upsert_producer_creates_then_updates_by_code_then_by_id(organisation, office, api, gql):
    workspace = WorkspaceFactory(office=office, name="North pod")
    create = {"displayName": "Ada Agent", "producerCode": "P-7", "defaultSplitPercent": "62.5"}
    create["workspaceId"] = workspace.pk

    created = data_of(gql(api, UPSERT_PRODUCER, {"input": create}))["upsertProducer"]
    by_code = data_of(gql(api, UPSERT_PRODUCER, {"input": {"producerCode": "P-7", "portalAccess": True}}))
    by_id = data_of(
        gql(
            api,
            UPSERT_PRODUCER,
            {
                "input": {
                    "id": to_global_id("Producer", created["databaseId"]),
                    "displayName": "Ada Lovelace",
                    "workspaceId": None,
                }
            },
        )
    )

    producer = Producer.objects.get()
    assert created == {
        "databaseId": producer.pk,
        "displayName": "Ada Agent",
        "producerCode": "P-7",
        "defaultSplitPercent": "62.50",
        "portalAccess": False,
        "workspace": {"name": "North pod"},
    }
    assert by_code["upsertProducer"]["databaseId"] == producer.pk
    assert by_code["upsertProducer"]["portalAccess"] is True
    assert by_id["upsertProducer"]["databaseId"] == producer.pk
    assert by_id["upsertProducer"]["displayName"] == "Ada Lovelace"
    assert by_id["upsertProducer"]["workspace"] is None
    assert (producer.display_name, producer.portal_access, producer.workspace_id) == ("Ada Lovelace", True, None)
    topics = list(OutboxEvent.objects.values_list("topic", flat=True))
    assert topics == ["organisation.producer.created", "organisation.producer.updated", "organisation.producer.updated"]


def test_upsert_new_producer_without_display_name_is_a_422(api, gql):
    error = only_error(gql(api, UPSERT_PRODUCER, {"input": {"producerCode": "NEW"}}))

    assert error["extensions"]["status"] == 422
    assert error["extensions"]["errors"] == {"displayName": ["This field is required to create a producer."]}
    assert not Producer.objects.exists()


def test_upsert_producer_with_bad_split_is_a_422_naming_the_field(api, gql):
    error = only_error(gql(api, UPSERT_PRODUCER, {"input": {"displayName": "Ada", "defaultSplitPercent": "150"}}))

    assert error["extensions"]["status"] == 422
    assert error["extensions"]["errors"] == {"defaultSplitPercent": ["Ensure this value is less than or equal to 100."]}


def test_upsert_producer_with_another_tenants_ids_is_not_found(other_organisation, api, gql):
    their_producer = ProducerFactory(workspace__office__organisation=other_organisation, display_name="Theirs")
    their_member = MembershipFactory(organisation=other_organisation)

    by_id = only_error(gql(api, UPSERT_PRODUCER, {"input": {"id": their_producer.pk, "displayName": "Mine"}}))
    linked = only_error(
        gql(
            api,
            UPSERT_PRODUCER,
            {
                "input": {
                    "displayName": "Mine",
                    "workspaceId": their_producer.workspace_id,
                    "membershipId": their_member.pk,
                }
            },
        )
    )

    assert (by_id["extensions"]["status"], by_id["message"]) == (404, "No producer with this id.")
    assert linked["extensions"]["status"] == 422
    assert linked["extensions"]["errors"] == {
        "workspaceId": [f'Invalid pk "{their_producer.workspace_id}" - object does not exist.'],
        "membershipId": [f'Invalid pk "{their_member.pk}" - object does not exist.'],
    }
    their_producer.refresh_from_db()
    assert their_producer.display_name == "Theirs"
    assert Producer.objects.count() == 1


# =============================================================================
# Scopes, authentication and the endpoint
# =============================================================================


def test_query_without_its_scope_is_403_naming_the_scope(organisation, make_api_client, gql):
    api = make_api_client(organisation, scopes=("producers.read",))

    error = only_error(gql(api, "{ workspaces { totalCount } }"))

    assert error["path"] == ["workspaces"]
    assert error["message"] == "This request needs the workspaces.read scope, which the credential does not have."
    assert error["extensions"]["status"] == 403
    assert error["extensions"]["required_scope"] == "workspaces.read"
    assert error["extensions"]["type"] == "https://docs.trackyoursheets.com/errors/missing-scope"


def test_organisation_without_its_scope_is_403(organisation, make_api_client, gql):
    api = make_api_client(organisation, scopes=("workspaces.read",))

    error = only_error(gql(api, "{ organisation { name } }"))

    assert (error["extensions"]["status"], error["extensions"]["required_scope"]) == (403, "organisation.read")


def test_mutation_without_its_scope_is_403_and_writes_nothing(organisation, office, make_api_client, gql):
    api = make_api_client(organisation, scopes=("workspaces.read", "producers.read"))

    workspace_error = only_error(gql(api, CREATE_WORKSPACE, {"input": {"name": "X", "officeId": office.pk}}))
    producer_error = only_error(gql(api, UPSERT_PRODUCER, {"input": {"displayName": "Ada"}}))

    assert (workspace_error["extensions"]["status"], workspace_error["extensions"]["required_scope"]) == (
        403,
        "workspaces.write",
    )
    assert producer_error["extensions"]["required_scope"] == "producers.write"
    assert not Workspace.objects.exists()
    assert not Producer.objects.exists()


def test_without_credentials_is_a_401_problem(anonymous_api, gql):
    response = gql(anonymous_api, "{ workspaces { totalCount } }")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == 'Bearer realm="trackyoursheets"'
    assert response.json()["detail"] == "Authentication credentials were not provided."


def test_get_without_a_query_is_a_400_problem(api):
    response = api.get("/graphql")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "Must provide query string."


def test_put_is_a_405_problem(api):
    response = api.put("/graphql", {"query": "{ __typename }"}, format="json")

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert response["Allow"] == "GET, POST"


def test_organisation_without_the_graphql_feature_is_a_403_problem(organisation, api, gql):
    organisation.feature_toggles = {"graphql": False}
    organisation.save()

    response = gql(api, "{ __typename }")

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM


def test_graphql_counts_against_the_organisation_rate_limit(organisation, make_api_client, gql):
    organisation.api_rate_limit_per_minute = 1
    organisation.save()
    api = make_api_client(organisation)

    first = gql(api, "{ __typename }")
    second = gql(api, "{ __typename }")

    assert first.status_code == 200
    assert second.status_code == 429
    assert second["Content-Type"] == PROBLEM
    assert int(second["Retry-After"]) >= 1


def test_query_deeper_than_the_limit_is_refused(office, api, gql, settings):
    WorkspaceFactory(office=office, name="North pod")
    query = "{ workspaces { edges { node { office { name } } } } }"  # `name` is 4 fields below the root

    settings.GRAPHQL_MAX_DEPTH = 4
    allowed = gql(api, query)
    settings.GRAPHQL_MAX_DEPTH = 3
    refused = gql(api, query)

    assert data_of(allowed)["workspaces"]["edges"] == [{"node": {"office": {"name": "Head Office"}}}]
    assert refused.status_code == 400
    assert refused["Content-Type"] == PROBLEM
    assert refused.json()["detail"] == "'anonymous' exceeds maximum operation depth of 3."
    assert [e["message"] for e in refused.json()["errors"]] == ["'anonymous' exceeds maximum operation depth of 3."]


def test_default_depth_limit_is_eight(settings):
    assert settings.GRAPHQL_MAX_DEPTH == 8


# =============================================================================
# Query counts (no N+1)
# =============================================================================


def make_workspace(organisation, n):
    workspace = WorkspaceFactory(office=OfficeFactory(organisation=organisation), name=f"WS {n:03d}")
    WorkspaceAgentFactory(workspace=workspace, membership__role=Role.PRODUCER)
    WorkspaceAgentFactory(workspace=workspace, membership__role=Role.MANAGER)
    return workspace


def make_producer(organisation, n):
    return ProducerFactory(
        workspace=make_workspace(organisation, n),
        membership=MembershipFactory(organisation=organisation, role=Role.PRODUCER),
        display_name=f"Producer {n:03d}",
    )


@pytest.mark.parametrize(
    ("query", "make", "field"),
    [
        (WORKSPACES.replace("$first: Int", "$first: Int = 100"), make_workspace, "workspaces"),
        (PRODUCERS, make_producer, "producers"),
    ],
    ids=["workspaces", "producers"],
)
def test_query_count_does_not_grow_with_rows(query, make, field, organisation, api, gql, count_queries):
    make(organisation, 0)

    def fetch():
        return data_of(gql(api, query))[field]

    one = count_queries(fetch)
    for n in range(1, 30):
        make(organisation, n)
    thirty = count_queries(fetch)

    assert fetch()["totalCount"] == 30
    assert thirty == one, (one, thirty)


# =============================================================================
# GraphQL and REST describe the same resources
# =============================================================================

#: GraphQL type -> (REST serializer, fields only REST has, fields only GraphQL has), in camelCase.
#: Every difference is deliberate:
#: - `id` is the Relay global id in GraphQL; `databaseId` is REST's integer `id`;
#: - relations are objects in GraphQL (`office`, `workspace`) where REST gives `office_id`/`office_name`/`workspace_id`;
#: - `features` is a list of {name, enabled} in GraphQL (a map in REST): GraphQL has no map type;
#: - WorkspaceInput has no `status`: REST's create ignores it too (a new workspace is active);
#: - ProducerInput has `id`: the upsert's target (REST puts it in the URL).
INTENTIONAL_DIFFERENCES = {
    "Organisation": (serializers.OrganisationSerializer, set(), {"databaseId"}),
    "Plan": (serializers.PlanSerializer, set(), set()),
    "UsageLimit": (serializers.LimitSerializer, set(), set()),
    "Office": (serializers.OfficeSerializer, set(), {"databaseId"}),
    "Workspace": (serializers.WorkspaceSerializer, {"officeId", "officeName"}, {"databaseId", "office"}),
    "WorkspaceAgent": (serializers.AgentSerializer, set(), set()),
    "Producer": (serializers.ProducerSerializer, {"workspaceId"}, {"databaseId", "workspace"}),
    "WorkspaceInput": (serializers.WorkspaceInputSerializer, {"status"}, set()),
    "ProducerInput": (serializers.ProducerInputSerializer, set(), {"id"}),
}


@pytest.mark.parametrize("type_name", sorted(INTENTIONAL_DIFFERENCES))
def test_graphql_fields_match_the_rest_serializer(type_name):
    serializer_class, rest_only, graphql_only = INTENTIONAL_DIFFERENCES[type_name]
    rest = {to_camel_case(name) for name in serializer_class().fields}
    graphql = set(schema.graphql_schema.get_type(type_name).fields)

    assert rest - graphql == rest_only
    assert graphql - rest == graphql_only


def test_unknown_fields_are_refused_by_standard_validation(api, gql):
    response = gql(api, "{ nope }")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "Cannot query field 'nope'" in response.json()["detail"]
