"""Reviewing an import: a person matches (or skips) rows of the exception queue, then
finalises the batch into reconciled ledger lines, or rolls it back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.actors import Actor
from organisations.audit import audit_change
from organisations.models import Producer
from trackyoursheets.exceptions import Conflict

from .. import events
from ..choices import (
    ROW_NEEDS_ATTENTION,
    AliasKind,
    ImportStatus,
    MatchMethod,
    RowStatus,
    TransactionType,
)
from ..models import (
    CommissionTransaction,
    ImportAlias,
    ImportBatch,
    ImportRow,
    Policy,
    PolicyProducer,
)
from .import_state import CHUNK_SIZE, ZERO, _emit, _refresh_counts, _require_import_access, logger
from .ledger import SHARED_LINE_SPLIT, producer_split, writer_shares
from .ledger_bulk import (
    transaction_bulk_delete_for_import,
    transaction_bulk_import,
    transaction_bulk_import_from_rows,
)
from .matching import CONFIDENCE
from .parsing import (
    policy_key,
)

# =============================================================================
# The exception queue: a person matches (or skips) a row
# =============================================================================


def _locked_batch(batch: ImportBatch) -> ImportBatch:
    return (
        ImportBatch.objects.select_for_update(of=("self",))
        .select_related("organisation", "carrier", "workspace")
        .get(pk=batch.pk)
    )


def _require_review(batch: ImportBatch) -> None:
    # a split upload's own rows (those naming no carrier) can be skipped while it is split
    if batch.status not in (ImportStatus.REVIEW, ImportStatus.SPLIT):
        raise Conflict(
            _("This import is %(status)s; rows can be matched only while it is ready for review.")
            % {"status": batch.status},
            current_status=batch.status,
        )


def _learn(actor: Actor, *, kind: str, text: str, carrier=None, **target) -> None:
    if not text:
        return
    alias = (
        ImportAlias.objects.for_organisation(actor.organisation).filter(kind=kind, text=text, carrier=carrier).first()
    ) or ImportAlias(organisation=actor.organisation, kind=kind, text=text, carrier=carrier)
    for key, value in target.items():
        setattr(alias, key, value)
    alias.created_by_label = actor.label[:300]
    alias.full_clean(validate_constraints=False)
    alias.save()


def import_row_match_check(
    *, batch: ImportBatch, policy: Policy | None, producer: Producer | None
) -> list[tuple[int, Decimal]]:
    """Whether a row of ``batch`` may be matched by hand to this policy and/or producer: the one
    check of a manual match, whatever asks (REST, GraphQL, the review page). A 422
    (``ValidationError`` naming ``producer_id`` / ``policy_id``) when neither is given, the
    policy is another carrier's, the producer is outside the import's office, or a policy
    alone has no writing producer; else the policy's writers, ``(producer_id, split)`` in the
    order they were added."""
    errors: dict[str, list[str]] = {}
    if policy is None and producer is None:
        errors["producer_id"] = [_("Pick a producer, a policy, or both (or skip the row).")]
    if policy is not None and policy.carrier_id != batch.carrier_id:
        errors["policy_id"] = [_("This policy belongs to another carrier than the statement.")]
    if (
        producer is not None
        and batch.office_id
        and (producer.workspace is None or producer.workspace.office_id != batch.office_id)
    ):
        errors["producer_id"] = [_("Pick a producer of this import's office.")]
    writers = (
        list(policy.producer_links.order_by("id").values_list("producer_id", "split_percent"))
        if policy is not None
        else []
    )
    if producer is None and policy is not None and not writers:
        errors["producer_id"] = [_("This policy has no writing producer; pick the producer too.")]
    if errors:
        raise ValidationError(errors)
    return writers


@transaction.atomic
def import_row_match(
    *,
    actor: Actor,
    row: ImportRow,
    policy: Policy | None = None,
    producer: Producer | None = None,
    split_percent: Decimal | None = None,
    skip: bool = False,
    learn: bool = True,
) -> ImportRow:
    """Match a row to a policy and/or producer by hand (confidence 1), or skip it.

    Only while the batch is in review (409 otherwise); a duplicate cannot be matched, and a
    row in error can only be skipped (its file needs fixing). Matching learns aliases (the
    row's producer text -> the producer; its policy number -> the policy, for this carrier)
    and applies them at once to the batch's other unmatched rows with the same text."""
    batch = _locked_batch(row.batch)
    _require_import_access(actor, batch.workspace)
    _require_review(batch)
    row = ImportRow.objects.select_for_update().get(pk=row.pk)
    before = row.status
    if skip:
        if row.status not in (RowStatus.MATCHED, RowStatus.UNMATCHED, RowStatus.ERROR):
            raise Conflict(_("Only matched, unmatched or failed rows can be skipped."), current_status=row.status)
        row.status = RowStatus.SKIPPED
        row.claim = None
        row.save()
        _refresh_counts(batch)
        batch.save()
        audit_change(actor=actor, action="importrow.match", obj=row, changes={"status": [before, row.status]})
        return row
    if row.status not in (RowStatus.MATCHED, RowStatus.UNMATCHED):
        raise Conflict(
            _("A %(status)s row cannot be matched; skip it instead.") % {"status": row.get_status_display().lower()},
            current_status=row.status,
        )
    writers = import_row_match_check(batch=batch, policy=policy, producer=producer)
    if policy is not None:
        row.policy = policy
        row.line_of_business_id = policy.line_of_business_id or row.line_of_business_id
    if producer is None and len(writers) == 1:
        producer = Producer.objects.get(pk=writers[0][0])
    row.producer = producer
    if split_percent is not None:
        row.split_percent = split_percent
    elif producer is not None:
        row.split_percent = producer_split(producer.pk, writers, producer.default_split_percent)
    else:
        row.split_percent = None
    row.status = RowStatus.MATCHED
    row.match_method = MatchMethod.PERSON
    row.confidence = CONFIDENCE[MatchMethod.PERSON]
    row.save()
    if learn:
        if producer is not None and row.producer_key:
            _learn(actor, kind=AliasKind.PRODUCER, text=row.producer_key, producer=producer)
            _apply_producer_alias(batch, row.producer_key, producer)
        if policy is not None and row.policy_number and policy_key(row.policy_number) != policy_key(policy.number):
            _learn(
                actor, kind=AliasKind.POLICY, text=policy_key(row.policy_number), carrier=batch.carrier, policy=policy
            )
    _refresh_counts(batch)
    batch.save()
    audit_change(actor=actor, action="importrow.match", obj=row, changes={"status": [before, row.status]})
    return row


def _apply_producer_alias(batch: ImportBatch, key: str, producer: Producer) -> None:
    """The batch's other unmatched rows with the same producer text match the learned producer."""
    for other in batch.rows.filter(status=RowStatus.UNMATCHED, producer_key=key).select_for_update():
        other.producer = producer
        other.split_percent = other.split_percent or producer.default_split_percent
        other.status = RowStatus.MATCHED
        other.match_method = MatchMethod.ALIAS
        other.confidence = CONFIDENCE[MatchMethod.ALIAS]
        other.save()


# =============================================================================
# Finalise and roll back
# =============================================================================


def _group(batch: ImportBatch) -> tuple[ImportBatch, list[ImportBatch]]:
    """The batch, locked, and the batches an action on it covers: a split upload's children, or itself."""
    locked = _locked_batch(batch)
    children = list(
        ImportBatch.objects.select_for_update(of=("self",))
        .select_related("organisation", "carrier")
        .filter(parent=locked)
        .order_by("id")
    )
    return locked, children or [locked]


def _ledger_lines(rows, producers: Mapping[int, tuple[int | None, Decimal]], *, chargebacks: bool):
    """Ledger lines (attribute dicts) for matched rows: one per row, or one per writing
    producer when the row's policy has several, each carrying that writer's share of the row's
    premium and gross commission (:func:`~payroll.services.ledger.writer_shares`: the lines of
    a row add up to the row to the cent); chargebacks linked to the line of the same policy and
    producer they take back (the same amount first, else the latest)."""
    columns = (
        "id",
        "batch__carrier_id",
        "policy_id",
        "producer_id",
        "transaction_date",
        "statement_period",
        "premium",
        "gross_commission",
        "split_percent",
        "type",
        "external_id",
        "line_of_business_id",
        "commission_rule_id",
    )
    chunk: list[tuple] = []
    for values in rows.order_by("id").values_list(*columns).iterator(chunk_size=CHUNK_SIZE):
        chunk.append(values)
        if len(chunk) >= CHUNK_SIZE:
            yield from _lines_for(chunk, producers, chargebacks=chargebacks)
            chunk = []
    if chunk:
        yield from _lines_for(chunk, producers, chargebacks=chargebacks)


def _lines_for(chunk: list[tuple], producers, *, chargebacks: bool):
    writers: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    shared = {values[2] for values in chunk if values[3] is None and values[2] is not None}
    if shared:
        # the writers in the order they were added to the policy: the stable order of the shares
        for policy_id, producer_id, split in (
            PolicyProducer.objects.filter(policy_id__in=shared)
            .order_by("id")
            .values_list("policy_id", "producer_id", "split_percent")
        ):
            writers[policy_id].append((producer_id, split))
    originals: dict[tuple[int, int], list[tuple[int, Decimal]]] = defaultdict(list)
    if chargebacks:
        policy_ids = {values[2] for values in chunk if values[2] is not None}
        for pk, policy_id, producer_id, gross in (
            CommissionTransaction.objects.filter(policy_id__in=policy_ids)
            .filter(type__in=(TransactionType.NEW, TransactionType.RENEWAL))
            .order_by("-transaction_date", "-id")
            .values_list("id", "policy_id", "producer_id", "gross_commission")
        ):
            originals[(policy_id, producer_id)].append((pk, gross))
    for (
        row_id,
        carrier_id,
        policy_id,
        producer_id,
        txn_date,
        period,
        premium,
        gross,
        split,
        txn_type,
        external_id,
        lob_id,
        rule_id,
    ) in chunk:
        row_premium = premium if premium is not None else ZERO
        if producer_id is not None:
            shares = [(producer_id, row_premium, gross, split)]
        else:  # the policy's writers, each with their part of the row
            shares = [
                (share.producer_id, share.premium, share.gross_commission, SHARED_LINE_SPLIT)
                for share in writer_shares(
                    premium=row_premium, gross_commission=gross, writers=writers.get(policy_id, [])
                )
            ]
        for index, (share_producer, share_premium, share_gross, share_split) in enumerate(shares):
            workspace_id, default_split = producers[share_producer]
            reverses = None
            if chargebacks and policy_id is not None:
                candidates = originals.get((policy_id, share_producer), [])
                same = [pk for pk, amount in candidates if amount == -share_gross]
                reverses = same[0] if same else (candidates[0][0] if candidates else None)
            yield {
                "import_row_id": row_id,
                "carrier_id": carrier_id,
                "policy_id": policy_id,
                "producer_id": share_producer,
                "workspace_id": workspace_id,
                "line_of_business_id": lob_id,
                "statement_period": period,
                "transaction_date": txn_date,
                "premium": share_premium,
                "gross_commission": share_gross,
                "split_percent": share_split if share_split is not None else default_split,
                "type": txn_type,
                "external_id": external_id if index == 0 else "",
                "commission_rule_id": rule_id,
                "reverses_id": reverses,
            }


@transaction.atomic
def import_batch_finalise(*, actor: Actor, batch: ImportBatch, skip_unresolved: bool = False) -> ImportBatch:
    """Turn every matched row into a ``reconciled`` ledger line (source ``import``), in one
    transaction: all of them or none. Refused (409) unless the batch is in review, and while
    rows are unmatched or in error, naming their lines, unless ``skip_unresolved`` skips them.
    On a split upload it finalises every carrier's batch together. One
    ``import.batch.finalised`` event per batch; no event per ledger line."""
    parent, group = _group(batch)
    _require_import_access(actor, parent.workspace)
    before = batch.status
    not_ready = [b for b in group if b.status != ImportStatus.REVIEW]
    if not_ready:
        raise Conflict(
            _("Import #%(id)s is %(status)s; only an import ready for review can be finalised.")
            % {"id": not_ready[0].pk, "status": ImportStatus(not_ready[0].status).label.lower()},
            current_status=not_ready[0].status,
        )
    ids = sorted({b.pk for b in group} | {parent.pk})
    attention = ImportRow.objects.filter(batch_id__in=ids, status__in=ROW_NEEDS_ATTENTION)
    if attention.exists():
        if not skip_unresolved:
            rows = list(attention.order_by("batch_id", "line").values("id", "line", "status")[:50])
            raise Conflict(
                _(
                    "%(count)s rows are unmatched or in error: match or skip them first "
                    "(or finalise skipping the unresolved rows)."
                )
                % {"count": attention.count()},
                rows=rows,
            )
        attention.update(status=RowStatus.SKIPPED, claim=None, updated_at=timezone.now())
    producers = {
        pk: (workspace_id, split)
        for pk, workspace_id, split in Producer.objects.for_organisation(actor.organisation).values_list(
            "id", "workspace_id", "default_split_percent"
        )
    }
    batch_ids = [b.pk for b in group]
    matched = ImportRow.objects.filter(batch_id__in=batch_ids, status=RowStatus.MATCHED)
    is_chargeback = Q(type=TransactionType.CHARGEBACK)
    sales = matched.exclude(is_chargeback)
    created = 0
    if connection.vendor == "postgresql":
        # the bulk of a statement (one producer per row, no chargeback) goes row -> line inside
        # the database: one INSERT ... SELECT instead of reading and writing 100,000 rows; a
        # row of a shared policy (no producer) is divided among its writers by writer_shares below
        created += transaction_bulk_import_from_rows(actor=actor, rows=sales.filter(producer__isnull=False))
        sales = sales.filter(producer__isnull=True)
    created += transaction_bulk_import(actor=actor, lines=_ledger_lines(sales, producers, chargebacks=False))
    # chargebacks last, so that they find the lines they take back, this statement's included
    created += transaction_bulk_import(
        actor=actor, lines=_ledger_lines(matched.filter(is_chargeback), producers, chargebacks=True)
    )
    per_batch = (
        {batch_ids[0]: created}
        if len(batch_ids) == 1
        else dict(
            CommissionTransaction.objects.filter(import_row__batch_id__in=batch_ids)
            .values("import_row__batch_id")
            .annotate(n=Count("id"))
            .values_list("import_row__batch_id", "n")
        )
    )
    now = timezone.now()
    for member in group:
        _refresh_counts(member)
        member.status = ImportStatus.FINALISED
        member.finalised_at = now
        member.finalised_by_label = actor.label[:300]
        member.transaction_count = per_batch.get(member.pk, 0)
        member.save()
        _emit(member, events.IMPORT_BATCH_FINALISED, actor)
    if parent not in group:
        _refresh_counts(parent, with_children=True)
        parent.transaction_count = created
        parent.finalised_at = now
        parent.finalised_by_label = actor.label[:300]
        parent.save()
    logger.info("Import %s finalised: %s ledger lines", parent.pk, created)
    audit_change(
        actor=actor, action="importbatch.finalise", obj=batch, changes={"status": [before, ImportStatus.FINALISED]}
    )
    return ImportBatch.objects.get(pk=parent.pk)


@transaction.atomic
def import_batch_rollback(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    """Undo a batch: a finalised one loses its ledger lines (409 when any was approved or paid,
    carries an override, or is taken back by another import's chargeback: nothing is undone
    then); every row gives up its fingerprint, so the statement can be imported again. On a
    split upload, every carrier's batch is rolled back together."""
    parent, group = _group(batch)
    _require_import_access(actor, parent.workspace)
    before = batch.status
    allowed = (ImportStatus.REVIEW, ImportStatus.FINALISED)
    not_allowed = [b for b in group if b.status not in allowed]
    if not_allowed:
        raise Conflict(
            _("Import #%(id)s is %(status)s; only an import in review or finalised can be rolled back.")
            % {"id": not_allowed[0].pk, "status": not_allowed[0].status},
            current_status=not_allowed[0].status,
        )
    finalised = [b.pk for b in group if b.status == ImportStatus.FINALISED]
    if finalised:
        transaction_bulk_delete_for_import(actor=actor, import_batch_ids=finalised)
    ids = sorted({b.pk for b in group} | {parent.pk})
    ImportRow.objects.filter(batch_id__in=ids, claim__isnull=False).update(claim=None, updated_at=timezone.now())
    now = timezone.now()
    for member in {*group, parent}:
        member.status = ImportStatus.ROLLED_BACK
        member.rolled_back_at = now
        member.rolled_back_by_label = actor.label[:300]
        member.transaction_count = 0
        member.save()
        if member in group:
            _emit(member, events.IMPORT_BATCH_ROLLED_BACK, actor)
    audit_change(
        actor=actor, action="importbatch.rollback", obj=batch, changes={"status": [before, ImportStatus.ROLLED_BACK]}
    )
    return ImportBatch.objects.get(pk=parent.pk)
