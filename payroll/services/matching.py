"""What a statement row is matched against (producers, policies, aliases, carriers, rules),
loaded once per batch, and how sure each kind of match is."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from organisations.actors import system_actor
from organisations.choices import ProducerStatus
from organisations.models import Producer

from ..choices import (
    AliasKind,
    CategoryKind,
    MatchMethod,
)
from ..models import (
    Carrier,
    Category,
    ImportAlias,
    ImportBatch,
    Policy,
    PolicyProducer,
)
from .parsing import (
    match_key,
    policy_key,
)
from .reference import carrier_create, statement_date_format_for
from .rules import RuleEvaluation, chargeback_signed, commission_rule_evaluate

#: how sure a match is, by how it was made
CONFIDENCE = {
    MatchMethod.ALIAS: Decimal("1.00"),
    MatchMethod.PRODUCER_CODE: Decimal("1.00"),
    MatchMethod.PERSON: Decimal("1.00"),
    MatchMethod.EMAIL: Decimal("0.95"),
    MatchMethod.POLICY: Decimal("0.95"),
    MatchMethod.NAME: Decimal("0.90"),
    MatchMethod.ONLY_PRODUCER: Decimal("0.60"),
}
#: confidence is scaled by this when a row names a policy number we do not know, or a producer
#: we could not find but matched another way
UNCERTAIN = Decimal("0.8")

AMBIGUOUS = object()


@dataclass
class _ProducerInfo:
    id: int
    workspace_id: int | None
    default_split: Decimal
    name: str


class _Lookups:
    """Everything a row is matched against, loaded once per batch (never a query per row)."""

    def __init__(self, batch: ImportBatch):
        self.organisation = batch.organisation
        producers = Producer.objects.for_organisation(self.organisation).filter(status=ProducerStatus.ACTIVE)
        if batch.office_id:
            producers = producers.filter(workspace__office_id=batch.office_id)
        self.producers: dict[int, _ProducerInfo] = {}
        self.by_code: dict[str, int] = {}
        self.by_email: dict[str, int] = {}
        self.by_name: dict[str, object] = {}
        for pk, workspace_id, split, name, code, email in producers.values_list(
            "id", "workspace_id", "default_split_percent", "display_name", "producer_code", "email"
        ):
            self.producers[pk] = _ProducerInfo(pk, workspace_id, Decimal(split), name)
            if code:
                self.by_code[match_key(code)] = pk
            if email:
                self.by_email.setdefault(match_key(email), pk)
            key = match_key(name)
            self.by_name[key] = AMBIGUOUS if key in self.by_name else pk
        in_scope = [
            p for p in self.producers.values() if batch.workspace_id is None or p.workspace_id == batch.workspace_id
        ]
        self.only_producer = in_scope[0].id if len(in_scope) == 1 else None
        aliases = ImportAlias.objects.for_organisation(self.organisation)
        self.producer_aliases = {
            text: pk
            for text, pk in aliases.filter(kind=AliasKind.PRODUCER).values_list("text", "producer_id")
            if pk in self.producers
        }
        self.carrier_aliases = dict(aliases.filter(kind=AliasKind.CARRIER).values_list("text", "target_carrier_id"))
        self.categories = {
            match_key(name): pk
            for pk, name in Category.objects.for_organisation(self.organisation)
            .filter(kind=CategoryKind.LINE_OF_BUSINESS)
            .values_list("id", "name")
        }
        self._policies: dict[int, dict] = {}
        self._writers: dict[int, list[tuple[int, Decimal]]] = {}
        self._rules: dict[tuple, RuleEvaluation | None] = {}
        self._carriers: dict[str, Carrier] | None = None

    # --- policies, per carrier -------------------------------------------------

    def policies(self, carrier_id: int) -> dict[str, tuple[int, int | None]]:
        if carrier_id not in self._policies:
            policies = {
                policy_key(number): (pk, lob)
                for pk, number, lob in Policy.objects.for_organisation(self.organisation)
                .filter(carrier_id=carrier_id)
                .values_list("id", "number", "line_of_business_id")
            }
            lob_by_policy = dict(policies.values())
            for text, pk in (
                ImportAlias.objects.for_organisation(self.organisation)
                .filter(kind=AliasKind.POLICY, carrier_id=carrier_id)
                .values_list("text", "policy_id")
            ):
                if pk in lob_by_policy:
                    policies[text] = (pk, lob_by_policy[pk])
            for policy_id, producer_id, split in PolicyProducer.objects.filter(
                policy__carrier_id=carrier_id, policy__organisation=self.organisation
            ).values_list("policy_id", "producer_id", "split_percent"):
                if producer_id in self.producers:
                    self._writers.setdefault(policy_id, []).append((producer_id, Decimal(split)))
            self._policies[carrier_id] = policies
        return self._policies[carrier_id]

    def writers(self, policy_id: int) -> list[tuple[int, Decimal]]:
        return self._writers.get(policy_id, [])

    # --- carriers (split files) ------------------------------------------------

    def carrier_for(self, text: str, date_format: str) -> Carrier:
        """The carrier a statement names (alias, name or code, case/space-insensitive); created when unknown."""
        if self._carriers is None:
            self._carriers = {}
            for carrier in Carrier.objects.for_organisation(self.organisation):
                self._carriers.setdefault(match_key(carrier.code), carrier)
                self._carriers.setdefault(match_key(carrier.name), carrier)
            by_id = {c.pk: c for c in self._carriers.values()}
            for text_key, pk in self.carrier_aliases.items():
                if pk in by_id:
                    self._carriers[text_key] = by_id[pk]
        key = match_key(text)
        if key not in self._carriers:
            codes = {match_key(c.code) for c in self._carriers.values()}
            base = "".join(ch for ch in text.upper() if ch.isalnum())[:40] or "CARRIER"
            code, n = base, 1
            while match_key(code) in codes:
                n += 1
                code = f"{base[:36]}-{n}"
            carrier = carrier_create(
                actor=system_actor(self.organisation),
                name=text.strip()[:200],
                code=code,
                statement_date_format=statement_date_format_for(given=date_format),
            )
            self._carriers[key] = carrier
            self._carriers.setdefault(match_key(code), carrier)
        return self._carriers[key]

    # --- commission rules --------------------------------------------------------

    def rule_amount(self, carrier: Carrier, lob_id, txn_type: str, on_date, premium) -> tuple[Decimal, int] | None:
        """The rules' commission, cached by what selects the rule (not by premium): a rule set
        lookup per distinct carrier, line, type and date, not per row."""
        key = (carrier.pk, lob_id, txn_type, on_date, premium is None)
        if key not in self._rules:
            lob = Category(pk=lob_id, organisation=self.organisation) if lob_id else None
            self._rules[key] = commission_rule_evaluate(
                organisation=self.organisation,
                carrier=carrier,
                line_of_business=lob,
                transaction_type=txn_type,
                on_date=on_date,
                premium=premium,
            )
        evaluation = self._rules[key]
        if evaluation is None:
            return None
        amount = evaluation.rule.compute(premium=premium, gross_commission=None)
        if amount is None:
            return None
        return chargeback_signed(amount, txn_type), evaluation.rule.pk
