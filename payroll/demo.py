"""Demo commissions for the demo organisation (``manage.py seed_demo``): carriers, categories,
a rule set, policies and about sixty ledger lines over the last six months, so the
commission dashboard, leaderboard, analytics and producer portal have something to show.

Idempotent: every row is looked up before it is created (ledger lines by their
``demo-txn-NNN`` external id), so running it again adds nothing. Writes go through
:mod:`payroll.services` as the system actor, like any other client of the ledger.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from hr import selectors as hr_selectors
from organisations.actors import system_actor
from organisations.choices import ProducerStatus
from organisations.models import Organisation, Producer

from . import reports, services
from .choices import CategoryKind, CommissionBasis, TransactionStatus, TransactionType
from .models import Carrier, Category, CommissionRuleSet, CommissionTransaction, PayrollRun, PaySchedule, Policy

__all__ = ["seed", "TRANSACTIONS"]

#: (code, name, statement date format)
CARRIERS = (
    ("NWM", "Northwind Mutual", "%m/%d/%Y"),
    ("HBL", "Harbor Life", "%Y-%m-%d"),
    ("SMC", "Summit Casualty", "%d/%m/%Y"),
)
LINES_OF_BUSINESS = ("Auto", "Home", "Renters", "Life")
REVENUE_STATUSES = ("Raw", "Existing", "Renewal")
RULE_SET = "Standard commissions"
#: (line of business or None, business type, basis, rate %, priority)
RULES = (
    (None, "renewal", CommissionBasis.PERCENT_OF_PREMIUM, Decimal("8"), 10),
    ("Life", "any", CommissionBasis.PERCENT_OF_PREMIUM, Decimal("40"), 20),
    ("Home", "any", CommissionBasis.PERCENT_OF_PREMIUM, Decimal("15"), 30),
    (None, "any", CommissionBasis.PERCENT_OF_PREMIUM, Decimal("12"), 100),
)
POLICIES = 12
TRANSACTIONS = 60
#: how many days back the lines reach
SPAN_DAYS = 180


def _category(actor, kind: str, name: str) -> Category:
    found = Category.objects.for_organisation(actor.organisation).filter(kind=kind, name=name).first()
    return found or services.category_create(actor=actor, kind=kind, name=name)


def _rule_set(actor, lines: dict[str, Category]) -> CommissionRuleSet:
    found = CommissionRuleSet.objects.for_organisation(actor.organisation).filter(name=RULE_SET, version=1).first()
    if found is not None:
        return found
    rules = [
        {
            "line_of_business": lines[lob] if lob else None,
            "business_type": business_type,
            "basis": basis,
            "rate": rate,
            "priority": priority,
        }
        for lob, business_type, basis, rate, priority in RULES
    ]
    return services.rule_set_create(
        actor=actor, name=RULE_SET, version=1, effective_from=datetime.date(2020, 1, 1), rules=rules
    )


def _carriers(actor, rule_set: CommissionRuleSet) -> list[Carrier]:
    carriers = []
    for code, name, date_format in CARRIERS:
        carrier = Carrier.objects.for_organisation(actor.organisation).filter(code=code).first()
        if carrier is None:
            carrier = services.carrier_create(
                actor=actor, name=name, code=code, statement_date_format=date_format, default_rule_set=rule_set
            )
        carriers.append(carrier)
    return carriers


def _policies(actor, rng, producers, carriers, lines, today) -> dict[int, list[Policy]]:
    """Policies by producer id: one per producer in turn, the last one shared 60/40."""
    by_producer: dict[int, list[Policy]] = {p.pk: [] for p in producers}
    line_names = list(lines)
    for n in range(1, POLICIES + 1):
        number = f"DEMO-POL-{n:03d}"
        carrier = carriers[n % len(carriers)]
        writer = producers[n % len(producers)]
        policy = Policy.objects.for_organisation(actor.organisation).filter(carrier=carrier, number=number).first()
        if policy is None:
            writers = [(writer, Decimal("100"))]
            if n == POLICIES and len(producers) > 1:
                writers = [(writer, Decimal("60")), (producers[(n + 1) % len(producers)], Decimal("40"))]
            effective = today - datetime.timedelta(days=rng.randint(30, 300))
            policy = services.policy_create(
                actor=actor,
                carrier=carrier,
                number=number,
                customer_name=f"Demo Customer {n:02d}",
                line_of_business=lines[line_names[n % len(line_names)]],
                premium=Decimal(rng.randrange(40_000, 400_000)) / 100,
                effective_date=effective,
                expiry_date=effective + datetime.timedelta(days=365),
                producers=writers,
            )
        else:
            rng.randint(30, 300), rng.randrange(40_000, 400_000)  # keep the sequence stable on re-runs
        by_producer[writer.pk].append(policy)
    return by_producer


def _date(n: int, rng, today: datetime.date) -> datetime.date:
    """A few lines today and this week, the rest spread over the last six months."""
    if n < 3:
        return today
    if n < 8:
        return today - datetime.timedelta(days=min(n - 2, today.weekday()))
    return today - datetime.timedelta(days=rng.randint(1, SPAN_DAYS))


def seed(organisation: Organisation) -> None:
    """Demo commissions for ``organisation`` (its active producers with a workspace)."""
    actor = system_actor(organisation)
    producers = list(
        Producer.objects.for_organisation(organisation)
        .filter(status=ProducerStatus.ACTIVE, workspace__isnull=False)
        .select_related("workspace")
        .order_by("producer_code", "pk")
    )
    lines = {name: _category(actor, CategoryKind.LINE_OF_BUSINESS, name) for name in LINES_OF_BUSINESS}
    statuses = {name: _category(actor, CategoryKind.REVENUE_STATUS, name) for name in REVENUE_STATUSES}
    rule_set = _rule_set(actor, lines)
    carriers = _carriers(actor, rule_set)
    if not producers:
        _payroll(actor, reports.organisation_today(organisation))
        return
    rng = random.Random(2468)  # the same demo book on every machine
    today = reports.organisation_today(organisation)
    policies = _policies(actor, rng, producers, carriers, lines, today)
    existing = set(
        CommissionTransaction.objects.for_organisation(organisation)
        .filter(external_id__startswith="demo-txn-")
        .values_list("external_id", flat=True)
    )
    line_names = list(lines)
    for n in range(TRANSACTIONS):
        producer = producers[n % len(producers)]
        own = policies[producer.pk]
        policy = own[rng.randrange(len(own))] if own and rng.random() < 0.7 else None
        carrier = policy.carrier if policy is not None else carriers[rng.randrange(len(carriers))]
        date = _date(n, rng, today)
        renewal = rng.random() < 0.25
        premium = Decimal(rng.randrange(30_000, 600_000)) / 100
        explicit_gross = rng.random() < 0.3
        gross = (premium * Decimal("0.11")).quantize(Decimal("0.01")) if explicit_gross else None
        lob = lines[line_names[rng.randrange(len(line_names))]] if policy is None else None
        external_id = f"demo-txn-{n + 1:03d}"
        if external_id in existing:
            continue
        txn = services.transaction_create(
            actor=actor,
            producer=producer,
            carrier=carrier,
            policy=policy,
            transaction_date=date,
            line_of_business=lob,
            category=statuses["Renewal" if renewal else ("Raw" if n % 2 else "Existing")],
            premium=premium,
            gross_commission=gross,
            type=TransactionType.RENEWAL if renewal else TransactionType.NEW,
            source="manual" if n % 5 == 0 else "api",
            external_id=external_id,
            notes="Demo data",
        )
        age = (today - date).days
        if n % 7 == 3 and age < 60:
            services.override_create(
                actor=actor, transaction=txn, kind="split", value=Decimal("50"), reason="Shared with a colleague"
            )
        for status, after_days in (
            (TransactionStatus.RECONCILED, 30),
            (TransactionStatus.APPROVED, 60),
            (TransactionStatus.PAID, 90),
        ):
            if age >= after_days:
                txn = services.transaction_transition(actor=actor, transaction=txn, status=status)
    _payroll(actor, today)


def _payroll(actor, today: datetime.date) -> None:
    """A weekly pay schedule with every active employee and a draft run of last week (issue 18):
    salaries and approved commissions (time is seeded after payroll; "Recalculate" picks it up)."""
    organisation = actor.organisation
    schedule = PaySchedule.objects.for_organisation(organisation).filter(name="Weekly staff").first()
    if schedule is None:
        employees = hr_selectors.employee_active_list(organisation=organisation)
        schedule = services.pay_schedule_create(
            actor=actor,
            name="Weekly staff",
            frequency="weekly",
            anchor_date=today - datetime.timedelta(days=today.weekday()),
            pay_date_offset_days=5,
            employee_ids=[e.pk for e in employees],
        )
    last_week = schedule.period_containing(today - datetime.timedelta(days=7)).start
    if not PayrollRun.objects.filter(pay_schedule=schedule, period_start=last_week).exists():
        services.payroll_run_create(actor=actor, pay_schedule=schedule, period_start=last_week)
