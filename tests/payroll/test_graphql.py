"""GraphQL wiring of the ledger: connections with the REST FilterSets, nested relations,
`createOverride` (same service as REST), scopes and role visibility."""

from __future__ import annotations

from decimal import Decimal

import pytest
from graphene.utils.str_converters import to_camel_case
from graphql_relay import to_global_id

from organisations.actors import system_actor
from payroll import services
from payroll.api import serializers
from payroll.models import CommissionOverride
from tests.organisations.factories import ProducerFactory
from trackyoursheets.schema import schema

from .factories import CommissionTransactionFactory, PolicyProducerFactory

pytestmark = pytest.mark.django_db

TRANSACTIONS = """
query($filter: CommissionTransactionFilter) {
  transactions(filter: $filter, first: 50) {
    totalCount
    edges { node { databaseId statementPeriod premium grossCommission splitPercent baseAmount producerAmount
                   currency status type producer { databaseId } carrier { name } policy { number } } }
  }
}
"""

CREATE_OVERRIDE = """
mutation($input: OverrideInput!) {
  createOverride(input: $input) {
    databaseId grossCommission producerAmount overrides { kind value resultingAmount }
  }
}
"""


@pytest.fixture
def producer(organisation):
    return ProducerFactory(workspace__office__organisation=organisation)


def test_transactions_connection_with_filter(api, gql, producer, organisation):
    policy_link = PolicyProducerFactory(policy__carrier__organisation=organisation, producer=producer)
    wanted = CommissionTransactionFactory(
        producer=producer, policy=policy_link.policy, carrier=policy_link.policy.carrier, status="disputed"
    )
    CommissionTransactionFactory(producer=producer)

    body = gql(api, TRANSACTIONS, {"filter": {"status": "disputed", "producerId": str(producer.pk)}}).json()

    assert "errors" not in body, body
    connection = body["data"]["transactions"]
    assert connection["totalCount"] == 1
    assert connection["edges"][0]["node"] == {
        "databaseId": wanted.pk,
        "statementPeriod": "2026-01",
        "premium": "1000.00",
        "grossCommission": "100.00",
        "splitPercent": "100.0000",
        "baseAmount": "100.00",
        "producerAmount": "100.00",
        "currency": "USD",
        "status": "disputed",
        "type": "new",
        "producer": {"databaseId": producer.pk},
        "carrier": {"name": policy_link.policy.carrier.name},
        "policy": {"number": policy_link.policy.number},
    }


def test_a_bad_filter_value_is_a_422(api, gql):
    body = gql(api, TRANSACTIONS, {"filter": {"statementPeriod": "January"}}).json()

    assert body["errors"][0]["extensions"]["status"] == 422
    assert body["errors"][0]["extensions"]["errors"] == {"statementPeriod": ["Use YYYY-MM."]}


def test_create_override_twice_does_not_compound(api, gql, producer):
    txn = CommissionTransactionFactory(producer=producer)
    variables = {
        "input": {
            "transactionId": to_global_id("CommissionTransaction", txn.pk),
            "kind": "split",
            "value": "25",
            "reason": "Shared",
        }
    }

    gql(api, CREATE_OVERRIDE, variables)
    body = gql(api, CREATE_OVERRIDE, variables).json()

    assert "errors" not in body, body
    assert body["data"]["createOverride"]["grossCommission"] == "100.00"
    assert body["data"]["createOverride"]["producerAmount"] == "25.00"
    assert [o["resultingAmount"] for o in body["data"]["createOverride"]["overrides"]] == ["25.00", "25.00"]


def test_create_override_on_a_paid_line_is_a_409(api, gql, producer):
    txn = CommissionTransactionFactory(producer=producer, status="paid")

    body = gql(
        api, CREATE_OVERRIDE, {"input": {"transactionId": str(txn.pk), "kind": "flat", "value": "1", "reason": "x"}}
    ).json()

    assert body["errors"][0]["extensions"]["status"] == 409
    assert CommissionOverride.objects.count() == 0


def test_create_override_of_another_tenants_line_is_a_404(api, gql, other_organisation):
    theirs = CommissionTransactionFactory(producer__workspace__office__organisation=other_organisation)

    body = gql(
        api, CREATE_OVERRIDE, {"input": {"transactionId": str(theirs.pk), "kind": "flat", "value": "1", "reason": "x"}}
    ).json()

    assert body["errors"][0]["extensions"]["status"] == 404
    assert CommissionOverride.objects.count() == 0


def test_scopes(make_api_client, organisation, gql, producer):
    txn = CommissionTransactionFactory(producer=producer)
    reader = make_api_client(organisation, scopes=["transactions.read"])
    nobody = make_api_client(organisation, scopes=["workspaces.read"])
    mutation = {"input": {"transactionId": str(txn.pk), "kind": "flat", "value": "1", "reason": "x"}}

    assert gql(reader, TRANSACTIONS).json()["data"]["transactions"]["totalCount"] == 1
    assert gql(nobody, TRANSACTIONS).json()["errors"][0]["extensions"]["status"] == 403
    assert gql(reader, CREATE_OVERRIDE, mutation).json()["errors"][0]["extensions"]["status"] == 403


def test_a_producer_sees_only_their_own_lines(session_client, gql, organisation):
    from organisations.choices import Role
    from tests.organisations.factories import MembershipFactory

    login = MembershipFactory(organisation=organisation, role=Role.PRODUCER)
    mine = CommissionTransactionFactory(
        producer=ProducerFactory(workspace__office__organisation=organisation, membership=login, portal_access=True)
    )
    CommissionTransactionFactory(producer__workspace__office__organisation=organisation)

    body = gql(session_client(login), TRANSACTIONS).json()

    assert "errors" not in body, body
    assert [e["node"]["databaseId"] for e in body["data"]["transactions"]["edges"]] == [mine.pk]


def test_policies_and_carriers(api, gql, organisation, producer):
    link = PolicyProducerFactory(
        policy__carrier__organisation=organisation, producer=producer, split_percent=Decimal("100")
    )

    body = gql(
        api,
        "{ policies { edges { node { number currency carrier { code } producers { producerId splitPercent } } } }"
        " carriers { totalCount } }",
    ).json()

    assert "errors" not in body, body
    assert body["data"]["policies"]["edges"][0]["node"] == {
        "number": link.policy.number,
        "currency": "USD",
        "carrier": {"code": link.policy.carrier.code},
        "producers": [{"producerId": producer.pk, "splitPercent": "100.0000"}],
    }
    assert body["data"]["carriers"]["totalCount"] == 1


# =============================================================================
# GraphQL and REST describe the same resources
# =============================================================================

#: GraphQL type -> (REST serializer, fields only REST has, fields only GraphQL has), in camelCase.
#: Every difference is deliberate:
#: - `id` is the Relay global id in GraphQL; `databaseId` is REST's integer `id`;
#: - relations are objects in GraphQL (`carrier`, `policy`, `producer`, `workspace`) where REST gives
#:   `<thing>_id` and a name;
#: - a transaction's `latestOverride` is the first of `overrides` (newest first) in GraphQL.
INTENTIONAL_DIFFERENCES = {
    "Carrier": (serializers.CarrierSerializer, set(), {"databaseId"}),
    "Policy": (serializers.PolicySerializer, {"carrierId", "carrierName"}, {"databaseId", "carrier"}),
    "PolicyProducerSplit": (serializers.PolicyProducerSerializer, set(), set()),
    "CommissionOverride": (serializers.CommissionOverrideSerializer, {"id"}, {"databaseId"}),
    "CommissionTransaction": (
        serializers.CommissionTransactionSerializer,
        {"policyId", "policyNumber", "producerName", "carrierId", "carrierName", "workspaceId", "latestOverride"},
        {"databaseId", "policy", "producer", "carrier", "workspace"},
    ),
}


@pytest.mark.parametrize("type_name", sorted(INTENTIONAL_DIFFERENCES))
def test_graphql_fields_match_the_rest_serializer(type_name):
    serializer_class, rest_only, graphql_only = INTENTIONAL_DIFFERENCES[type_name]
    rest = {to_camel_case(name) for name in serializer_class().fields}
    graphql = set(schema.graphql_schema.get_type(type_name).fields)

    assert rest - graphql == rest_only
    assert graphql - rest == graphql_only


def test_transactions_connection_query_count_does_not_grow(api, gql, producer, count_queries):
    def make():
        link = PolicyProducerFactory(policy__carrier__organisation=producer.organisation, producer=producer)
        txn = CommissionTransactionFactory(producer=producer, policy=link.policy, carrier=link.policy.carrier)
        services.override_create(
            actor=system_actor(producer.organisation), transaction=txn, kind="flat", value=1, reason="x"
        )
        return txn

    make()

    def fetch():
        body = gql(api, TRANSACTIONS).json()
        assert "errors" not in body, body

    one = count_queries(fetch)
    for _ in range(19):
        make()

    assert count_queries(fetch) == one
