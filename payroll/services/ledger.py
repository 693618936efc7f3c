"""Writes of the commission ledger (issue 6): reference data, policies, rule sets, ledger
lines, their state machine and their append-only overrides.

Every service is keyword-only, runs in one transaction, ``full_clean()``s what it saves
and records its outbox event in that same transaction (STYLE §2.2). The producer's amount
is derived here, never typed: gross commission x split, or the latest override applied to
the transaction's untouched base (so repeating an override cannot compound, unlike the
original product, reference §4.3).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.db import transaction as db_transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from organisations.models import Producer, Workspace
from trackyoursheets.bulk import bulk_insert
from trackyoursheets.exceptions import Conflict

from .. import events
from ..choices import (
    EDITABLE_STATUSES,
    OVERRIDABLE_STATUSES,
    TRANSACTION_TRANSITIONS,
    OverrideKind,
    TransactionSource,
    TransactionStatus,
    TransactionType,
)
from ..models import (
    HUNDRED,
    Carrier,
    Category,
    CommissionOverride,
    CommissionTransaction,
    Policy,
    PolicyProducer,
    money,
)
from .access import chunks, clean_save, require_ledger_access, workspace_access_checker
from .rules import commission_rule_evaluate

#: ``transaction_update`` may change these fields (status has its own service, the amount is derived)
TRANSACTION_FIELDS = frozenset(
    {
        "policy",
        "producer",
        "carrier",
        "workspace",
        "line_of_business",
        "category",
        "statement_period",
        "transaction_date",
        "premium",
        "gross_commission",
        "split_percent",
        "type",
        "external_id",
        "notes",
    }
)
#: the same, in a fixed order
TRANSACTION_UPDATE_FIELDS = sorted(TRANSACTION_FIELDS)
#: a change of one of these re-evaluates a gross commission that a rule computed
RULE_INPUTS = frozenset({"carrier", "line_of_business", "type", "transaction_date", "premium", "policy"})


# =============================================================================
# The ledger
# =============================================================================


def producer_share(gross_commission: Decimal, split_percent: Decimal) -> Decimal:
    """The producer's share of a gross commission, before overrides: gross x split, rounded
    half up to cents. The one place this is computed (ledger lines, imports, the API's
    ``base_amount``, pages); :func:`producer_share_sql` is the same rule in SQL."""
    return money(gross_commission * split_percent / HUNDRED)


def producer_share_sql(gross_commission: str, split_percent: str) -> str:
    """:func:`producer_share` as an SQL expression over two numeric column expressions (for an
    ``INSERT ... SELECT``): ``ROUND`` on numeric rounds ties away from zero, as ``money()`` does."""
    return f"ROUND({gross_commission} * {split_percent} / 100, 2)"


def producer_amount(transaction: CommissionTransaction, override: CommissionOverride | None = None) -> Decimal:
    """The producer's amount of a ledger line: the override (the line's latest unless one is
    given) applied to the line's untouched base, else its :func:`producer_share`. A flat
    override is the amount itself, a percent of premium takes that percent of the premium, a
    split takes that split of the gross; so repeating an override cannot compound."""
    override = override if override is not None else transaction.latest_override
    if override is None:
        return producer_share(transaction.gross_commission, transaction.split_percent)
    if override.kind == OverrideKind.FLAT:
        return money(override.value)
    if override.kind == OverrideKind.PERCENT_OF_PREMIUM:
        return money(transaction.premium * override.value / HUNDRED)
    return producer_share(transaction.gross_commission, override.value)


def transaction_carrier(*, carrier: Carrier | None, policy: Policy | None) -> Carrier:
    """The carrier of a ledger line: the one given, else the policy's (422 naming ``carrier_id``
    when neither is given). The one place this default is decided (REST, pages, imports)."""
    if carrier is not None:
        return carrier
    if policy is None:
        raise ValidationError({"carrier_id": [_("This field is required without policy_id.")]})
    return policy.carrier


def _derive_amount(txn: CommissionTransaction) -> None:
    txn.producer_amount = producer_amount(txn)


def producer_split(producer_id: int, writers: Iterable[tuple[int, Decimal]], default: Decimal) -> Decimal:
    """A producer's split of a line: theirs on the policy when they are one of its ``writers``
    (``(producer_id, split)`` pairs), else ``default`` (their default split). The one place
    this default is decided (manual lines, statement rows, rows matched by hand)."""
    for writer_id, split in writers:
        if writer_id == producer_id:
            return split
    return default


def _default_split(policy: Policy | None, producer: Producer) -> Decimal:
    writers = (
        PolicyProducer.objects.filter(policy=policy, producer=producer).values_list("producer_id", "split_percent")
        if policy is not None
        else []
    )
    return producer_split(producer.pk, writers, producer.default_split_percent)


def _apply_rules(txn: CommissionTransaction) -> None:
    evaluation = commission_rule_evaluate(
        organisation=txn.organisation,
        carrier=txn.carrier,
        line_of_business=txn.line_of_business,
        transaction_type=txn.type,
        on_date=txn.transaction_date,
        premium=txn.premium,
    )
    if evaluation is None:
        raise ValidationError(
            {"gross_commission": _("No commission rule matches this line; give the gross commission.")}
        )
    txn.gross_commission = evaluation.amount
    txn.commission_rule = evaluation.rule


def _emit(actor: Actor, topic: str, txn: CommissionTransaction) -> None:
    payload = events.transaction_payload(txn, currency=actor.organisation.currency)
    record_event(actor.organisation, topic, payload, actor=actor)


@db_transaction.atomic
def transaction_create(
    *,
    actor: Actor,
    producer: Producer,
    transaction_date: datetime.date,
    carrier: Carrier | None = None,
    statement_period: datetime.date | None = None,
    policy: Policy | None = None,
    workspace: Workspace | None = None,
    line_of_business: Category | None = None,
    category: Category | None = None,
    premium: Decimal | None = None,
    gross_commission: Decimal | None = None,
    split_percent: Decimal | None = None,
    type: str = TransactionType.NEW,
    source: str = TransactionSource.MANUAL,
    external_id: str = "",
    notes: str = "",
) -> CommissionTransaction:
    """A pending ledger line. Defaults: the statement period is the transaction date's month,
    the workspace the producer's, the line of business the policy's, the split the producer's
    split on the policy (else their default split); a missing gross commission is computed by
    ``commission_rule_evaluate`` (422 when no rule matches); the carrier, when not given, is
    the policy's (:func:`transaction_carrier`). The amount is derived."""
    carrier = transaction_carrier(carrier=carrier, policy=policy)
    workspace = workspace if workspace is not None else producer.workspace
    require_ledger_access(actor, workspace)
    txn = CommissionTransaction(
        organisation=actor.organisation,
        producer=producer,
        carrier=carrier,
        policy=policy,
        workspace=workspace,
        line_of_business=(
            line_of_business if line_of_business is not None else getattr(policy, "line_of_business", None)
        ),
        category=category,
        transaction_date=transaction_date,
        statement_period=statement_period or transaction_date.replace(day=1),
        premium=premium if premium is not None else Decimal("0.00"),
        gross_commission=gross_commission,
        split_percent=split_percent if split_percent is not None else _default_split(policy, producer),
        type=type,
        source=source,
        external_id=(external_id or "").strip(),
        notes=notes,
        status=TransactionStatus.PENDING,
    )
    if txn.gross_commission is None:
        _apply_rules(txn)
    _derive_amount(txn)
    clean_save(txn)
    audit_change(actor=actor, action="commissiontransaction.create", obj=txn, after=_txn_snapshot(txn))
    _emit(actor, events.TRANSACTION_CREATED, txn)
    return txn


def _txn_snapshot(txn: CommissionTransaction) -> dict:
    """The audited values of a ledger line (money as text, as the pages and the API show it)."""
    return {
        name: str(value) if isinstance(value, Decimal) else value
        for name, value in audit_snapshot(txn, exclude=("latest_override",)).items()
    }


def _lock(txn: CommissionTransaction) -> CommissionTransaction:
    """The row, locked until the transaction ends (two writers never both pass a status check)."""
    return (
        CommissionTransaction.objects.select_for_update(of=("self",))
        .select_related("latest_override", "carrier", "policy", "producer", "workspace", "line_of_business")
        .get(pk=txn.pk)
    )


@db_transaction.atomic
def transaction_update(*, actor: Actor, transaction: CommissionTransaction, data: dict) -> CommissionTransaction:
    """Change a ledger line (the fields in ``TRANSACTION_FIELDS``) while it is pending or
    disputed (409 otherwise). A gross commission that a rule computed is re-computed when what
    the rule matched on changes; the amount is re-derived (the latest override still applies).

    The fields are set in memory and saved once, after the derived ones (rule, gross, amount)
    follow them: ``model_update`` would validate before they do."""
    unknown = sorted(set(data) - TRANSACTION_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    fields = {name: data[name] for name in TRANSACTION_UPDATE_FIELDS if name in data}
    txn = _lock(transaction)
    require_ledger_access(actor, txn.workspace)
    if "workspace" in fields:
        require_ledger_access(actor, fields["workspace"])
    if txn.status not in EDITABLE_STATUSES:
        raise Conflict(
            _("A %(status)s transaction cannot be edited; only pending or disputed ones can.") % {"status": txn.status},
            current_status=txn.status,
        )
    if "producer" in fields and "workspace" not in fields and fields["producer"].pk != txn.producer_id:
        # the line moves with its producer unless a workspace is given
        fields["workspace"] = fields["producer"].workspace
        require_ledger_access(actor, fields["workspace"])
    before = _txn_snapshot(txn)
    for key, value in fields.items():
        setattr(txn, key, value.strip() if key == "external_id" else value)
    if "gross_commission" in fields:
        txn.commission_rule = None
        if txn.gross_commission is None:
            _apply_rules(txn)
    elif txn.commission_rule_id is not None and RULE_INPUTS & set(fields):
        _apply_rules(txn)
    _derive_amount(txn)
    clean_save(txn)
    audit_change(actor=actor, action="commissiontransaction.update", obj=txn, before=before, after=_txn_snapshot(txn))
    _emit(actor, events.TRANSACTION_UPDATED, txn)
    return txn


@db_transaction.atomic
def transaction_transition(*, actor: Actor, transaction: CommissionTransaction, status: str) -> CommissionTransaction:
    """Move a line through pending -> reconciled -> approved -> paid (or disputed and back);
    an illegal move, including to the same status, is a 409 naming the allowed ones."""
    txn = _lock(transaction)
    require_ledger_access(actor, txn.workspace)
    if status not in TransactionStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    allowed = TRANSACTION_TRANSITIONS[txn.status]
    if status not in allowed:
        raise Conflict(
            _("A %(current)s transaction cannot become %(status)s.") % {"current": txn.status, "status": status},
            current_status=txn.status,
            allowed=sorted(allowed),
        )
    before = txn.status
    txn.status = status
    clean_save(txn)
    audit_change(actor=actor, action="commissiontransaction.transition", obj=txn, changes={"status": [before, status]})
    _emit(actor, events.TRANSACTION_UPDATED, txn)
    return txn


def _override(
    actor: Actor, txn: CommissionTransaction, kind: str, value: Decimal, reason: str, *, action: str
) -> CommissionOverride:
    if txn.status not in OVERRIDABLE_STATUSES:
        raise Conflict(
            _("A %(status)s transaction cannot be overridden.") % {"status": txn.status}, current_status=txn.status
        )
    override = CommissionOverride(
        organisation=actor.organisation,
        transaction=txn,
        kind=kind,
        value=Decimal(value),
        reason=(reason or "").strip(),
        previous_amount=txn.producer_amount,
        resulting_amount=Decimal("0.00"),
        created_by=actor.user,
        created_by_label=actor.label[:300],
    )
    override.full_clean(exclude=["resulting_amount"])
    override.resulting_amount = producer_amount(txn, override)
    override.save()
    txn.latest_override = override
    _derive_amount(txn)
    clean_save(txn)
    audit_change(
        actor=actor,
        action=action,
        obj=txn,
        changes={
            "producer_amount": [str(override.previous_amount), str(override.resulting_amount)],
            "override": [None, f"{override.kind} {override.value}"],
        },
    )
    record_event(
        actor.organisation,
        events.OVERRIDE_CREATED,
        events.override_payload(override, currency=actor.organisation.currency),
        actor=actor,
    )
    _emit(actor, events.TRANSACTION_UPDATED, txn)
    return override


@db_transaction.atomic
def override_create(
    *, actor: Actor, transaction: CommissionTransaction, kind: str, value: Decimal, reason: str
) -> CommissionOverride:
    """Append an override (flat amount, percent of premium or split of gross) to a line that is
    not yet approved (409 otherwise). The gross is untouched; the amount becomes the override
    applied to the base, so the same override twice gives the same amount."""
    txn = _lock(transaction)
    require_ledger_access(actor, txn.workspace)
    return _override(actor, txn, kind, value, reason, action="commissiontransaction.override")


@db_transaction.atomic
def override_bulk_create(
    *, actor: Actor, transactions: list[CommissionTransaction], kind: str, value: Decimal, reason: str
) -> list[CommissionOverride]:
    """The same override on many lines, all or nothing: one line that cannot be overridden
    (its status, the actor's office) refuses the whole request."""
    ids = sorted({txn.pk for txn in transactions})
    locked = list(
        CommissionTransaction.objects.select_for_update(of=("self",))
        .select_related("latest_override", "workspace")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    require_ledger_access(actor, *[txn.workspace for txn in locked])
    blocked = [txn.pk for txn in locked if txn.status not in OVERRIDABLE_STATUSES]
    if blocked:
        raise Conflict(
            _("Some transactions are approved or paid and cannot be overridden; nothing was changed."),
            transaction_ids=blocked,
        )
    return [_override(actor, txn, kind, value, reason, action="commissiontransaction.bulk_override") for txn in locked]


# =============================================================================
# Bulk ledger writes for statement imports (issue 6 point 3)
#
# Called by ``payroll.services.import_review`` when a reviewed batch is finalised or rolled
# back. The import pipeline has already normalised and matched every row against rows of
# this organisation (producers, policies, carriers loaded through scoped querysets), so
# these writes skip the per-row ``full_clean()`` (which would cost queries per line) and
# insert in chunks. No ``payroll.transaction.created`` event per line: the import records
# one ``import.batch.finalised`` event per batch instead (documented in the API guide).
# =============================================================================

#: lines inserted or deleted per statement
IMPORT_CHUNK_SIZE = 2000
#: a rollback is refused while any line of the batch is in one of these statuses
ROLLBACK_BLOCKING_STATUSES = frozenset({TransactionStatus.APPROVED, TransactionStatus.PAID})


@db_transaction.atomic
def transaction_bulk_import(*, actor: Actor, lines, chunk_size: int = IMPORT_CHUNK_SIZE) -> int:
    """Insert imported ledger lines as ``reconciled`` (source ``import``), all or nothing.

    ``lines`` are dicts of the line's attributes by attribute name (``producer_id``,
    ``carrier_id``, ``policy_id``, ``workspace_id``, ``import_row_id``, ``reverses_id``,
    amounts, dates, type, ...), inserted with ``COPY`` on PostgreSQL. Each line's amount is
    derived here (gross x split, rounded half up); managers may import only into their
    office's workspaces (one line of another office refuses the whole statement)."""
    check = workspace_access_checker(actor)
    organisation_id = actor.organisation.pk
    total = 0
    for chunk in chunks(lines, chunk_size):
        check({line["workspace_id"] for line in chunk})
        for line in chunk:
            line["organisation_id"] = organisation_id
            line["status"] = TransactionStatus.RECONCILED.value
            line["source"] = TransactionSource.IMPORT.value
            line["producer_amount"] = producer_share(line["gross_commission"], line["split_percent"])
        bulk_insert(CommissionTransaction, chunk)
        total += len(chunk)
    return total


@db_transaction.atomic
def transaction_bulk_import_from_rows(*, actor: Actor, rows) -> int:
    """The same as :func:`transaction_bulk_import`, in one ``INSERT ... SELECT`` (PostgreSQL).

    ``rows`` is a queryset of matched ``integrations.ImportRow`` with a producer each; every
    row becomes one ``reconciled`` line (source ``import``) of its producer's workspace, split
    the row's split (else the producer's default), amount gross x split rounded half up
    (:func:`producer_share_sql`, the same rounding as ``money()``). Fields this does
    not set take their model default, so a field added to the ledger later still gets one."""
    check = workspace_access_checker(actor)
    check(set(Producer.objects.filter(pk__in=rows.values("producer_id")).values_list("workspace_id", flat=True)))
    quote = connection.ops.quote_name
    row_model = rows.model

    def r(name: str) -> str:
        return f"r.{quote(row_model._meta.get_field(name).column)}"

    split = f"COALESCE({r('split_percent')}, p.{quote(Producer._meta.get_field('default_split_percent').column)})"
    now = timezone.now()
    expressions = {
        "organisation_id": ("%s", [actor.organisation.pk]),
        "created_at": ("%s", [now]),
        "updated_at": ("%s", [now]),
        "policy_id": (r("policy"), []),
        "producer_id": (r("producer"), []),
        "carrier_id": (f"b.{quote('carrier_id')}", []),
        "workspace_id": (f"p.{quote(Producer._meta.get_field('workspace').column)}", []),
        "line_of_business_id": (r("line_of_business"), []),
        "statement_period": (r("statement_period"), []),
        "transaction_date": (r("transaction_date"), []),
        "premium": (f"COALESCE({r('premium')}, 0)", []),
        "gross_commission": (r("gross_commission"), []),
        "split_percent": (split, []),
        "producer_amount": (producer_share_sql(r("gross_commission"), split), []),
        "type": (r("type"), []),
        "status": ("%s", [TransactionStatus.RECONCILED.value]),
        "source": ("%s", [TransactionSource.IMPORT.value]),
        "external_id": (r("external_id"), []),
        "commission_rule_id": (r("commission_rule"), []),
        "import_row_id": ("r.id", []),
    }
    columns, selected, params = [], [], []
    for field in CommissionTransaction._meta.concrete_fields:
        if field.primary_key:
            continue
        expression, values = expressions.get(
            field.attname, ("%s", [field.get_db_prep_save(field.get_default(), connection)])
        )
        columns.append(quote(field.column))
        selected.append(expression)
        params.extend(values)
    ids_sql, ids_params = rows.values("pk").query.sql_with_params()
    batch_table = row_model._meta.get_field("batch").related_model._meta.db_table
    sql = (
        f"INSERT INTO {quote(CommissionTransaction._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(selected)} FROM {quote(row_model._meta.db_table)} r "
        f"JOIN {quote(batch_table)} b ON b.id = {r('batch')} "
        f"JOIN {quote(Producer._meta.db_table)} p ON p.id = {r('producer')} "
        f"WHERE r.id IN ({ids_sql}) ORDER BY r.id"  # ids in statement order
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids_params])
        return cursor.rowcount


@db_transaction.atomic
def transaction_bulk_delete_for_import(*, actor: Actor, import_batch_ids: list[int]) -> int:
    """Delete the ledger lines imported by these batches (a rollback), all or nothing.

    Refused (409, naming up to 50 line ids) when a line was approved or paid, carries an
    override, or is taken back by a chargeback outside these batches: what happened
    downstream is never silently undone. The lines are locked first, so a concurrent
    approval waits for the rollback (and then finds the line gone)."""
    lines = CommissionTransaction.objects.for_organisation(actor.organisation).filter(
        import_row__batch_id__in=import_batch_ids
    )
    ids = list(lines.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
    if not ids:
        return 0
    check = workspace_access_checker(actor)
    check(set(lines.values_list("workspace_id", flat=True).distinct()))
    blocked = list(lines.filter(status__in=ROLLBACK_BLOCKING_STATUSES).values_list("pk", flat=True)[:50])
    if blocked:
        raise Conflict(
            _("Some of this import's transactions were approved or paid; nothing was rolled back."),
            transaction_ids=blocked,
        )
    overridden = list(lines.filter(overrides__isnull=False).values_list("pk", flat=True).distinct()[:50])
    if overridden:
        raise Conflict(
            _("Some of this import's transactions carry overrides; nothing was rolled back."),
            transaction_ids=overridden,
        )
    reversed_elsewhere = list(
        CommissionTransaction.objects.filter(reverses__in=ids)
        .exclude(import_row__batch_id__in=import_batch_ids)
        .values_list("pk", flat=True)[:50]
    )
    if reversed_elsewhere:
        raise Conflict(
            _("Chargebacks outside this import take back some of its transactions; nothing was rolled back."),
            transaction_ids=reversed_elsewhere,
        )
    chargebacks = set(lines.filter(reverses__isnull=False).values_list("pk", flat=True))
    ordered = [pk for pk in ids if pk in chargebacks] + [pk for pk in ids if pk not in chargebacks]
    try:
        for chunk in chunks(ordered, IMPORT_CHUNK_SIZE):
            CommissionTransaction.objects.filter(pk__in=chunk).delete()
    except ProtectedError as error:
        raise Conflict(
            _("Other records depend on this import's transactions; nothing was rolled back."),
            transaction_ids=sorted({obj.pk for obj in error.protected_objects if hasattr(obj, "pk")})[:50],
        ) from error
    return len(ids)
