"""Statement imports moved from the integrations app to payroll (issue 12): a database with
imported statements upgrades intact.

The suite builds its database from the models (``--no-migrations``), so this test turns the
real migrations back on, records the database as migrated, goes back to the state before the
move (integrations 0003, payroll 0003), writes an import through the historical models,
migrates forward again and reads everything back through the new payroll models. It leaves the
database at the latest migration, as it found it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from payroll.models import CommissionTransaction, ImportAlias, ImportBatch, ImportRow
from tests.organisations.factories import OrganisationFactory, ProducerFactory
from tests.payroll.factories import CarrierFactory, PolicyFactory

BEFORE_THE_MOVE = [("integrations", "0003_imports"), ("payroll", "0003_ledger_indexes")]


def _executor() -> MigrationExecutor:
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_imported_statements_upgrade_intact(real_migrations):
    executor = _executor()
    executor.migrate(BEFORE_THE_MOVE)
    old = executor.loader.project_state(BEFORE_THE_MOVE).apps
    OldBatch = old.get_model("integrations", "ImportBatch")
    OldRow = old.get_model("integrations", "ImportRow")
    OldAlias = old.get_model("integrations", "ImportAlias")
    OldTransaction = old.get_model("payroll", "CommissionTransaction")

    organisation = OrganisationFactory()
    producer = ProducerFactory(workspace__office__organisation=organisation)
    carrier = CarrierFactory(organisation=organisation, code="ACM")
    policy = PolicyFactory(organisation=organisation, carrier=carrier, number="P-100")
    batch = OldBatch.objects.create(
        organisation_id=organisation.pk, carrier_id=carrier.pk, source="csv", status="finalised",
        original_filename="statement-2026-01.csv", total_rows=2, matched_rows=1, duplicate_rows=1,
        premium_total=Decimal("1200.00"), gross_total=Decimal("120.00"), transaction_count=1,
        column_mapping={"policy_number": "Policy", "gross_commission": "Comm"},
    )  # fmt: skip
    row = OldRow.objects.create(
        organisation_id=organisation.pk, batch=batch, line=2, raw={"Policy": "P-100", "Comm": "120.00"},
        policy_number="P-100", producer_ref="ALI", producer_key="ali", premium=Decimal("1200.00"),
        gross_commission=Decimal("120.00"), split_percent=Decimal("50.0000"), status="matched",
        match_method="alias", confidence=Decimal("1.00"), policy_id=policy.pk, producer_id=producer.pk,
        transaction_date=datetime.date(2026, 1, 15), statement_period=datetime.date(2026, 1, 1),
        fingerprint="0" * 32, claim="12345678-1234-5678-1234-567812345678",
    )  # fmt: skip
    duplicate = OldRow.objects.create(
        organisation_id=organisation.pk, batch=batch, line=3, raw={"Policy": "P-100"}, status="duplicate",
        duplicate_of=row, warnings=["Repeats line 2 of this file."],
    )  # fmt: skip
    alias = OldAlias.objects.create(
        organisation_id=organisation.pk, kind="producer", text="ali", producer_id=producer.pk,
        created_by_label="owner@example.com",
    )  # fmt: skip
    line = OldTransaction.objects.create(
        organisation_id=organisation.pk, producer_id=producer.pk, carrier_id=carrier.pk, policy_id=policy.pk,
        workspace_id=producer.workspace_id, transaction_date=datetime.date(2026, 1, 15),
        statement_period=datetime.date(2026, 1, 1), premium=Decimal("1200.00"), gross_commission=Decimal("120.00"),
        split_percent=Decimal("50.0000"), producer_amount=Decimal("60.00"), type="new", status="reconciled",
        source="import", import_row=row,
    )  # fmt: skip

    executor = _executor()
    executor.migrate(real_migrations)

    moved = ImportBatch.objects.get(pk=batch.pk)
    assert (moved.organisation_id, moved.carrier_id, moved.status, moved.original_filename) == (
        organisation.pk,
        carrier.pk,
        "finalised",
        "statement-2026-01.csv",
    )
    assert (moved.total_rows, moved.matched_rows, moved.duplicate_rows, moved.transaction_count) == (2, 1, 1, 1)
    assert (moved.premium_total, moved.gross_total) == (Decimal("1200.00"), Decimal("120.00"))
    assert moved.column_mapping == {"policy_number": "Policy", "gross_commission": "Comm"}
    assert [(r.pk, r.line, r.status, r.duplicate_of_id) for r in moved.rows.order_by("line")] == [
        (row.pk, 2, "matched", None),
        (duplicate.pk, 3, "duplicate", row.pk),
    ]
    first = ImportRow.objects.get(pk=row.pk)
    assert (first.policy_id, first.producer_id, first.gross_commission, first.split_percent, str(first.claim)) == (
        policy.pk,
        producer.pk,
        Decimal("120.00"),
        Decimal("50.0000"),
        "12345678-1234-5678-1234-567812345678",
    )
    assert ImportAlias.objects.get(pk=alias.pk).producer_id == producer.pk
    ledger_line = CommissionTransaction.objects.get(pk=line.pk)
    assert ledger_line.import_row == first  # the ledger's foreign key follows the model to payroll
    assert list(first.transactions.all()) == [ledger_line]
    assert CommissionTransaction.objects.filter(import_row__batch=moved).count() == 1
    assert not ContentType.objects.filter(app_label="integrations", model__in=["importbatch", "importrow"]).exists()


@pytest.mark.django_db(transaction=True)
def test_the_move_changes_no_table(real_migrations):
    """Both halves of the move are Django state only: no SQL on SQLite or PostgreSQL."""
    executor = _executor()
    nodes = [("payroll", "0004_imports_from_integrations"), ("integrations", "0004_imports_moved_to_payroll")]
    statements = executor.loader.collect_sql([(executor.loader.graph.nodes[node], False) for node in nodes])
    assert [sql for sql in statements if not sql.lstrip().startswith("--")] == []
    assert {ImportBatch._meta.db_table, ImportRow._meta.db_table, ImportAlias._meta.db_table} == {
        "integrations_importbatch", "integrations_importrow", "integrations_importalias"
    }  # fmt: skip
