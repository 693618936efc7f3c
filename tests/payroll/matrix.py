"""The commission ledger's and statement imports' rows in the shared tenancy, query-count and
GraphQL harnesses (tests/platform/registry.py)."""

from decimal import Decimal

from organisations.actors import system_actor
from payroll import services
from payroll.models import ImportBatch, ImportRow, OvertimeRule, PayCode, PayrollEntry, PayrollRun, PaySchedule
from tests.organisations.factories import OfficeFactory, ProducerFactory
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
from .runs.helpers import MONDAY, hourly, make_run, weekly_schedule

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
    # payroll runs (issue 18)
    Resource(
        name="pay-schedules",
        list_url="/v1/payroll/pay-schedules",
        make=lambda org: PaySchedule.objects.create(
            organisation=org, name="Weekly", frequency="weekly", anchor_date=MONDAY
        ),
        mutations=(("patch", "", {"name": "Taken over"}),),
    ),
    Resource(
        name="pay-codes",
        list_url="/v1/payroll/pay-codes",
        make=lambda org: PayCode.objects.create(organisation=org, code="travel", name="Travel"),
        mutations=(("patch", "", {"name": "Taken over"}),),
    ),
    Resource(
        name="overtime-rules",
        list_url="/v1/payroll/overtime-rules",
        make=lambda org: OvertimeRule.objects.create(organisation=org),
        mutations=(("patch", "", {"seventh_day": True}),),
    ),
    Resource(
        name="payroll-runs",
        list_url="/v1/payroll/runs",
        make=lambda org: make_run(org),
        mutations=(
            ("post", "/approve", None),
            ("post", "/mark-paid", None),
            ("post", "/cancel", None),
            ("post", "/recalculate", None),
            ("post", "/acknowledge", {"notes": "Taken over"}),
            ("post", "/adjustments", {"employee_id": 1, "kind": "bonus", "amount": "1.00", "reason": "x"}),
            ("get", "/entries", None),
            ("get", "/diff", None),
        ),
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


#: the entries list is read under one run, made with a known id
PAYROLL_RUN_ID = 920_001


def make_run_entry(org, n):
    """One more employee's entry in the run ``PAYROLL_RUN_ID``."""
    run = PayrollRun.objects.filter(pk=PAYROLL_RUN_ID).first() or PayrollRun.objects.create(
        id=PAYROLL_RUN_ID, organisation=org, off_cycle=True, period_start=MONDAY, period_end=MONDAY, pay_date=MONDAY
    )
    return PayrollEntry.objects.create(organisation=org, run=run, employee=hourly(OfficeFactory(organisation=org)))


def make_list_run(org, n):
    schedule = weekly_schedule(org, [], name=f"Weekly {n:03d}")
    return make_run(org) if n % 2 else make_run_on(org, schedule)


def make_run_on(org, schedule):
    return services.payroll_run_create(actor=system_actor(org), pay_schedule=schedule, period_start=MONDAY)


LISTS = [
    ("/v1/payroll/pay-schedules", lambda org, n: weekly_schedule(org, [], name=f"Schedule {n:03d}")),
    ("/v1/payroll/pay-codes", lambda org, n: PayCode.objects.create(organisation=org, code=f"c{n}", name=f"C {n}")),
    (
        "/v1/payroll/overtime-rules",
        lambda org, n: OvertimeRule.objects.create(organisation=org, office=OfficeFactory(organisation=org)),
    ),
    ("/v1/payroll/runs", make_list_run),
    (f"/v1/payroll/runs/{PAYROLL_RUN_ID}/entries", make_run_entry),
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
    Node("PayrollRun", lambda org: make_run(org), "payrollRuns", "payrollRun"),
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
