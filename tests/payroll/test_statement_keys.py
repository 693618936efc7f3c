"""The ledger's and the import rows' keys are checked by the database once per statement
(``trackyoursheets.statement_keys``, issue 13 point 14): a key to nothing is refused on insert,
``COPY`` included, and on update; a referenced row cannot be deleted from under its lines."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from payroll.models import CommissionTransaction, ImportBatch, ImportRow, Policy
from tests.organisations.factories import ProducerFactory
from tests.payroll.factories import CarrierFactory, CommissionTransactionFactory, PolicyFactory
from trackyoursheets.bulk import bulk_insert

pytestmark = pytest.mark.django_db

MISSING = 987_654_321


def _line_values(line: CommissionTransaction, **changes) -> dict:
    values = {
        field.attname: getattr(line, field.attname)
        for field in CommissionTransaction._meta.concrete_fields
        if not field.primary_key
    }
    values.update(changes)
    return values


@pytest.mark.parametrize("key", ["organisation_id", "producer_id", "carrier_id", "workspace_id", "policy_id"])
def test_a_line_pointing_at_nothing_is_refused(key):
    line = CommissionTransactionFactory(policy=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommissionTransaction.objects.create(**_line_values(line, **{key: MISSING}))
    assert CommissionTransaction.objects.count() == 1


def test_a_bulk_write_with_one_bad_key_writes_nothing():
    """``bulk_insert`` is one ``COPY`` on PostgreSQL: one missing producer among many refuses
    the whole statement, and the detail names the key."""
    line = CommissionTransactionFactory(policy=PolicyFactory())
    good = [_line_values(line, external_id=f"X-{n}") for n in range(50)]
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        bulk_insert(CommissionTransaction, [*good, _line_values(line, producer_id=MISSING)])
    assert str(MISSING) in str(refused.value) or connection.vendor == "sqlite"
    assert CommissionTransaction.objects.count() == 1
    bulk_insert(CommissionTransaction, good)
    assert CommissionTransaction.objects.count() == 51


def test_an_import_row_pointing_at_nothing_is_refused():
    carrier = CarrierFactory()
    batch = ImportBatch.objects.create(organisation=carrier.organisation, carrier=carrier, original_filename="s.csv")
    row = {"organisation_id": carrier.organisation_id, "batch_id": batch.pk, "line": 2, "status": "matched"}
    for bad in ({"batch_id": MISSING}, {"producer_id": MISSING}, {"policy_id": MISSING}):
        with pytest.raises(IntegrityError), transaction.atomic():
            bulk_insert(ImportRow, [{**row, **bad}])
    bulk_insert(ImportRow, [row])
    assert ImportRow.objects.filter(batch=batch).count() == 1


def test_changing_a_key_to_nothing_is_refused():
    line = CommissionTransactionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CommissionTransaction.objects.filter(pk=line.pk).update(producer_id=MISSING)
        connection.check_constraints()  # PostgreSQL: the deferred check, as at commit
    other = ProducerFactory(workspace__office__organisation=line.organisation)
    CommissionTransaction.objects.filter(pk=line.pk).update(producer_id=other.pk)
    connection.check_constraints()
    assert CommissionTransaction.objects.get(pk=line.pk).producer_id == other.pk


@pytest.mark.requires_postgres
def test_a_referenced_row_cannot_be_deleted_behind_the_orms_back():
    """Django PROTECTs the ledger's producers and policies; a delete that bypasses it (raw SQL)
    is refused by the database too, while an unreferenced one goes."""
    line = CommissionTransactionFactory(policy=PolicyFactory())
    spare = PolicyFactory(organisation=line.organisation)
    with pytest.raises(IntegrityError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM organisations_producer WHERE id = %s", [line.producer_id])
    assert "still referenced" in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM payroll_policy WHERE id IN (%s, %s)", [spare.pk, line.policy_id])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE payroll_policy SET id = %s WHERE id = %s", [MISSING, line.policy_id])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM payroll_policy WHERE id = %s", [spare.pk])
    assert Policy.objects.filter(pk=line.policy_id).exists()
    assert not Policy.objects.filter(pk=spare.pk).exists()
