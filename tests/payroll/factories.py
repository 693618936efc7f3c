"""Factories for the commission ledger; tenant-owned rows take their organisation from
their parents, so one object graph never spans two tenants (STYLE §7.2)."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from payroll.choices import CategoryKind, CommissionBasis
from payroll.models import (
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
from tests.organisations.factories import OrganisationFactory, ProducerFactory


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    organisation = factory.SubFactory(OrganisationFactory)
    kind = CategoryKind.LINE_OF_BUSINESS
    name = factory.Sequence(lambda n: f"Line {n}")


class CarrierFactory(DjangoModelFactory):
    class Meta:
        model = Carrier

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Carrier {n:03d}")
    code = factory.Sequence(lambda n: f"C{n:04d}")


class CommissionRuleSetFactory(DjangoModelFactory):
    class Meta:
        model = CommissionRuleSet

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Rules {n:03d}")
    version = 1
    effective_from = datetime.date(2020, 1, 1)


class CommissionRuleFactory(DjangoModelFactory):
    class Meta:
        model = CommissionRule

    rule_set = factory.SubFactory(CommissionRuleSetFactory)
    organisation = factory.SelfAttribute("rule_set.organisation")
    basis = CommissionBasis.PERCENT_OF_PREMIUM
    rate = Decimal("10")
    priority = 100


class PolicyFactory(DjangoModelFactory):
    class Meta:
        model = Policy

    carrier = factory.SubFactory(CarrierFactory)
    organisation = factory.SelfAttribute("carrier.organisation")
    number = factory.Sequence(lambda n: f"POL-{n:05d}")
    customer_name = factory.Faker("name")
    premium = Decimal("1200.00")
    effective_date = datetime.date(2026, 1, 1)
    expiry_date = datetime.date(2026, 12, 31)


class PolicyProducerFactory(DjangoModelFactory):
    class Meta:
        model = PolicyProducer

    policy = factory.SubFactory(PolicyFactory)
    organisation = factory.SelfAttribute("policy.organisation")
    producer = factory.LazyAttribute(lambda o: ProducerFactory(workspace__office__organisation=o.organisation))
    split_percent = Decimal("100")


class CommissionTransactionFactory(DjangoModelFactory):
    """A pending line whose producer amount is gross x split (as the services derive it)."""

    class Meta:
        model = CommissionTransaction

    producer = factory.SubFactory(ProducerFactory)
    organisation = factory.SelfAttribute("producer.organisation")
    carrier = factory.SubFactory(CarrierFactory, organisation=factory.SelfAttribute("..organisation"))
    workspace = factory.SelfAttribute("producer.workspace")
    statement_period = datetime.date(2026, 1, 1)
    transaction_date = datetime.date(2026, 1, 15)
    premium = Decimal("1000.00")
    gross_commission = Decimal("100.00")
    split_percent = Decimal("100")
    producer_amount = factory.LazyAttribute(lambda t: money(t.gross_commission * t.split_percent / 100))


class CommissionOverrideFactory(DjangoModelFactory):
    class Meta:
        model = CommissionOverride

    transaction = factory.SubFactory(CommissionTransactionFactory)
    organisation = factory.SelfAttribute("transaction.organisation")
    kind = "flat"
    value = Decimal("50")
    reason = "Agreed bonus"
    previous_amount = Decimal("100.00")
    resulting_amount = Decimal("50.00")
