"""A statement of several chunks processed the way a worker does it, outside any transaction
(issue 13 point 14): each chunk is committed on its own while the next is read, a repeat of a row
of an earlier (committed) chunk is still found, and the same statement imported again is every
row a duplicate, with the same lines and reasons as a single-chunk import gives."""

from __future__ import annotations

from decimal import Decimal

import pytest

from organisations.actors import system_actor
from payroll import services
from payroll.models import CommissionTransaction, ImportBatch, ImportRow
from payroll.services.import_state import CHUNK_SIZE

from .factories import _Upload

# committed for real: the processing runs after the upload's commit, outside any transaction
pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 2 * CHUNK_SIZE + 500  # three chunks


def statement() -> str:
    """``ROWS`` rows (file lines 2 ..): line 10 repeats line 2 (the same chunk), the last line repeats
    line 3 (a committed chunk), line 7 has an unreadable date."""
    lines = ["Policy Number,Producer Code,Premium,Commission,Date"]
    for n in range(ROWS):
        lines.append(f"POL-1001,A-100,{1000 + n}.00,{100 + n}.50,01/{1 + n % 28:02d}/2026")
    lines[9] = lines[1]
    lines[-1] = lines[2]
    lines[6] = "POL-1001,A-100,7.00,1.00,2026.01.07"
    return "\n".join(lines) + "\n"


def upload(organisation, carrier) -> ImportBatch:
    batch = services.import_batch_create(
        actor=system_actor(organisation), upload=_Upload(statement(), "big.csv"), carrier=carrier
    )  # processed once the upload commits (eager Celery), as a worker would
    return ImportBatch.objects.get(pk=batch.pk)


def test_a_statement_of_several_chunks_is_processed_with_its_duplicates_found(organisation, carrier, book):
    batch = upload(organisation, carrier)

    assert (batch.status, batch.rows_processed, batch.total_rows) == ("review", ROWS, ROWS)
    assert (batch.matched_rows, batch.duplicate_rows, batch.error_rows) == (ROWS - 3, 2, 1)
    rows = {row.line: row for row in ImportRow.objects.filter(batch=batch)}
    assert sorted(rows) == list(range(2, ROWS + 2))
    first, repeat, last = rows[2], rows[10], rows[ROWS + 1]
    assert (repeat.status, repeat.duplicate_of_id, repeat.warnings[0]) == (
        "duplicate", first.pk, "Repeats line 2 of this file."
    )  # fmt: skip
    assert (last.status, last.duplicate_of_id, last.warnings[0]) == (
        "duplicate", rows[3].pk, f"Already imported (import #{batch.pk}, line 3)."
    )  # fmt: skip
    assert rows[7].status == "error" and rows[7].errors[0].startswith("Transaction date:")
    assert rows[4].premium == Decimal("1002.00") and rows[4].gross_commission == Decimal("102.50")
    assert ImportRow.objects.filter(batch=batch, claim__isnull=False).count() == ROWS - 3


def test_the_same_statement_again_is_every_row_a_duplicate_and_finalises_nothing_twice(organisation, carrier, book):
    first = upload(organisation, carrier)
    services.import_batch_finalise(actor=system_actor(organisation), batch=first, skip_unresolved=True)

    again = upload(organisation, carrier)

    assert (again.status, again.total_rows, again.matched_rows) == ("review", ROWS, 0)
    assert (again.duplicate_rows, again.error_rows) == (ROWS - 1, 1)
    repeat = ImportRow.objects.get(batch=again, line=5)
    original = ImportRow.objects.get(batch=first, line=5)
    assert (repeat.duplicate_of_id, repeat.warnings[0]) == (
        original.pk, f"Already imported (import #{first.pk}, line 5)."
    )  # fmt: skip
    services.import_batch_finalise(actor=system_actor(organisation), batch=again, skip_unresolved=True)
    assert CommissionTransaction.objects.filter(organisation=organisation).count() == ROWS - 3
