"""Commission rule sets and their evaluation: which rule computes a line's commission, and
the sign of a chargeback's."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction as db_transaction
from django.db.models import Q

from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from organisations.models import Organisation
from trackyoursheets.db import model_update

from ..choices import (
    BusinessType,
    TransactionType,
)
from ..models import (
    Carrier,
    Category,
    CommissionRule,
    CommissionRuleSet,
)
from .access import clean_save, require_organisation_admin, stripped

#: what ``rule_set_update`` may change (``rules`` has its own argument)
RULE_SET_UPDATE_FIELDS = ["name", "version", "effective_from", "effective_to", "active"]
#: a rule's values on the audit row
_RULE_AUDIT_FIELDS = ("line_of_business", "business_type", "carrier", "basis", "rate", "amount", "priority")

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
    compared = [
        f.attname
        for f in CommissionRule._meta.concrete_fields
        if f.name not in ("id", "organisation", "rule_set", "created_at", "updated_at")
    ]
    current = list(CommissionRule.objects.filter(rule_set=rule_set).order_by("pk").values_list(*compared))
    if current == [tuple(getattr(rule, name) for name in compared) for rule in built]:
        return  # unchanged: keep the rules the ledger lines computed by them point at
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
    require_organisation_admin(actor)
    rule_set = CommissionRuleSet(
        organisation=actor.organisation,
        name=name.strip(),
        version=version,
        effective_from=effective_from,
        effective_to=effective_to,
        active=active,
    )
    clean_save(rule_set)
    _replace_rules(actor, rule_set, rules or [])
    after = {**audit_snapshot(rule_set), "rules": _rule_values(rule_set)}
    audit_change(actor=actor, action="commissionruleset.create", obj=rule_set, after=after)
    return rule_set


def _rule_values(rule_set: CommissionRuleSet) -> list[dict]:
    """The rules of ``rule_set`` as plain values (for the audit row)."""
    return [
        {name: str(value) if isinstance(value, Decimal) else value for name, value in rule.items()}
        for rule in CommissionRule.objects.filter(rule_set=rule_set)
        .order_by("pk")
        .values(*[f"{name}_id" if name in ("line_of_business", "carrier") else name for name in _RULE_AUDIT_FIELDS])
    ]


@db_transaction.atomic
def rule_set_update(*, actor: Actor, rule_set: CommissionRuleSet, data: dict) -> CommissionRuleSet:
    """Change a rule set (the fields in ``RULE_SET_UPDATE_FIELDS``); ``data["rules"]``, when
    given, replaces all its rules (publish a new version instead to keep what computed past lines)."""
    require_organisation_admin(actor)
    rules: list[dict] | None = data.get("rules")
    rule_set, changes = model_update(instance=rule_set, fields=RULE_SET_UPDATE_FIELDS, data=stripped(data, "name"))
    if rules is not None:
        before = _rule_values(rule_set)
        _replace_rules(actor, rule_set, rules)
        after = _rule_values(rule_set)
        if before != after:
            changes["rules"] = [before, after]
    audit_change(actor=actor, action="commissionruleset.update", obj=rule_set, changes=changes)
    return rule_set


# =============================================================================
# Rule evaluation
# =============================================================================


@dataclass(frozen=True)
class RuleEvaluation:
    rule: CommissionRule
    amount: Decimal


def chargeback_signed(amount: Decimal, transaction_type: str) -> Decimal:
    """A commission with the sign its transaction type gives it: a chargeback takes commission
    back, so its amount is never positive. The one place this sign is decided (rule
    evaluation, statement rows computed by a rule)."""
    if transaction_type == TransactionType.CHARGEBACK and amount > 0:
        return -amount
    return amount


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
                return RuleEvaluation(rule=rule, amount=chargeback_signed(amount, transaction_type))
    return None
