"""Reference data of the ledger: categories, carriers (and their statement defaults), policies
and their writing producers."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction as db_transaction
from django.utils.translation import gettext as _

from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from organisations.models import Producer
from trackyoursheets.db import model_update
from trackyoursheets.exceptions import NotPermitted

from ..choices import DateFormat
from ..models import (
    HUNDRED,
    Carrier,
    Category,
    CommissionRuleSet,
    Policy,
    PolicyProducer,
)
from .access import clean_save, require_ledger_access, require_organisation_admin, stripped

#: what ``category_update`` may change (issue 12: an explicit field list, not ``**fields``)
CATEGORY_UPDATE_FIELDS = ["kind", "name", "is_default"]
#: what ``carrier_update`` may change
CARRIER_UPDATE_FIELDS = ["name", "code", "statement_date_format", "default_rule_set", "column_mapping"]
#: what ``policy_update`` may change (``producers`` has its own argument)
POLICY_UPDATE_FIELDS = [
    "carrier",
    "number",
    "customer_name",
    "line_of_business",
    "premium",
    "effective_date",
    "expiry_date",
    "status",
]

# =============================================================================
# Categories and carriers
# =============================================================================


@db_transaction.atomic
def category_create(*, actor: Actor, kind: str, name: str, is_default: bool = False) -> Category:
    """A line-of-business or revenue-status tag; names are unique per organisation and kind."""
    require_organisation_admin(actor)
    category = Category(organisation=actor.organisation, kind=kind, name=name.strip(), is_default=is_default)
    clean_save(category)
    audit_change(actor=actor, action="category.create", obj=category, after=audit_snapshot(category))
    return category


@db_transaction.atomic
def category_update(*, actor: Actor, category: Category, data: dict) -> Category:
    """Rename a category or change its default flag (its kind is fixed: rows point at it)."""
    require_organisation_admin(actor)
    if "kind" in data and data["kind"] != category.kind:
        raise ValidationError({"kind": _("The kind of a category cannot change.")})
    category, changes = model_update(instance=category, fields=CATEGORY_UPDATE_FIELDS, data=stripped(data, "name"))
    audit_change(actor=actor, action="category.update", obj=category, changes=changes)
    return category


#: how a statement's dates read when neither the upload nor the carrier says (ISO ``YYYY-MM-DD``)
DEFAULT_STATEMENT_DATE_FORMAT = DateFormat.ISO.value


def statement_date_format_for(*, carrier: Carrier | None = None, given: str = "") -> str:
    """The date format a statement is read with: the one given (with the upload), else the
    carrier's, else :data:`DEFAULT_STATEMENT_DATE_FORMAT`. The one place this default is
    decided (new carriers, carriers created by an import, every statement row)."""
    if given:
        return given
    if carrier is not None and carrier.statement_date_format:
        return carrier.statement_date_format
    return DEFAULT_STATEMENT_DATE_FORMAT


@db_transaction.atomic
def carrier_create(
    *,
    actor: Actor,
    name: str,
    code: str,
    statement_date_format: str = "",
    default_rule_set: CommissionRuleSet | None = None,
    column_mapping: dict | None = None,
) -> Carrier:
    """A carrier with a code unique in the organisation (its date format, when not given, is
    the default of :func:`statement_date_format`)."""
    require_organisation_admin(actor)
    carrier = Carrier(
        organisation=actor.organisation,
        name=name.strip(),
        code=code.strip(),
        statement_date_format=statement_date_format_for(given=statement_date_format),
        default_rule_set=default_rule_set,
        column_mapping=column_mapping if column_mapping is not None else {},
    )
    clean_save(carrier)
    audit_change(actor=actor, action="carrier.create", obj=carrier, after=audit_snapshot(carrier))
    return carrier


@db_transaction.atomic
def carrier_update(*, actor: Actor, carrier: Carrier, data: dict) -> Carrier:
    """Rename, re-code, change the date format, default rule set or saved column mapping."""
    require_organisation_admin(actor)
    carrier, changes = model_update(instance=carrier, fields=CARRIER_UPDATE_FIELDS, data=stripped(data, "name", "code"))
    audit_change(actor=actor, action="carrier.update", obj=carrier, changes=changes)
    return carrier


def carrier_mapping_save(*, actor: Actor, carrier: Carrier, mapping: dict) -> dict:
    """Add ``mapping`` to the carrier's saved column mapping (owners and admins), as part of
    an upload: returns ``{"column_mapping": [old, new]}`` (or ``{}``) for the upload's audit row."""
    require_organisation_admin(actor)
    _carrier, changes = model_update(
        instance=carrier, fields=["column_mapping"], data={"column_mapping": {**carrier.column_mapping, **mapping}}
    )
    return changes


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
    current = list(
        PolicyProducer.objects.filter(policy=policy).order_by("pk").values_list("producer_id", "split_percent")
    )
    if current == [(link.producer_id, link.split_percent) for link in links]:
        return  # unchanged: keep the rows (and their order, which breaks ties when cents are shared)
    PolicyProducer.objects.filter(policy=policy).delete()
    PolicyProducer.objects.bulk_create(links)


def _require_policy_access(actor: Actor, producers: list[Producer]) -> None:
    """Managers write policies whose writing producers (at least one) all work in their office."""
    if actor.sees_whole_organisation:
        return
    if not producers:
        raise NotPermitted(_("Managers write policies of their office's producers only; name the producers."))
    require_ledger_access(actor, *[producer.workspace for producer in producers])


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
    clean_save(policy)
    _set_policy_producers(actor, policy, producers)
    after = {**audit_snapshot(policy), "producers": _producer_splits(policy)}
    audit_change(actor=actor, action="policy.create", obj=policy, after=after)
    return policy


def _producer_splits(policy: Policy) -> list[list]:
    """The writing producers of ``policy`` as ``[[producer_id, split], ...]`` (for the audit row)."""
    return [
        [producer_id, str(split)]
        for producer_id, split in PolicyProducer.objects.filter(policy=policy)
        .order_by("producer_id")
        .values_list("producer_id", "split_percent")
    ]


@db_transaction.atomic
def policy_update(*, actor: Actor, policy: Policy, data: dict) -> Policy:
    """Change a policy (the fields in ``POLICY_UPDATE_FIELDS``); ``data["producers"]``, when
    given, replaces its writing producers (splits total 100)."""
    producers: list[tuple[Producer, Decimal]] | None = data.get("producers")
    current = [link.producer for link in policy.producer_links.select_related("producer__workspace")]
    _require_policy_access(actor, current)
    if producers is not None:
        _require_policy_access(actor, [p for p, _s in producers])
    policy, changes = model_update(
        instance=policy, fields=POLICY_UPDATE_FIELDS, data=stripped(data, "number", "customer_name")
    )
    if producers is not None:
        before = _producer_splits(policy)
        _set_policy_producers(actor, policy, producers)
        after = _producer_splits(policy)
        if before != after:
            changes["producers"] = [before, after]
    audit_change(actor=actor, action="policy.update", obj=policy, changes=changes)
    return policy
