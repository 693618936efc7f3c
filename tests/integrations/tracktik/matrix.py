"""The TrackTik connector's rows in the shared tenancy and query-count harnesses
(tests/platform/registry.py)."""

from tests.platform.registry import Node, Resource

from .factories import ContractFactory, InvoiceReconciliationFactory, ScrMatchFactory, SyncRunFactory

RESOURCES = [
    Resource(
        name="tracktik-runs",
        list_url="/v1/integrations/tracktik/runs",
        make=lambda org: SyncRunFactory(organisation=org),
    ),
    Resource(
        name="tracktik-contracts",
        list_url="/v1/integrations/tracktik/contracts",
        make=lambda org: ContractFactory(organisation=org),
    ),
    Resource(
        name="tracktik-scr-matches",
        list_url="/v1/integrations/tracktik/scr-matches",
        make=lambda org: ScrMatchFactory(organisation=org),
    ),
    Resource(
        name="tracktik-invoice-reconciliations",
        list_url="/v1/integrations/tracktik/invoice-reconciliations",
        make=lambda org: InvoiceReconciliationFactory(organisation=org),
    ),
]

#: the connection, its test, "sync now" and the billing report are the caller's organisation's
#: only (no id in the path); that a sync and the report read and write only their own organisation
#: is proven by tests/integrations/tracktik/test_sync.py::test_a_sync_writes_only_into_its_own_organisation
NON_OBJECT_ROUTES = [
    "integrations/tracktik",
    "integrations/tracktik/test",
    "integrations/tracktik/sync",
    "reports/tracktik-billing",
    # the mappings name rows by id in the body: another organisation's is a 422 (test_pay_codes.py::
    # test_mapping_refuses_unknown_codes_another_organisations_and_needs_write_scope)
    "integrations/tracktik/pay-codes",
]

LISTS = [
    ("/v1/integrations/tracktik/runs", lambda org, n: SyncRunFactory(organisation=org)),
    (
        "/v1/integrations/tracktik/contracts",
        lambda org, n: ContractFactory(organisation=org, status=("ACTIVE", "EXPIRED")[n % 2]),
    ),
    ("/v1/integrations/tracktik/scr-matches", lambda org, n: ScrMatchFactory(organisation=org)),
    (
        "/v1/integrations/tracktik/invoice-reconciliations",
        lambda org, n: InvoiceReconciliationFactory(organisation=org),
    ),
]

GRAPHQL_NODES = [
    Node("TracktikSyncRun", lambda org: SyncRunFactory(organisation=org), "tracktikSyncRuns", "tracktikSyncRun"),
    Node("TracktikContract", lambda org: ContractFactory(organisation=org), "tracktikContracts", "tracktikContract"),
]
