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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction as db_transaction
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from organisations.models import Producer, Workspace
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
    CENT,
    HUNDRED,
    Carrier,
    Category,
    CommissionOverride,
    CommissionTransaction,
    Policy,
    PolicyProducer,
    money,
)
from .access import clean_save, require_ledger_access
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


def allocate_shares(total: Decimal, splits: Sequence[Decimal]) -> list[Decimal]:
    """``total`` (rounded half up to cents, once) divided in proportion to ``splits``, in cents
    that add up to exactly ``total`` (issue 13 point 5). The one place this is decided.

    Largest remainder: every share first gets the whole cents of its exact part, then the cents
    left over go one each to the largest fractions, ties to the earlier split (the callers give
    the writers in a stable order: the order they were added to the policy). So each share is
    within a cent of its exact part and is its half-up rounding whenever those already add up;
    a negative total is the positive one negated (a chargeback takes back exactly what the
    sale gave); no share of a positive total is negative. Splits weigh relative to their sum
    (the splits of a policy total 100); when they are all zero, the shares are equal."""
    if not splits:
        return []
    cents = int(money(total).scaleb(2))
    sign, cents = (-1 if cents < 0 else 1), abs(cents)
    # exact integer arithmetic: the splits scaled by a common power of ten (never floats)
    values = [max(Decimal(split), Decimal(0)) for split in splits]
    places = max(0, *(-int(value.as_tuple().exponent) for value in values))
    weights = [int(value.scaleb(places)) for value in values]
    whole = sum(weights)
    if whole == 0:
        weights, whole = [1] * len(splits), len(splits)
    parts = [divmod(cents * weight, whole) for weight in weights]
    shares = [share for share, _remainder in parts]
    remainders = [remainder for _share, remainder in parts]
    left = cents - sum(shares)
    for index in sorted(range(len(shares)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return [Decimal(sign * share).scaleb(-2).quantize(CENT) for share in shares]


@dataclass(frozen=True)
class WriterShare:
    """One writing producer's part of a statement row on a shared policy."""

    producer_id: int
    premium: Decimal
    gross_commission: Decimal


def writer_shares(
    *, premium: Decimal, gross_commission: Decimal, writers: Sequence[tuple[int, Decimal]]
) -> list[WriterShare]:
    """A statement row of a policy with several writing producers (``(producer_id, split)``
    pairs, in a stable order) divided among them: each writer's premium and gross commission
    are their split of the row's (:func:`allocate_shares`), so the writers' lines add up to the
    row to the cent. Their lines then carry ``split_percent`` 100: the line is already the
    writer's part, and their amount is all of it (:data:`SHARED_LINE_SPLIT`)."""
    splits = [split for _producer, split in writers]
    premiums = allocate_shares(premium, splits)
    grosses = allocate_shares(gross_commission, splits)
    return [
        WriterShare(producer_id=producer_id, premium=p, gross_commission=g)
        for (producer_id, _split), p, g in zip(writers, premiums, grosses, strict=True)
    ]


#: the split of a writer's line of a shared policy: its gross is already the writer's part
SHARED_LINE_SPLIT = HUNDRED


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
        gross_commission=gross_commission if gross_commission is not None else Decimal("0.00"),
        split_percent=split_percent if split_percent is not None else _default_split(policy, producer),
        type=type,
        source=source,
        external_id=(external_id or "").strip(),
        notes=notes,
        status=TransactionStatus.PENDING,
    )
    if gross_commission is None:  # computed by the rules
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
