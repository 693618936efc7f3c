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
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction as db_transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from organisations.actors import Actor
from organisations.choices import Role
from organisations.models import Organisation, Producer, Workspace
from trackyoursheets.exceptions import Conflict, NotPermitted

from . import events
from .choices import (
    EDITABLE_STATUSES,
    OVERRIDABLE_STATUSES,
    TRANSACTION_TRANSITIONS,
    BusinessType,
    TransactionSource,
    TransactionStatus,
    TransactionType,
)
from .models import (
    HUNDRED,
    Carrier,
    Category,
    CommissionOverride,
    CommissionRule,
    CommissionRuleSet,
    CommissionTransaction,
    Policy,
    PolicyProducer,
    money,
)

__all__ = [
    "RuleEvaluation",
    "category_create",
    "category_update",
    "carrier_create",
    "carrier_update",
    "rule_set_create",
    "rule_set_update",
    "policy_create",
    "policy_update",
    "commission_rule_evaluate",
    "transaction_create",
    "transaction_update",
    "transaction_transition",
    "override_create",
    "override_bulk_create",
    "transaction_bulk_import",
    "transaction_bulk_import_from_rows",
    "transaction_bulk_delete_for_import",
]

#: ``transaction_update`` may change these fields (status has its own service, the amount is derived)
TRANSACTION_FIELDS = frozenset(
    {
        "policy", "producer", "carrier", "workspace", "line_of_business", "category", "statement_period",
        "transaction_date", "premium", "gross_commission", "split_percent", "type", "external_id", "notes",
    }
)
#: a change of one of these re-evaluates a gross commission that a rule computed
RULE_INPUTS = frozenset({"carrier", "line_of_business", "type", "transaction_date", "premium", "policy"})


# =============================================================================
# Role checks
# =============================================================================


def _require_organisation_admin(actor: Actor) -> None:
    """Reference data and rule sets: owners, admins and organisation-wide credentials."""
    if not actor.sees_whole_organisation:
        raise NotPermitted(_("Your role does not allow this action."))


def _require_ledger_access(actor: Actor, *workspaces: Workspace | None) -> None:
    """Ledger writes: the whole organisation, or a manager for workspaces of their office."""
    if actor.sees_whole_organisation:
        return
    if actor.role == Role.MANAGER and actor.membership is not None and actor.membership.office_id:
        if workspaces and all(w is not None and w.office_id == actor.membership.office_id for w in workspaces):
            return
    raise NotPermitted(_("Your role does not allow changing commissions here."))


def _save(obj) -> None:
    obj.full_clean()
    obj.save()


# =============================================================================
# Categories and carriers
# =============================================================================


@db_transaction.atomic
def category_create(*, actor: Actor, kind: str, name: str, is_default: bool = False) -> Category:
    """A line-of-business or revenue-status tag; names are unique per organisation and kind."""
    _require_organisation_admin(actor)
    category = Category(organisation=actor.organisation, kind=kind, name=name.strip(), is_default=is_default)
    _save(category)
    return category


@db_transaction.atomic
def category_update(*, actor: Actor, category: Category, **fields) -> Category:
    """Rename a category or change its default flag (its kind is fixed: rows point at it)."""
    _require_organisation_admin(actor)
    if "kind" in fields and fields["kind"] != category.kind:
        raise ValidationError({"kind": _("The kind of a category cannot change.")})
    for key, value in fields.items():
        setattr(category, key, value.strip() if key == "name" else value)
    _save(category)
    return category


@db_transaction.atomic
def carrier_create(
    *,
    actor: Actor,
    name: str,
    code: str,
    statement_date_format: str = "%Y-%m-%d",
    default_rule_set: CommissionRuleSet | None = None,
    column_mapping: dict | None = None,
) -> Carrier:
    """A carrier with a code unique in the organisation."""
    _require_organisation_admin(actor)
    carrier = Carrier(
        organisation=actor.organisation,
        name=name.strip(),
        code=code.strip(),
        statement_date_format=statement_date_format,
        default_rule_set=default_rule_set,
        column_mapping=column_mapping if column_mapping is not None else {},
    )
    _save(carrier)
    return carrier


@db_transaction.atomic
def carrier_update(*, actor: Actor, carrier: Carrier, **fields) -> Carrier:
    """Rename, re-code, change the date format, default rule set or saved column mapping."""
    _require_organisation_admin(actor)
    for key, value in fields.items():
        setattr(carrier, key, value.strip() if key in ("name", "code") else value)
    _save(carrier)
    return carrier


# =============================================================================
# Commission rule sets
# =============================================================================


def _replace_rules(actor: Actor, rule_set: CommissionRuleSet, rules: list[dict]) -> None:
    """Validate every rule (errors named ``rules[i].field``) and replace the set's rules."""
    built, errors = [], {}
    for index, values in enumerate(rules):
        rule = CommissionRule(organisation=actor.organisation, rule_set=rule_set, **values)
        try:
            rule.full_clean(exclude=["rule_set"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"rules[{index}].{field}"] = messages
        built.append(rule)
    if errors:
        raise ValidationError(errors)
    CommissionRule.objects.filter(rule_set=rule_set).delete()
    CommissionRule.objects.bulk_create(built)


@db_transaction.atomic
def rule_set_create(
    *,
    actor: Actor,
    name: str,
    effective_from: datetime.date,
    version: int = 1,
    effective_to: datetime.date | None = None,
    active: bool = True,
    rules: list[dict] | None = None,
) -> CommissionRuleSet:
    """A versioned rule set and its rules; (name, version) is unique in the organisation."""
    _require_organisation_admin(actor)
    rule_set = CommissionRuleSet(
        organisation=actor.organisation,
        name=name.strip(),
        version=version,
        effective_from=effective_from,
        effective_to=effective_to,
        active=active,
    )
    _save(rule_set)
    _replace_rules(actor, rule_set, rules or [])
    return rule_set


@db_transaction.atomic
def rule_set_update(
    *, actor: Actor, rule_set: CommissionRuleSet, rules: list[dict] | None = None, **fields
) -> CommissionRuleSet:
    """Change a rule set; ``rules``, when given, replace all its rules (publish a new
    version instead to keep what computed past lines)."""
    _require_organisation_admin(actor)
    for key, value in fields.items():
        setattr(rule_set, key, value.strip() if key == "name" else value)
    _save(rule_set)
    if rules is not None:
        _replace_rules(actor, rule_set, rules)
    return rule_set


# =============================================================================
# Policies
# =============================================================================


def _set_policy_producers(actor: Actor, policy: Policy, producers: list[tuple[Producer, Decimal]]) -> None:
    """Replace the writing producers; their splits must total exactly 100."""
    errors = {}
    ids = [producer.pk for producer, _split in producers]
    if len(ids) != len(set(ids)):
        errors["producers"] = [_("A producer is listed more than once.")]
    total = sum((Decimal(split) for _producer, split in producers), Decimal("0"))
    if producers and total != HUNDRED:
        errors.setdefault("producers", []).append(
            _("The splits must total 100; they total %(total)s.") % {"total": format(total.normalize(), "f")}
        )
    if errors:
        raise ValidationError(errors)
    links = []
    for index, (producer, split) in enumerate(producers):
        link = PolicyProducer(organisation=actor.organisation, policy=policy, producer=producer, split_percent=split)
        try:
            link.full_clean(exclude=["policy"], validate_constraints=False)
        except ValidationError as exc:
            raise ValidationError(
                {f"producers[{index}].{field}": messages for field, messages in exc.message_dict.items()}
            ) from exc
        links.append(link)
    PolicyProducer.objects.filter(policy=policy).delete()
    PolicyProducer.objects.bulk_create(links)


def _require_policy_access(actor: Actor, producers: list[Producer]) -> None:
    """Managers write policies whose writing producers (at least one) all work in their office."""
    if actor.sees_whole_organisation:
        return
    if not producers:
        raise NotPermitted(_("Managers write policies of their office's producers only; name the producers."))
    _require_ledger_access(actor, *[producer.workspace for producer in producers])


@db_transaction.atomic
def policy_create(
    *,
    actor: Actor,
    carrier: Carrier,
    number: str,
    effective_date: datetime.date,
    expiry_date: datetime.date | None = None,
    customer_name: str = "",
    line_of_business: Category | None = None,
    premium: Decimal = Decimal("0.00"),
    status: str = "active",
    producers: list[tuple[Producer, Decimal]] | None = None,
) -> Policy:
    """A policy (number unique per carrier) with its writing producers, whose splits total 100.
    Managers may write policies of their office's producers only."""
    producers = producers or []
    _require_policy_access(actor, [p for p, _s in producers])
    policy = Policy(
        organisation=actor.organisation,
        carrier=carrier,
        number=number.strip(),
        customer_name=customer_name.strip(),
        line_of_business=line_of_business,
        premium=premium,
        effective_date=effective_date,
        expiry_date=expiry_date,
        status=status,
    )
    _save(policy)
    _set_policy_producers(actor, policy, producers)
    return policy


@db_transaction.atomic
def policy_update(
    *, actor: Actor, policy: Policy, producers: list[tuple[Producer, Decimal]] | None = None, **fields
) -> Policy:
    """Change a policy; ``producers``, when given, replace its writing producers (splits total 100)."""
    current = [link.producer for link in policy.producer_links.select_related("producer__workspace")]
    _require_policy_access(actor, current)
    if producers is not None:
        _require_policy_access(actor, [p for p, _s in producers])
    for key, value in fields.items():
        setattr(policy, key, value.strip() if key in ("number", "customer_name") else value)
    _save(policy)
    if producers is not None:
        _set_policy_producers(actor, policy, producers)
    return policy


# =============================================================================
# Rule evaluation
# =============================================================================


@dataclass(frozen=True)
class RuleEvaluation:
    rule: CommissionRule
    amount: Decimal


def _business_types(transaction_type: str) -> list[str]:
    if transaction_type == TransactionType.NEW:
        return [BusinessType.ANY, BusinessType.NEW]
    if transaction_type == TransactionType.RENEWAL:
        return [BusinessType.ANY, BusinessType.RENEWAL]
    return [BusinessType.ANY]


def commission_rule_evaluate(
    *,
    organisation: Organisation,
    carrier: Carrier,
    line_of_business: Category | None,
    transaction_type: str,
    on_date: datetime.date,
    premium: Decimal | None,
    gross_commission: Decimal | None = None,
) -> RuleEvaluation | None:
    """The commission for one line by the first matching rule, or None when no rule applies.

    Rule sets in force on ``on_date`` (active, ``effective_from <= date <= effective_to``) are
    tried in order: the carrier's default rule set first, then the latest ``effective_from``,
    the highest version. Within a set, rules matching the carrier (or any), the line of
    business (or any) and new/renewal (or any; chargebacks and adjustments match ``any``
    only) are tried by ``priority``, then the more specific rule (carrier, then line of
    business, then business type) and then the older one. A rule whose basis is unknown
    (``percent_of_gross`` without a gross) is skipped.
    """
    in_force = (
        CommissionRuleSet.objects.for_organisation(organisation)
        .filter(active=True, effective_from__lte=on_date)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on_date))
    )
    rule_sets = sorted(
        in_force,
        key=lambda rs: (
            rs.pk != carrier.default_rule_set_id,
            -rs.effective_from.toordinal(),
            -rs.version,
            rs.pk,
        ),
    )
    if not rule_sets:
        return None
    candidates = (
        CommissionRule.objects.filter(rule_set__in=[rs.pk for rs in rule_sets])
        .filter(Q(carrier__isnull=True) | Q(carrier=carrier))
        .filter(
            Q(line_of_business__isnull=True)
            | Q(line_of_business=line_of_business.pk if line_of_business is not None else None)
        )
        .filter(business_type__in=_business_types(transaction_type))
    )
    by_set: dict[int, list[CommissionRule]] = {}
    for rule in candidates:
        by_set.setdefault(rule.rule_set_id, []).append(rule)
    for rule_set in rule_sets:
        rules = sorted(
            by_set.get(rule_set.pk, []),
            key=lambda r: (
                r.priority,
                r.carrier_id is None,
                r.line_of_business_id is None,
                r.business_type == BusinessType.ANY,
                r.pk,
            ),
        )
        for rule in rules:
            amount = rule.compute(premium=premium, gross_commission=gross_commission)
            if amount is not None:
                if transaction_type == TransactionType.CHARGEBACK and amount > 0:
                    amount = -amount  # a chargeback takes the commission back
                return RuleEvaluation(rule=rule, amount=amount)
    return None


# =============================================================================
# The ledger
# =============================================================================


def _derive_amount(txn: CommissionTransaction) -> None:
    """The producer's amount: the latest override applied to the untouched base, else gross x split."""
    override = txn.latest_override
    txn.producer_amount = override.apply(txn) if override is not None else txn.base_amount


def _default_split(policy: Policy | None, producer: Producer) -> Decimal:
    """The producer's split on the policy when they wrote it, else their default split."""
    if policy is not None:
        link = PolicyProducer.objects.filter(policy=policy, producer=producer).first()
        if link is not None:
            return link.split_percent
    return producer.default_split_percent


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
    carrier: Carrier,
    transaction_date: datetime.date,
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
    ``commission_rule_evaluate`` (422 when no rule matches). The amount is derived."""
    workspace = workspace if workspace is not None else producer.workspace
    _require_ledger_access(actor, workspace)
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
    _save(txn)
    _emit(actor, events.TRANSACTION_CREATED, txn)
    return txn


def _lock(txn: CommissionTransaction) -> CommissionTransaction:
    """The row, locked until the transaction ends (two writers never both pass a status check)."""
    return (
        CommissionTransaction.objects.select_for_update(of=("self",))
        .select_related("latest_override", "carrier", "policy", "producer", "workspace", "line_of_business")
        .get(pk=txn.pk)
    )


@db_transaction.atomic
def transaction_update(*, actor: Actor, transaction: CommissionTransaction, **fields) -> CommissionTransaction:
    """Change a ledger line while it is pending or disputed (409 otherwise). A gross commission
    that a rule computed is re-computed when what the rule matched on changes; the amount is
    re-derived (the latest override still applies)."""
    unknown = sorted(set(fields) - TRANSACTION_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    txn = _lock(transaction)
    _require_ledger_access(actor, txn.workspace)
    if "workspace" in fields:
        _require_ledger_access(actor, fields["workspace"])
    if txn.status not in EDITABLE_STATUSES:
        raise Conflict(
            _("A %(status)s transaction cannot be edited; only pending or disputed ones can.")
            % {"status": txn.status},
            current_status=txn.status,
        )
    if "producer" in fields and "workspace" not in fields and fields["producer"].pk != txn.producer_id:
        # the line moves with its producer unless a workspace is given
        fields["workspace"] = fields["producer"].workspace
        _require_ledger_access(actor, fields["workspace"])
    for key, value in fields.items():
        setattr(txn, key, value.strip() if key == "external_id" else value)
    if "gross_commission" in fields:
        txn.commission_rule = None
        if txn.gross_commission is None:
            _apply_rules(txn)
    elif txn.commission_rule_id is not None and RULE_INPUTS & set(fields):
        _apply_rules(txn)
    _derive_amount(txn)
    _save(txn)
    _emit(actor, events.TRANSACTION_UPDATED, txn)
    return txn


@db_transaction.atomic
def transaction_transition(*, actor: Actor, transaction: CommissionTransaction, status: str) -> CommissionTransaction:
    """Move a line through pending -> reconciled -> approved -> paid (or disputed and back);
    an illegal move, including to the same status, is a 409 naming the allowed ones."""
    txn = _lock(transaction)
    _require_ledger_access(actor, txn.workspace)
    if status not in TransactionStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    allowed = TRANSACTION_TRANSITIONS[txn.status]
    if status not in allowed:
        raise Conflict(
            _("A %(current)s transaction cannot become %(status)s.") % {"current": txn.status, "status": status},
            current_status=txn.status,
            allowed=sorted(allowed),
        )
    txn.status = status
    _save(txn)
    _emit(actor, events.TRANSACTION_UPDATED, txn)
    return txn


def _override(actor: Actor, txn: CommissionTransaction, kind: str, value: Decimal, reason: str) -> CommissionOverride:
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
    override.resulting_amount = override.apply(txn)
    override.save()
    txn.latest_override = override
    _derive_amount(txn)
    _save(txn)
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
    _require_ledger_access(actor, txn.workspace)
    return _override(actor, txn, kind, value, reason)


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
    _require_ledger_access(actor, *[txn.workspace for txn in locked])
    blocked = [txn.pk for txn in locked if txn.status not in OVERRIDABLE_STATUSES]
    if blocked:
        raise Conflict(
            _("Some transactions are approved or paid and cannot be overridden; nothing was changed."),
            transaction_ids=blocked,
        )
    return [_override(actor, txn, kind, value, reason) for txn in locked]


# =============================================================================
# Bulk ledger writes for statement imports (issue 6 point 3)
#
# Called by ``integrations.import_services`` when a reviewed batch is finalised or rolled
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


def _workspace_access_checker(actor: Actor):
    """``check(workspace_ids)``: ``_require_ledger_access`` for each workspace, once per id."""
    checked: set[int | None] = set()

    def check(workspace_ids: set[int | None]) -> None:
        new = workspace_ids - checked
        if not new or actor.sees_whole_organisation:
            checked.update(new)
            return
        workspaces = list(Workspace.objects.for_organisation(actor.organisation).filter(pk__in=new - {None}))
        if None in new or len(workspaces) != len(new - {None}):
            _require_ledger_access(actor, None)
        _require_ledger_access(actor, *workspaces)
        checked.update(new)

    return check


def _chunks(items, size: int):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@db_transaction.atomic
def transaction_bulk_import(*, actor: Actor, lines, chunk_size: int = IMPORT_CHUNK_SIZE) -> int:
    """Insert imported ledger lines as ``reconciled`` (source ``import``), all or nothing.

    ``lines`` are dicts of the line's attributes by attribute name (``producer_id``,
    ``carrier_id``, ``policy_id``, ``workspace_id``, ``import_row_id``, ``reverses_id``,
    amounts, dates, type, ...), inserted with ``COPY`` on PostgreSQL. Each line's amount is
    derived here (gross x split, rounded half up); managers may import only into their
    office's workspaces (one line of another office refuses the whole statement)."""
    from integrations.bulk import bulk_insert

    check = _workspace_access_checker(actor)
    organisation_id = actor.organisation.pk
    total = 0
    for chunk in _chunks(lines, chunk_size):
        check({line["workspace_id"] for line in chunk})
        for line in chunk:
            line["organisation_id"] = organisation_id
            line["status"] = TransactionStatus.RECONCILED.value
            line["source"] = TransactionSource.IMPORT.value
            line["producer_amount"] = money(line["gross_commission"] * line["split_percent"] / HUNDRED)
        bulk_insert(CommissionTransaction, chunk)
        total += len(chunk)
    return total


@db_transaction.atomic
def transaction_bulk_import_from_rows(*, actor: Actor, rows) -> int:
    """The same as :func:`transaction_bulk_import`, in one ``INSERT ... SELECT`` (PostgreSQL).

    ``rows`` is a queryset of matched ``integrations.ImportRow`` with a producer each; every
    row becomes one ``reconciled`` line (source ``import``) of its producer's workspace, split
    the row's split (else the producer's default), amount gross x split rounded half up
    (``ROUND`` on numeric rounds ties away from zero, as ``money()`` does). Fields this does
    not set take their model default, so a field added to the ledger later still gets one."""
    from django.db import connection

    from organisations.models import Producer

    check = _workspace_access_checker(actor)
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
        "producer_amount": (f"ROUND({r('gross_commission')} * {split} / 100, 2)", []),
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
    check = _workspace_access_checker(actor)
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
        for chunk in _chunks(ordered, IMPORT_CHUNK_SIZE):
            CommissionTransaction.objects.filter(pk__in=chunk).delete()
    except ProtectedError as error:
        raise Conflict(
            _("Other records depend on this import's transactions; nothing was rolled back."),
            transaction_ids=sorted({obj.pk for obj in error.protected_objects if hasattr(obj, "pk")})[:50],
        ) from error
    return len(ids)
