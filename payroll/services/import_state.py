"""What the steps of a statement import share: who may import, the batch's counts and
events, and forgetting what an interrupted run left behind."""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from organisations.actors import Actor
from organisations.choices import Role
from organisations.models import Workspace
from trackyoursheets.exceptions import NotPermitted

from .. import events
from ..choices import (
    RowStatus,
    TransactionType,
)
from ..models import (
    ImportBatch,
    ImportRow,
    money,
)

logger = logging.getLogger("trackyoursheets.imports")

#: rows normalised, checked for duplicates and inserted together (one transaction each)
CHUNK_SIZE = 2000
#: JSON payouts accepted in one request
MAX_PAYOUTS = 100_000
IMPORT_DIRECTORY = "imports"
IMPORTABLE = (RowStatus.MATCHED, RowStatus.UNMATCHED)
ZERO = Decimal("0.00")


# =============================================================================
# Who may import
# =============================================================================


def _require_import_access(actor: Actor, workspace: Workspace | None = None) -> None:
    """Owners, admins and organisation-wide credentials import anything; a manager imports for
    their office (producers of its workspaces only); nobody else imports."""
    if actor.sees_whole_organisation:
        return
    if actor.role == Role.MANAGER and actor.membership is not None and actor.membership.office_id:
        if workspace is None or workspace.office_id == actor.membership.office_id:
            return
        raise NotPermitted(_("Managers import statements for their own office's workspaces only."))
    raise NotPermitted(_("Your role does not allow importing statements."))


def _office_of(actor: Actor, workspace: Workspace | None):
    if workspace is not None:
        return workspace.office
    if not actor.sees_whole_organisation and actor.membership is not None:
        return actor.membership.office
    return None


def _emit(batch: ImportBatch, topic: str, actor: Actor | None = None) -> None:
    payload = events.import_batch_payload(batch, currency=batch.organisation.currency)
    record_event(batch.organisation, topic, payload, actor=actor)


def _refresh_counts(batch: ImportBatch, *, with_children: bool = False) -> None:
    """Counts and totals from the rows (one GROUP BY); totals cover the rows still to import."""
    rows = ImportRow.objects.filter(batch_id__in=_family(batch) if with_children else [batch.pk])
    counts = dict.fromkeys(RowStatus.values, 0)
    premium = gross = Decimal("0.00")
    chargebacks = 0
    for row in rows.values("status").annotate(
        n=Count("id"),
        premium=Sum("premium"),
        gross=Sum("gross_commission"),
        chargebacks=Count("id", filter=Q(type=TransactionType.CHARGEBACK)),
    ):
        counts[row["status"]] = row["n"]
        if row["status"] in IMPORTABLE:
            premium += row["premium"] or 0
            gross += row["gross"] or 0
            chargebacks += row["chargebacks"]
    batch.total_rows = sum(counts.values())
    batch.matched_rows = counts[RowStatus.MATCHED]
    batch.unmatched_rows = counts[RowStatus.UNMATCHED]
    batch.duplicate_rows = counts[RowStatus.DUPLICATE]
    batch.error_rows = counts[RowStatus.ERROR]
    batch.skipped_rows = counts[RowStatus.SKIPPED]
    batch.chargeback_rows = chargebacks
    batch.premium_total = money(premium)
    batch.gross_total = money(gross)


def _family(batch: ImportBatch) -> list[int]:
    """The batch's id and its per-carrier children's (row lookups by batch id use the index)."""
    return [batch.pk, *ImportBatch.objects.filter(parent=batch).values_list("id", flat=True)]


def _reset(batch: ImportBatch) -> None:
    """Forget what an interrupted run left behind (rows, per-carrier children)."""
    rows = ImportRow.objects.filter(batch_id__in=_family(batch))
    if rows.exists():
        rows.delete()
    ImportBatch.objects.filter(parent=batch).delete()


# =============================================================================
# Processing after commit: ``payroll.tasks`` registers its Celery task here (apps.py), so
# services never import the tasks that call them.
# =============================================================================

_batch_processors: list[Callable[[int, int], object]] = []


def on_batch_queued(processor: Callable[[int, int], object]) -> Callable[[int, int], object]:
    """Register what processes a queued batch: ``processor(batch_id, organisation_id)``."""
    if processor not in _batch_processors:
        _batch_processors.append(processor)
    return processor


def _process_queued(batch_id: int, organisation_id: int) -> None:
    """Send the batch to its processor; a broker outage never undoes the committed upload (the
    batch stays queued, and uploading again or retrying the task picks it up)."""
    for processor in _batch_processors:
        try:
            processor(batch_id, organisation_id)
        except Exception:
            logger.warning("Could not run or enqueue the processing of import %s", batch_id, exc_info=True)


def enqueue_processing_on_commit(batch: ImportBatch) -> None:
    """Process ``batch`` once the current transaction commits."""
    transaction.on_commit(partial(_process_queued, batch.pk, batch.organisation_id))
