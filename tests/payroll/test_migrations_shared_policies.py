"""Money on shared policies (issue 13 point 5): migration ``payroll 0006_shared_policy_shares``
corrects the ledger lines imported before it, in the style of ``test_migrations.py``.

Before it, a statement row of a policy with several writers became one line per writer, each
with the row's FULL premium and gross. The test writes such lines through the historical models
of 0005 (unpaid ones, paid ones, an edited one and a one-producer row beside them), migrates
forward and checks: unpaid lines carry their share in place, a paid line is untouched and gets
an ``adjustment`` line (``reverses`` -> it, same statement row, status paid, amount 0), every
row equals its lines to the cent, and the commission report (HTTP) equals the statement. Going
back is a no-op and forward again changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from payroll.models import CommissionTransaction, ImportBatch
from tests.organisations.factories import ProducerFactory, WorkspaceFactory
from tests.payroll.factories import CarrierFactory, PolicyFactory

D = Decimal
BEFORE = [("payroll", "0005_importbatch_job_fields")]
AFTER = [("payroll", "0006_shared_policy_shares")]


def _executor() -> MigrationExecutor:
    return MigrationExecutor(connection)


def _snapshot():
    return list(
        CommissionTransaction.objects.order_by("pk").values_list(
            "pk", "premium", "gross_commission", "split_percent", "producer_amount", "status", "type", "reverses_id"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_shared_policy_lines_are_corrected_and_paid_ones_adjusted(real_migrations, organisation, api):
    executor = _executor()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Batch = old.get_model("payroll", "ImportBatch")
    Row = old.get_model("payroll", "ImportRow")
    Line = old.get_model("payroll", "CommissionTransaction")
    Override = old.get_model("payroll", "CommissionOverride")

    workspace = WorkspaceFactory(office__organisation=organisation)
    alice, bob, carol = (ProducerFactory(workspace=workspace) for _ in range(3))
    carrier = CarrierFactory(organisation=organisation, code="ACM")
    half = PolicyFactory(organisation=organisation, carrier=carrier, number="HALF-1")
    thirds = PolicyFactory(organisation=organisation, carrier=carrier, number="THIRDS-1")
    edited = PolicyFactory(organisation=organisation, carrier=carrier, number="EDITED-1")
    own = PolicyFactory(organisation=organisation, carrier=carrier, number="OWN-1")
    overridden = PolicyFactory(organisation=organisation, carrier=carrier, number="OVR-1")
    batch = Batch.objects.create(
        organisation_id=organisation.pk, carrier_id=carrier.pk, source="csv", status="finalised",
        total_rows=4, matched_rows=4, transaction_count=8,
        premium_total=D("4000.01"), gross_total=D("520.02"),
    )  # fmt: skip
    day = datetime.date(2026, 1, 15)

    def row(line, policy, premium, gross, producer=None):
        return Row.objects.create(
            organisation_id=organisation.pk, batch=batch, line=line, status="matched", policy_id=policy.pk,
            producer_id=producer.pk if producer else None, premium=premium, gross_commission=gross,
            transaction_date=day, statement_period=day.replace(day=1), match_method="policy",
        )  # fmt: skip

    def line(source_row, producer, split, status, premium=None, gross=None):
        premium = source_row.premium if premium is None else premium
        gross = source_row.gross_commission if gross is None else gross
        return Line.objects.create(
            organisation_id=organisation.pk, producer_id=producer.pk, carrier_id=carrier.pk,
            policy_id=source_row.policy_id, workspace_id=workspace.pk, transaction_date=day,
            statement_period=day.replace(day=1), premium=premium, gross_commission=gross,
            split_percent=split, producer_amount=(gross * split / 100).quantize(D("0.01")), type="new",
            status=status, source="import", import_row=source_row,
        )  # fmt: skip

    half_row = row(2, half, D("1000.01"), D("300.01"))
    half_a = line(half_row, alice, D("50"), "reconciled")
    half_b = line(half_row, bob, D("50"), "approved")
    thirds_row = row(3, thirds, D("999.99"), D("100.01"))
    thirds_a = line(thirds_row, alice, D("33.33"), "paid")
    thirds_b = line(thirds_row, bob, D("33.33"), "pending")
    thirds_c = line(thirds_row, carol, D("33.34"), "paid")
    edited_row = row(4, edited, D("800.00"), D("100.00"))
    edited_a = line(edited_row, alice, D("50"), "pending", gross=D("60.00"))  # someone changed it: left alone
    edited_b = line(edited_row, bob, D("50"), "pending")
    own_row = row(5, own, D("1200.00"), D("120.00"), producer=alice)
    own_line = line(own_row, alice, D("60"), "reconciled")
    overridden_row = row(6, overridden, D("100.00"), D("10.01"))
    overridden_a = line(overridden_row, alice, D("50"), "reconciled")
    overridden_b = line(overridden_row, bob, D("50"), "reconciled")
    flat = Override.objects.create(
        organisation_id=organisation.pk, transaction=overridden_a, kind="flat", value=D("7.00"), reason="Agreed",
        previous_amount=D("5.01"), resulting_amount=D("7.00"),
    )  # fmt: skip
    Line.objects.filter(pk=overridden_a.pk).update(latest_override=flat, producer_amount=D("7.00"))

    executor = _executor()
    executor.migrate(AFTER)

    def get(old_line):
        return CommissionTransaction.objects.get(pk=old_line.pk)

    # unpaid lines: their share, in place (the odd cent to the first writer, as new imports do)
    assert [(get(x).premium, get(x).gross_commission, get(x).split_percent, get(x).producer_amount) for x in (
        half_a, half_b, thirds_b)] == [
        (D("500.01"), D("150.01"), D("100"), D("150.01")),
        (D("500.00"), D("150.00"), D("100"), D("150.00")),
        (D("333.30"), D("33.33"), D("100"), D("33.33")),
    ]  # fmt: skip
    assert [get(x).status for x in (half_a, half_b, thirds_b)] == ["reconciled", "approved", "pending"]
    # paid lines: never rewritten ...
    for paid in (thirds_a, thirds_c):
        assert (get(paid).premium, get(paid).gross_commission, get(paid).split_percent, get(paid).producer_amount) == (
            paid.premium, paid.gross_commission, paid.split_percent, paid.producer_amount
        )  # fmt: skip
    # ... each gets an adjustment beside it, linked by reverses and to the same statement row
    adjustments = list(CommissionTransaction.objects.filter(type="adjustment").order_by("reverses_id"))
    assert [(a.reverses_id, a.producer_id, a.premium, a.gross_commission, a.producer_amount, a.status) for a in (
        adjustments)] == [
        (thirds_a.pk, alice.pk, D("333.30") - D("999.99"), D("33.33") - D("100.01"), D("0.00"), "paid"),
        (thirds_c.pk, carol.pk, D("333.39") - D("999.99"), D("33.35") - D("100.01"), D("0.00"), "paid"),
    ]  # fmt: skip
    assert {(a.import_row_id, a.policy_id, a.source, a.external_id) for a in adjustments} == {
        (thirds_row.pk, thirds.pk, "import", "")
    }
    assert f"line #{thirds_a.pk}" in adjustments[0].notes
    assert ImportBatch.objects.get(pk=batch.pk).transaction_count == 10
    # every corrected row equals its lines to the cent
    for source_row in (half_row, thirds_row):
        lines = CommissionTransaction.objects.filter(import_row_id=source_row.pk)
        assert sum(x.gross_commission for x in lines) == source_row.gross_commission
        assert sum(x.premium for x in lines) == source_row.premium
    # an overridden line takes its share, and keeps the amount its override gave it
    assert [(get(x).gross_commission, get(x).producer_amount) for x in (overridden_a, overridden_b)] == [
        (D("5.01"), D("7.00")), (D("5.00"), D("5.00"))
    ]  # fmt: skip
    # an edited row and a one-producer row are left as they were
    assert [(get(x).gross_commission, get(x).split_percent) for x in (edited_a, edited_b, own_line)] == [
        (D("60.00"), D("50")), (D("100.00"), D("50")), (D("120.00"), D("60"))
    ]  # fmt: skip
    # the report now counts the shared rows once
    report = api.get("/v1/reports/commissions?group_by=producer&policy_id=" + str(thirds.pk)).json()
    assert (report["totals"]["premium"], report["totals"]["gross_commission"]) == ("999.99", "100.01")
    report = api.get("/v1/reports/commissions?group_by=producer&policy_id=" + str(half.pk)).json()
    assert (report["totals"]["premium"], report["totals"]["gross_commission"]) == ("1000.01", "300.01")
    # backwards is a no-op; forwards again changes nothing
    after = _snapshot()
    executor = _executor()
    executor.migrate(BEFORE)
    assert _snapshot() == after
    executor = _executor()
    executor.migrate(AFTER)
    assert _snapshot() == after
    assert ImportBatch.objects.get(pk=batch.pk).transaction_count == 10
    # adjustments are visible with their link through the API (which reads later payroll tables:
    # the ledger lists the payroll run that paid each line, issue 18, so the schema is brought up to date)
    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())
    listed = api.get(f"/v1/transactions?type=adjustment&policy_id={thirds.pk}").json()["results"]
    assert sorted(item["reverses_id"] for item in listed) == [thirds_a.pk, thirds_c.pk]
