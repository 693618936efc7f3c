"""Statement imports in the shared tenancy, query-count and GraphQL harnesses (tests/platform/registry.py)."""

from decimal import Decimal

from integrations.models import ImportBatch, ImportRow
from tests.organisations.factories import ProducerFactory
from tests.payroll.factories import CarrierFactory, PolicyProducerFactory
from tests.platform.registry import Node, Resource

from .factories import make_import

ONE_ROW = "Policy Number,Commission,Date\nONE-{n},10.00,2026-01-15\n"

RESOURCES = [
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
        # test_another_tenants_rows_are_404 in tests/imports/test_api.py; POST /v1/transactions/import
        # creates only: its tenant-bound input (carrier_id) is refused by
        # test_carrier_or_workspace_of_another_tenant_is_refused there
        covers=("imports/{id}/rows/{id}", "imports/{id}/rows/{id}/match", "transactions/import"),
    ),
]

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
    ("/v1/imports", lambda org, n: make_import(org, n=n)),
    (f"/v1/imports/{IMPORT_ROWS_ID}/rows", make_rows),
]

GRAPHQL_NODES = [
    Node("ImportBatch", lambda org: make_import(org), "importBatches", "importBatch"),
    Node(
        "ImportRow",
        lambda org: make_import(org, text=ONE_ROW.format(n=org.pk)).rows.get(),
        "importRows",
        "importRow",
    ),
]
