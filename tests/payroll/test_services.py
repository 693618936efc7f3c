"""Business rules of the commission ledger, on the services (STYLE §7.4): rule evaluation,
splits, derived amounts, overrides that cannot compound, and the status state machine."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from integrations.models import OutboxEvent
from organisations.actors import Actor, system_actor
from organisations.choices import Role
from payroll import services
from payroll.choices import CategoryKind, TransactionStatus
from payroll.models import CommissionOverride, CommissionTransaction, PolicyProducer
from tests.organisations.factories import MembershipFactory, OfficeFactory, ProducerFactory, WorkspaceFactory
from trackyoursheets.exceptions import Conflict, NotPermitted

from .factories import (
    CarrierFactory,
    CategoryFactory,
    CommissionRuleFactory,
    CommissionRuleSetFactory,
    CommissionTransactionFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
JAN_15 = datetime.date(2026, 1, 15)


@pytest.fixture
def actor(organisation):
    return system_actor(organisation)


@pytest.fixture
def producer(organisation):
    return ProducerFactory(workspace__office__organisation=organisation, default_split_percent=D("60.00"))


@pytest.fixture
def carrier(organisation):
    return CarrierFactory(organisation=organisation, name="Acme Mutual", code="ACM")


def person(organisation, role, office=None) -> Actor:
    membership = MembershipFactory(organisation=organisation, role=role, office=office)
    return Actor(organisation=organisation, user=membership.user, membership=membership, kind="session")


# =============================================================================
# Rule evaluation
# =============================================================================


@pytest.fixture
def rules(organisation, carrier):
    """One rule set with rules of every kind of match; each rule's rate names it."""
    auto = CategoryFactory(organisation=organisation, name="Auto")
    home = CategoryFactory(organisation=organisation, name="Home")
    other_carrier = CarrierFactory(organisation=organisation, code="OTH")
    rule_set = CommissionRuleSetFactory(organisation=organisation, name="Standard")

    def rule(rate, **kwargs):
        return CommissionRuleFactory(rule_set=rule_set, rate=D(rate), **kwargs)

    rule("1", priority=500)  # catch-all
    rule("2", priority=100, line_of_business=auto)
    rule("3", priority=100, line_of_business=auto, business_type="renewal")
    rule("4", priority=100, carrier=carrier, line_of_business=home)
    rule("5", priority=50, carrier=other_carrier)
    rule("6", priority=100, line_of_business=auto, carrier=carrier)
    return {"auto": auto, "home": home, "other_carrier": other_carrier, "rule_set": rule_set}


@pytest.mark.parametrize(
    ("line", "transaction_type", "which_carrier", "expected_rate"),
    [
        ("auto", "new", "carrier", "6"),  # same priority: the carrier-specific rule wins
        ("auto", "renewal", "carrier", "6"),  # carrier specificity outranks business type
        ("auto", "renewal", "other_carrier", "5"),  # lower priority number first
        ("auto", "new", "third", "2"),
        ("auto", "renewal", "third", "3"),  # renewal-specific beats any
        ("home", "new", "carrier", "4"),
        ("home", "new", "third", "1"),  # only the catch-all
        (None, "chargeback", "third", "1"),
    ],
)
def test_the_first_matching_rule_by_priority_and_specificity(
    rules, organisation, carrier, line, transaction_type, which_carrier, expected_rate
):
    chosen = {"carrier": carrier, "other_carrier": rules["other_carrier"]}.get(which_carrier) or CarrierFactory(
        organisation=organisation
    )

    evaluation = services.commission_rule_evaluate(
        organisation=organisation,
        carrier=chosen,
        line_of_business=rules.get(line) if line else None,
        transaction_type=transaction_type,
        on_date=JAN_15,
        premium=D("1000.00"),
    )

    assert evaluation.rule.rate == D(expected_rate)
    sign = -1 if transaction_type == "chargeback" else 1
    assert evaluation.amount == sign * D(expected_rate) * 10


def test_rule_sets_out_of_force_or_inactive_are_ignored(organisation, carrier):
    CommissionRuleFactory(rule_set__organisation=organisation, rule_set__active=False, rate=D("7"))
    CommissionRuleFactory(
        rule_set__organisation=organisation,
        rule_set__effective_from=datetime.date(2025, 1, 1),
        rule_set__effective_to=datetime.date(2025, 12, 31),
        rate=D("8"),
    )
    CommissionRuleFactory(rule_set__organisation=organisation, rule_set__effective_from=datetime.date(2026, 2, 1))

    evaluate = {
        "organisation": organisation,
        "carrier": carrier,
        "line_of_business": None,
        "transaction_type": "new",
        "premium": D("100"),
    }
    assert services.commission_rule_evaluate(on_date=JAN_15, **evaluate) is None
    assert services.commission_rule_evaluate(on_date=datetime.date(2025, 6, 1), **evaluate).amount == D("8.00")


def test_the_carriers_default_rule_set_comes_first_then_the_newest(organisation, carrier):
    older = CommissionRuleFactory(rule_set__organisation=organisation, rate=D("10")).rule_set
    CommissionRuleFactory(
        rule_set__organisation=organisation, rule_set__effective_from=datetime.date(2025, 1, 1), rate=D("12")
    )
    evaluate = {
        "organisation": organisation,
        "carrier": carrier,
        "line_of_business": None,
        "transaction_type": "new",
        "on_date": JAN_15,
        "premium": D("100"),
    }

    assert services.commission_rule_evaluate(**evaluate).amount == D("12.00")
    carrier.default_rule_set = older
    carrier.save()
    assert services.commission_rule_evaluate(**evaluate).amount == D("10.00")


def test_flat_and_percent_of_gross_rules(organisation, carrier):
    rule_set = CommissionRuleSetFactory(organisation=organisation)
    CommissionRuleFactory(rule_set=rule_set, priority=1, basis="percent_of_gross", rate=D("50"))
    CommissionRuleFactory(rule_set=rule_set, priority=2, basis="flat", rate=None, amount=D("25.00"))
    evaluate = {
        "organisation": organisation,
        "carrier": carrier,
        "line_of_business": None,
        "transaction_type": "new",
        "on_date": JAN_15,
        "premium": D("100"),
    }

    # without a gross, the percent-of-gross rule cannot apply: the flat rule does
    assert services.commission_rule_evaluate(**evaluate).amount == D("25.00")
    assert services.commission_rule_evaluate(gross_commission=D("80"), **evaluate).amount == D("40.00")


def test_a_rule_needs_the_value_of_its_basis(organisation):
    with pytest.raises(ValidationError) as flat:
        services.rule_set_create(
            actor=system_actor(organisation),
            name="Bad",
            effective_from=JAN_15,
            rules=[{"basis": "flat"}, {"basis": "percent_of_premium", "amount": D("5")}],
        )

    assert flat.value.message_dict == {
        "rules[0].amount": ["A flat rule needs an amount."],
        "rules[1].rate": ["A percentage rule needs a rate."],
        "rules[1].amount": ["A percentage rule has no flat amount."],
    }


# =============================================================================
# Policies: splits total 100
# =============================================================================


def test_policy_splits_must_total_100(actor, organisation, carrier, producer):
    second = ProducerFactory(workspace=producer.workspace)

    with pytest.raises(ValidationError) as exc:
        services.policy_create(
            actor=actor,
            carrier=carrier,
            number="P-1",
            effective_date=JAN_15,
            producers=[(producer, D("60")), (second, D("30"))],
        )
    policy = services.policy_create(
        actor=actor,
        carrier=carrier,
        number="P-1",
        effective_date=JAN_15,
        producers=[(producer, D("66.6667")), (second, D("33.3333"))],
    )

    assert exc.value.message_dict == {"producers": ["The splits must total 100; they total 90."]}
    assert sorted(PolicyProducer.objects.filter(policy=policy).values_list("split_percent", flat=True)) == [
        D("33.3333"),
        D("66.6667"),
    ]


def test_policy_expiry_cannot_precede_effective(actor, carrier):
    with pytest.raises(ValidationError) as exc:
        services.policy_create(
            actor=actor, carrier=carrier, number="P-2", effective_date=JAN_15, expiry_date=datetime.date(2026, 1, 1)
        )

    assert exc.value.message_dict["expiry_date"] == ["The expiry date cannot be before the effective date."]


def test_policy_number_is_unique_per_carrier(actor, organisation, carrier):
    services.policy_create(actor=actor, carrier=carrier, number="P-3", effective_date=JAN_15)
    other = CarrierFactory(organisation=organisation)

    services.policy_create(actor=actor, carrier=other, number="P-3", effective_date=JAN_15)
    with pytest.raises(ValidationError) as exc:
        services.policy_create(actor=actor, carrier=carrier, number="P-3", effective_date=JAN_15)

    assert exc.value.messages == ["This carrier already has a policy with this number."]


def test_category_names_are_unique_per_kind(actor):
    services.category_create(actor=actor, kind=CategoryKind.LINE_OF_BUSINESS, name="Renewal")
    services.category_create(actor=actor, kind=CategoryKind.REVENUE_STATUS, name="Renewal")

    with pytest.raises(ValidationError):
        services.category_create(actor=actor, kind=CategoryKind.REVENUE_STATUS, name="Renewal")


def test_reference_data_is_for_owners_and_admins(organisation):
    with pytest.raises(NotPermitted):
        services.carrier_create(actor=person(organisation, Role.MANAGER), name="X", code="X")

    assert services.carrier_create(actor=person(organisation, Role.ADMIN), name="X", code="X").code == "X"


# =============================================================================
# The producer's amount
# =============================================================================


def test_amount_is_gross_times_split_and_defaults_come_from_the_producer(actor, carrier, producer):
    txn = services.transaction_create(
        actor=actor,
        producer=producer,
        carrier=carrier,
        transaction_date=JAN_15,
        premium=D("1000.00"),
        gross_commission=D("123.45"),
    )

    assert (txn.split_percent, txn.producer_amount) == (D("60.00"), D("74.07"))
    assert (txn.statement_period, txn.workspace, txn.status) == (
        datetime.date(2026, 1, 1),
        producer.workspace,
        "pending",
    )


def test_split_defaults_to_the_producers_split_on_the_policy(actor, carrier, producer):
    policy = services.policy_create(
        actor=actor,
        carrier=carrier,
        number="P-9",
        effective_date=JAN_15,
        producers=[(producer, D("25")), (ProducerFactory(workspace=producer.workspace), D("75"))],
    )

    txn = services.transaction_create(
        actor=actor,
        producer=producer,
        carrier=carrier,
        policy=policy,
        transaction_date=JAN_15,
        gross_commission=D("200.00"),
    )

    assert (txn.split_percent, txn.producer_amount) == (D("25.0000"), D("50.00"))


def test_missing_gross_comes_from_the_rules_else_422(actor, organisation, carrier, producer):
    kwargs = {
        "actor": actor,
        "producer": producer,
        "carrier": carrier,
        "transaction_date": JAN_15,
        "premium": D("1500.00"),
    }
    with pytest.raises(ValidationError) as exc:
        services.transaction_create(**kwargs)
    rule = CommissionRuleFactory(rule_set__organisation=organisation, rate=D("12.5"))

    txn = services.transaction_create(**kwargs)

    assert exc.value.message_dict == {
        "gross_commission": ["No commission rule matches this line; give the gross commission."]
    }
    assert (txn.gross_commission, txn.commission_rule, txn.producer_amount) == (D("187.50"), rule, D("112.50"))


def test_a_rule_computed_gross_follows_a_premium_change(actor, organisation, carrier, producer):
    CommissionRuleFactory(rule_set__organisation=organisation, rate=D("10"))
    txn = services.transaction_create(
        actor=actor, producer=producer, carrier=carrier, transaction_date=JAN_15, premium=D("1000.00")
    )

    txn = services.transaction_update(actor=actor, transaction=txn, data={"premium": D("2000.00")})

    assert (txn.gross_commission, txn.producer_amount) == (D("200.00"), D("120.00"))


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("flat", D("42.10"), D("42.10")),
        ("percent_of_premium", D("5"), D("50.00")),  # 5% of the 1000.00 premium
        ("split", D("80"), D("80.00")),  # 80% of the 100.00 gross
    ],
)
def test_overrides_derive_the_amount_from_the_untouched_base(actor, kind, value, expected):
    txn = CommissionTransactionFactory(
        producer__workspace__office__organisation=actor.organisation, split_percent=D("60")
    )

    override = services.override_create(actor=actor, transaction=txn, kind=kind, value=value, reason="Agreed")
    txn.refresh_from_db()

    assert (override.previous_amount, override.resulting_amount) == (D("60.00"), expected)
    assert (txn.producer_amount, txn.gross_commission, txn.split_percent) == (expected, D("100.00"), D("60.0000"))


def test_repeating_an_override_does_not_compound_and_history_is_kept(actor):
    txn = CommissionTransactionFactory(producer__workspace__office__organisation=actor.organisation)

    for _ in range(3):
        services.override_create(actor=actor, transaction=txn, kind="split", value=D("50"), reason="Half")
    services.override_create(actor=actor, transaction=txn, kind="flat", value=D("10.00"), reason="Flat")
    last = services.override_create(actor=actor, transaction=txn, kind="split", value=D("50"), reason="Back")
    txn.refresh_from_db()

    assert txn.producer_amount == D("50.00")  # not 100 x 0.5 x 0.5 x 0.5
    assert txn.gross_commission == D("100.00")
    assert txn.latest_override == last
    history = list(CommissionOverride.objects.filter(transaction=txn).order_by("id"))
    assert [(o.kind, o.previous_amount, o.resulting_amount) for o in history] == [
        ("split", D("100.00"), D("50.00")),
        ("split", D("50.00"), D("50.00")),
        ("split", D("50.00"), D("50.00")),
        ("flat", D("50.00"), D("10.00")),
        ("split", D("10.00"), D("50.00")),
    ]


def test_an_override_survives_an_edit_of_the_gross(actor):
    txn = CommissionTransactionFactory(producer__workspace__office__organisation=actor.organisation)
    services.override_create(actor=actor, transaction=txn, kind="split", value=D("40"), reason="Pod share")

    txn = services.transaction_update(actor=actor, transaction=txn, data={"gross_commission": D("300.00")})

    assert txn.producer_amount == D("120.00")


def test_override_values_are_validated(actor):
    txn = CommissionTransactionFactory(producer__workspace__office__organisation=actor.organisation)

    with pytest.raises(ValidationError) as exc:
        services.override_create(actor=actor, transaction=txn, kind="split", value=D("120"), reason=" ")

    assert exc.value.message_dict == {
        "value": ["A percentage is between 0 and 100."],
        "reason": ["Say why the amount is overridden."],
    }
    assert CommissionOverride.objects.count() == 0


def test_bulk_override_is_all_or_nothing(actor):
    org = actor.organisation
    first = CommissionTransactionFactory(producer__workspace__office__organisation=org)
    approved = CommissionTransactionFactory(producer=first.producer, status=TransactionStatus.APPROVED)

    with pytest.raises(Conflict) as exc:
        services.override_bulk_create(
            actor=actor, transactions=[first, approved], kind="flat", value=D("1"), reason="Bulk"
        )
    overrides = services.override_bulk_create(
        actor=actor,
        transactions=[first, CommissionTransactionFactory(producer=first.producer)],
        kind="percent_of_premium",
        value=D("2"),
        reason="Bulk",
    )

    assert exc.value.extra == {"transaction_ids": [approved.pk]}
    assert [o.resulting_amount for o in overrides] == [D("20.00"), D("20.00")]
    assert CommissionOverride.objects.count() == 2


def test_every_write_records_its_event(actor, carrier, producer):
    txn = services.transaction_create(
        actor=actor, producer=producer, carrier=carrier, transaction_date=JAN_15, gross_commission=D("10.00")
    )
    services.override_create(actor=actor, transaction=txn, kind="flat", value=D("5"), reason="x")
    services.transaction_transition(actor=actor, transaction=txn, status="reconciled")

    assert list(OutboxEvent.objects.order_by("id").values_list("topic", flat=True)) == [
        "payroll.transaction.created",
        "payroll.override.created",
        "payroll.transaction.updated",
        "payroll.transaction.updated",
    ]
    created = OutboxEvent.objects.filter(topic="payroll.transaction.created").get()
    assert created.payload["producer_amount"] == "6.00"
    assert created.payload["currency"] == "USD"
    assert created.payload["statement_period"] == "2026-01"


def test_chargebacks_cannot_be_positive_and_sales_cannot_be_negative(actor, carrier, producer):
    kwargs = {"actor": actor, "producer": producer, "carrier": carrier, "transaction_date": JAN_15}

    with pytest.raises(ValidationError):
        services.transaction_create(type="chargeback", gross_commission=D("10.00"), **kwargs)
    with pytest.raises(ValidationError):
        services.transaction_create(type="new", gross_commission=D("-10.00"), **kwargs)
    txn = services.transaction_create(type="chargeback", gross_commission=D("-10.00"), **kwargs)

    assert txn.producer_amount == D("-6.00")


# =============================================================================
# The state machine
# =============================================================================

LEGAL = [
    ("pending", "reconciled"),
    ("pending", "disputed"),
    ("reconciled", "approved"),
    ("reconciled", "disputed"),
    ("reconciled", "pending"),
    ("approved", "paid"),
    ("approved", "disputed"),
    ("disputed", "pending"),
    ("disputed", "reconciled"),
]
ALL = ["pending", "reconciled", "approved", "paid", "disputed"]
ILLEGAL = [(a, b) for a in ALL for b in ALL if (a, b) not in LEGAL]


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_legal_transitions(actor, current, target):
    txn = CommissionTransactionFactory(producer__workspace__office__organisation=actor.organisation, status=current)

    assert services.transaction_transition(actor=actor, transaction=txn, status=target).status == target
    assert CommissionTransaction.objects.get(pk=txn.pk).status == target


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_illegal_transitions_are_conflicts(actor, current, target):
    txn = CommissionTransactionFactory(producer__workspace__office__organisation=actor.organisation, status=current)

    with pytest.raises(Conflict):
        services.transaction_transition(actor=actor, transaction=txn, status=target)

    assert CommissionTransaction.objects.get(pk=txn.pk).status == current


@pytest.mark.parametrize("status", ["reconciled", "approved", "paid"])
def test_only_pending_or_disputed_lines_can_be_edited(actor, status):
    txn = CommissionTransactionFactory(producer__workspace__office__organisation=actor.organisation, status=status)

    with pytest.raises(Conflict):
        services.transaction_update(actor=actor, transaction=txn, data={"notes": "late edit"})


@pytest.mark.parametrize(("status", "allowed"), [("reconciled", True), ("approved", False), ("paid", False)])
def test_overrides_stop_at_approval(actor, status, allowed):
    txn = CommissionTransactionFactory(producer__workspace__office__organisation=actor.organisation, status=status)
    kwargs = {"actor": actor, "transaction": txn, "kind": "flat", "value": D("1"), "reason": "x"}

    if allowed:
        assert services.override_create(**kwargs).resulting_amount == D("1.00")
    else:
        with pytest.raises(Conflict):
            services.override_create(**kwargs)


def test_managers_write_only_in_their_office(organisation):
    office = OfficeFactory(organisation=organisation)
    manager = person(organisation, Role.MANAGER, office=office)
    ours = CommissionTransactionFactory(producer__workspace=WorkspaceFactory(office=office))
    theirs = CommissionTransactionFactory(producer__workspace__office__organisation=organisation)

    services.transaction_transition(actor=manager, transaction=ours, status="reconciled")
    with pytest.raises(NotPermitted):
        services.transaction_transition(actor=manager, transaction=theirs, status="reconciled")
    with pytest.raises(NotPermitted):
        services.override_create(actor=manager, transaction=theirs, kind="flat", value=D("1"), reason="x")


def test_managers_write_policies_of_their_offices_producers_only(organisation, carrier):
    office = OfficeFactory(organisation=organisation)
    manager = person(organisation, Role.MANAGER, office=office)
    ours = ProducerFactory(workspace=WorkspaceFactory(office=office))
    theirs = ProducerFactory(workspace__office__organisation=organisation)
    kwargs = {"actor": manager, "carrier": carrier, "effective_date": JAN_15}

    policy = services.policy_create(number="M-1", producers=[(ours, D("100"))], **kwargs)
    with pytest.raises(NotPermitted):
        services.policy_create(number="M-2", producers=[(ours, D("50")), (theirs, D("50"))], **kwargs)
    with pytest.raises(NotPermitted):
        services.policy_create(number="M-3", **kwargs)

    assert policy.producer_links.get().producer == ours


@pytest.mark.parametrize("role", [Role.PRODUCER, Role.HR, Role.EMPLOYEE])
def test_producers_hr_and_employees_cannot_write_the_ledger(organisation, role):
    txn = CommissionTransactionFactory(producer__workspace__office__organisation=organisation)
    actor = person(organisation, role)

    with pytest.raises(NotPermitted):
        services.override_create(actor=actor, transaction=txn, kind="flat", value=D("1"), reason="x")
    with pytest.raises(NotPermitted):
        services.transaction_transition(actor=actor, transaction=txn, status="reconciled")


def test_a_line_moves_with_its_new_producer(actor):
    txn = CommissionTransactionFactory(producer__workspace__office__organisation=actor.organisation)
    other = ProducerFactory(workspace__office__organisation=actor.organisation)

    txn = services.transaction_update(actor=actor, transaction=txn, data={"producer": other})

    assert (txn.producer, txn.workspace) == (other, other.workspace)
