"""The commission ledger's rows in the shared tenancy and query-count harnesses
(tests/platform/registry.py)."""

from tests.payroll.factories import (
    CarrierFactory,
    CategoryFactory,
    CommissionOverrideFactory,
    CommissionRuleFactory,
    CommissionRuleSetFactory,
    CommissionTransactionFactory,
    PolicyFactory,
    PolicyProducerFactory,
)
from tests.platform.registry import Node, Resource

RESOURCES = [
    Resource(
        name="carriers",
        list_url="/v1/carriers",
        make=lambda org: CarrierFactory(organisation=org),
        mutations=(("patch", "", {"name": "Taken over"}),),
    ),
    Resource(
        name="categories",
        list_url="/v1/categories",
        make=lambda org: CategoryFactory(organisation=org),
        mutations=(("patch", "", {"name": "Taken over"}),),
    ),
    Resource(
        name="policies",
        list_url="/v1/policies",
        make=lambda org: PolicyFactory(carrier__organisation=org),
        mutations=(("patch", "", {"customer_name": "Taken over"}),),
    ),
    Resource(
        name="commission-rules",
        list_url="/v1/commission-rules",
        make=lambda org: CommissionRuleSetFactory(organisation=org),
        mutations=(("patch", "", {"name": "Taken over"}),),
    ),
    Resource(
        name="transactions",
        list_url="/v1/transactions",
        make=lambda org: CommissionTransactionFactory(producer__workspace__office__organisation=org),
        mutations=(
            ("patch", "", {"notes": "Taken over"}),
            ("post", "/overrides", {"kind": "flat", "value": "1.00", "reason": "Taken over"}),
            ("post", "/transition", {"status": "reconciled"}),
        ),
        # another tenant's ids in the bulk override are refused as missing:
        # test_bulk_override_refuses_another_tenants_ids in tests/payroll/test_api.py
        covers=("transactions/overrides/bulk",),
    ),
]


def make_policy(org, n):
    return PolicyProducerFactory(policy__carrier__organisation=org, policy__number=f"POL-{n:03d}").policy


def make_rule_set(org, n):
    rule = CommissionRuleFactory(rule_set__organisation=org, rule_set__name=f"Rules {n:03d}")
    CommissionRuleFactory(rule_set=rule.rule_set, carrier=CarrierFactory(organisation=org))
    return rule.rule_set


def make_transaction(org, n):
    override = CommissionOverrideFactory(transaction__producer__workspace__office__organisation=org)
    txn = override.transaction
    txn.latest_override = override
    txn.save()
    return txn


LISTS = [
    ("/v1/carriers", lambda org, n: CarrierFactory(organisation=org, name=f"Carrier {n:03d}")),
    ("/v1/categories", lambda org, n: CategoryFactory(organisation=org, name=f"Line {n:03d}")),
    ("/v1/policies", make_policy),
    ("/v1/commission-rules", make_rule_set),
    ("/v1/transactions", make_transaction),
]

GRAPHQL_NODES = [
    Node("Carrier", lambda org: CarrierFactory(organisation=org), "carriers", "carrier"),
    Node("Policy", lambda org: PolicyFactory(carrier__organisation=org), "policies", "policy"),
    Node(
        "CommissionTransaction",
        lambda org: CommissionTransactionFactory(producer__workspace__office__organisation=org),
        "transactions",
        "transaction",
    ),
]

#: the commission report aggregates the caller's lines and has no object id; that another
#: tenant's lines never count in any of its totals is proven by
#: test_another_tenants_lines_never_count_in_any_total in tests/payroll/test_reports.py
NON_OBJECT_ROUTES = ["reports/commissions"]
