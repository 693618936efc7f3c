"""Reads of statement imports (issue 6 point 3), scoped to the actor's organisation and role:
owners, admins and organisation-wide credentials see every batch; a manager their office's;
producers, HR and employees none (``ImportQuerySet.restrict_to``)."""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber

from organisations.actors import Actor
from payroll.models import CommissionTransaction
from trackyoursheets.api.filters import apply_filterset

from .choices import RowStatus
from .models import ImportBatch, ImportRow

#: errors shown on a batch (the rows list has every one)
ERRORS_SHOWN = 100


def _first_errors() -> QuerySet[ImportRow]:
    """Each batch's first ``ERRORS_SHOWN`` rows in error (one query for a whole page of batches)."""
    return (
        ImportRow.objects.filter(status=RowStatus.ERROR)
        .annotate(position=Window(RowNumber(), partition_by=[F("batch_id")], order_by=[F("line").asc(), F("id").asc()]))
        .filter(position__lte=ERRORS_SHOWN)
        .only("id", "batch_id", "line", "errors")
        .order_by("line", "id")
    )


def import_batch_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[ImportBatch]:
    """Batches newest first, with carrier, workspace, the children of a split upload and the
    first rows in error of each (a constant number of queries a page)."""
    from .api.import_filters import ImportBatchFilterSet

    children = (
        ImportBatch.objects.only("id", "parent_id")
        .prefetch_related(Prefetch("rows", queryset=_first_errors(), to_attr="first_errors"))
        .order_by("id")
    )
    qs = (
        ImportBatch.objects.visible_to(actor)
        .select_related("carrier", "workspace", "organisation")
        .prefetch_related(
            Prefetch("children", queryset=children),
            Prefetch("rows", queryset=_first_errors(), to_attr="first_errors"),
        )
        .defer("payload")
        .order_by("-created_at", "-id")
    )
    return apply_filterset(ImportBatchFilterSet, filters, qs) if filters else qs


def import_batch_get(*, actor: Actor, pk: int) -> ImportBatch:
    return import_batch_list(actor=actor).get(pk=pk)


def import_batch_errors(*, batch: ImportBatch, limit: int = ERRORS_SHOWN) -> list[dict]:
    """The first ``limit`` rows in error of a batch (and of its children): line and reasons."""
    if hasattr(batch, "first_errors"):
        rows = [*batch.first_errors, *(row for child in batch.children.all() for row in child.first_errors)]
    else:
        batch_ids = [batch.pk, *(child.pk for child in batch.children.all())]
        rows = list(_first_errors().filter(batch_id__in=batch_ids))
    rows.sort(key=lambda row: (row.line, row.pk))
    return [
        {"row_id": row.pk, "batch_id": row.batch_id, "line": row.line, "reasons": row.errors} for row in rows[:limit]
    ]


def import_row_list(
    *, actor: Actor, batch: ImportBatch | None = None, filters: dict | None = None
) -> QuerySet[ImportRow]:
    """Rows by line, with their policy, producer and the ledger lines made from them (two queries a page)."""
    from .api.import_filters import ImportRowFilterSet

    qs = (
        ImportRow.objects.visible_to(actor)
        .select_related("policy", "producer", "batch")
        .prefetch_related(
            Prefetch("transactions", queryset=CommissionTransaction.objects.only("id", "import_row_id").order_by("id"))
        )
        .order_by("batch_id", "line", "id")
    )
    if batch is not None:
        qs = qs.filter(batch_id=batch.pk)
    return apply_filterset(ImportRowFilterSet, filters, qs) if filters else qs


def import_row_get(*, actor: Actor, batch: ImportBatch, pk: int) -> ImportRow:
    return import_row_list(actor=actor, batch=batch).get(pk=pk)
