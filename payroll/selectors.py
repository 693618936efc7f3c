"""Reads of the commission ledger: scoped to the actor's organisation and role (DESIGN §3).

Carriers and categories are reference data every member may read; rule sets only owners,
admins and managers; policies and transactions by role (``visible_to`` in payroll/models.py):
managers their office's, a producer their own while their portal access is on.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from organisations.actors import Actor
from trackyoursheets.api.filters import apply_filterset

from .models import (
    Carrier,
    Category,
    CommissionOverride,
    CommissionRule,
    CommissionRuleSet,
    CommissionTransaction,
    Policy,
    PolicyProducer,
)


def category_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Category]:
    """Categories of the organisation (every member may read them)."""
    from .api.filters import CategoryFilterSet

    qs = Category.objects.visible_to(actor).order_by("kind", "name", "id")
    return apply_filterset(CategoryFilterSet, filters, qs) if filters else qs


def category_get(*, actor: Actor, pk: int) -> Category:
    return category_list(actor=actor).get(pk=pk)


def carrier_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Carrier]:
    """Carriers of the organisation with their default rule set's id (every member may read them)."""
    from .api.filters import CarrierFilterSet

    qs = Carrier.objects.visible_to(actor).order_by("name", "id")
    return apply_filterset(CarrierFilterSet, filters, qs) if filters else qs


def carrier_get(*, actor: Actor, pk: int) -> Carrier:
    return carrier_list(actor=actor).get(pk=pk)


def rule_set_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[CommissionRuleSet]:
    """Rule sets with their rules (by priority) in two queries; owners, admins and managers only."""
    from .api.filters import CommissionRuleSetFilterSet

    qs = (
        CommissionRuleSet.objects.visible_to(actor)
        .prefetch_related(Prefetch("rules", queryset=CommissionRule.objects.order_by("priority", "id")))
        .order_by("name", "-version", "id")
    )
    return apply_filterset(CommissionRuleSetFilterSet, filters, qs) if filters else qs


def rule_set_get(*, actor: Actor, pk: int) -> CommissionRuleSet:
    return rule_set_list(actor=actor).get(pk=pk)


def policy_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Policy]:
    """Policies the actor may see, with carrier, line of business and writing producers loaded."""
    from .api.filters import PolicyFilterSet

    qs = (
        Policy.objects.visible_to(actor)
        .select_related("carrier", "line_of_business")
        .prefetch_related(
            Prefetch("producer_links", queryset=PolicyProducer.objects.select_related("producer").order_by("id"))
        )
        .order_by("number", "id")
    )
    return apply_filterset(PolicyFilterSet, filters, qs) if filters else qs


def policy_get(*, actor: Actor, pk: int) -> Policy:
    return policy_list(actor=actor).get(pk=pk)


def transaction_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[CommissionTransaction]:
    """Ledger lines the actor may see, newest first, with every relation and the override
    history loaded (a constant number of queries per page)."""
    from .api.filters import CommissionTransactionFilterSet

    qs = (
        CommissionTransaction.objects.visible_to(actor)
        .select_related(
            "policy", "producer", "carrier", "workspace", "line_of_business", "category", "latest_override"
        )
        .prefetch_related(
            Prefetch("overrides", queryset=CommissionOverride.objects.order_by("-created_at", "-id"))
        )
        .order_by("-transaction_date", "-id")
    )
    return apply_filterset(CommissionTransactionFilterSet, filters, qs) if filters else qs


def transaction_get(*, actor: Actor, pk: int) -> CommissionTransaction:
    return transaction_list(actor=actor).get(pk=pk)


def transaction_report_base(*, actor: Actor, filters: dict | None = None) -> QuerySet[CommissionTransaction]:
    """The ledger lines behind a report (issue 6 point 5): the same tenancy, role visibility
    and FilterSet as :func:`transaction_list`, without its joins and prefetches (reports
    aggregate; they never load rows)."""
    from .api.filters import CommissionTransactionFilterSet

    qs = CommissionTransaction.objects.visible_to(actor)
    return apply_filterset(CommissionTransactionFilterSet, filters, qs) if filters else qs


def override_history(*, actor: Actor, transactions: QuerySet[CommissionTransaction]) -> QuerySet[CommissionOverride]:
    """The append-only overrides of the given (already scoped) lines, newest first, with the line loaded."""
    return (
        CommissionOverride.objects.for_organisation(actor.organisation)
        .filter(transaction__in=transactions.order_by().values("pk"))
        .select_related("transaction")
        .order_by("-created_at", "-id")
    )
