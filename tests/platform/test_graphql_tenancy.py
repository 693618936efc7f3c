"""The GraphQL half of the cross-tenant matrix: for every tenant type, another organisation's
row is null through ``node(id:)`` and its own field, and is never in the connection.

Every new GraphQL type joins ``GRAPHQL_NODES`` (its app's ``tests/<app>/matrix.py``); the last test fails when a type of
the schema that is scoped by tenant is missing here.
"""

from __future__ import annotations

import pytest
from graphql_relay import to_global_id

from tests.organisations.factories import OfficeFactory, ProducerFactory, WorkspaceFactory
from tests.platform.registry import Node, collect
from trackyoursheets.api.graphql import TenantObjectType
from trackyoursheets.schema import schema

pytestmark = pytest.mark.django_db


GRAPHQL_NODES = [
    Node("Office", lambda org: OfficeFactory(organisation=org), "offices", "office"),
    Node("Workspace", lambda org: WorkspaceFactory(office__organisation=org), "workspaces", "workspace"),
    Node("Producer", lambda org: ProducerFactory(workspace__office__organisation=org), "producers", "producer"),
    *collect("GRAPHQL_NODES"),  # every app's own (tests/<app>/matrix.py)
]


@pytest.mark.parametrize("node", GRAPHQL_NODES, ids=[n.type_name for n in GRAPHQL_NODES])
def test_other_tenants_node_is_null_everywhere(node, api, gql, organisation, other_organisation):
    ours, theirs = node.make(organisation), node.make(other_organisation)
    global_id = to_global_id(node.type_name, theirs.pk)
    query = f"""
      query($id: ID!) {{
        node(id: $id) {{ id }}
        {node.detail_field}(id: $id) {{ id }}
        {node.list_field}(first: 100) {{ edges {{ node {{ databaseId }} }} }}
      }}
    """

    body = gql(api, query, {"id": global_id}).json()

    assert "errors" not in body, body
    assert body["data"]["node"] is None
    assert body["data"][node.detail_field] is None
    listed = [e["node"]["databaseId"] for e in body["data"][node.list_field]["edges"]]
    assert listed == [ours.pk]


def test_every_tenant_type_is_in_the_matrix():
    tenant_types = {
        name
        for name, graphql_type in schema.graphql_schema.type_map.items()
        if getattr(graphql_type, "graphene_type", None) is not None
        and isinstance(graphql_type.graphene_type, type)
        and issubclass(graphql_type.graphene_type, TenantObjectType)
    }

    assert tenant_types == {n.type_name for n in GRAPHQL_NODES}
