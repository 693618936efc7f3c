"""The commission ledger's and statement imports' rows in the shared tenancy, query-count and
GraphQL harnesses (tests/platform/registry.py)."""

from decimal import Decimal

from payroll.models import ImportBatch, ImportRow
from tests.organisations.factories import ProducerFactory
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

from .imports.factories import make_import

ONE_ROW = "Policy Number,Commission,Date\nONE-{n},10.00,2026-01-15\n"

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
    # statement imports
    Resource(
        name="imports",
        list_url="/v1/imports",
        make=lambda org: make_import(org),
        mutations=(
            ("post", "/finalise", {"skip_unresolved": True}),
            ("post", "/rollback", None),
            ("get", "/rows", None),  # another tenant's rows: 404 too
        ),
        # another tenant's row (detail and match) is proven 404 by
        # test_another_tenants_rows_are_404 in tests/payroll/imports/test_api.py; POST /v1/transactions/import
        # creates only: its tenant-bound input (carrier_id) is refused by
        # test_carrier_or_workspace_of_another_tenant_is_refused there
        covers=("imports/{id}/rows/{id}", "imports/{id}/rows/{id}/match", "transactions/import"),
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


#: the rows list is read under one batch, made with a known id
IMPORT_ROWS_ID = 910_001


def make_rows(org, n):
    """A row matched to a policy and a producer, in the batch ``IMPORT_ROWS_ID``."""
    batch = ImportBatch.objects.filter(pk=IMPORT_ROWS_ID).first() or ImportBatch.objects.create(
        id=IMPORT_ROWS_ID, organisation=org, carrier=CarrierFactory(organisation=org), source="csv", status="review"
    )
    link = PolicyProducerFactory(
        policy__carrier=batch.carrier, producer=ProducerFactory(workspace__office__organisation=org)
    )
    return ImportRow.objects.create(
        organisation=org,
        batch=batch,
        line=n + 2,
        status="matched",
        policy=link.policy,
        producer=link.producer,
        policy_number=link.policy.number,
        gross_commission=Decimal("10.00"),
        raw={"n": n},
        fingerprint=f"{n:032d}",
    )


LISTS = [
    ("/v1/carriers", lambda org, n: CarrierFactory(organisation=org, name=f"Carrier {n:03d}")),
    ("/v1/categories", lambda org, n: CategoryFactory(organisation=org, name=f"Line {n:03d}")),
    ("/v1/policies", make_policy),
    ("/v1/commission-rules", make_rule_set),
    ("/v1/transactions", make_transaction),
    # statement imports
    ("/v1/imports", lambda org, n: make_import(org, n=n)),
    (f"/v1/imports/{IMPORT_ROWS_ID}/rows", make_rows),
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
    # statement imports
    Node("ImportBatch", lambda org: make_import(org), "importBatches", "importBatch"),
    Node(
        "ImportRow",
        lambda org: make_import(org, text=ONE_ROW.format(n=org.pk)).rows.get(),
        "importRows",
        "importRow",
    ),
]

#: the commission report aggregates the caller's lines and has no object id; that another
#: tenant's lines never count in any of its totals is proven by
#: test_another_tenants_lines_never_count_in_any_total in tests/payroll/test_reports.py
NON_OBJECT_ROUTES = ["reports/commissions"]
