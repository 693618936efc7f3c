"""Overtime against hand-computed figures: daily thresholds (> 8 h × 1.5, > 12 h × 2), the weekly
threshold, the seventh consecutive day, DST weeks, office rules over the organisation's, workweeks
belonging to the period they end in; and properties: splitting never loses or invents a second,
totals equal the sum of lines."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payroll.models import OvertimeRule, PaySchedule, PayScheduleAssignment
from payroll.services.overtime import Thresholds, split_week
from tests.organisations.factories import OfficeFactory, OrganisationFactory
from tests.timetracking.factories import ContractFactory, RateChangeFactory

from .helpers import MONDAY, approve_week, hourly, project_of, weekly_schedule, work

pytestmark = pytest.mark.django_db

WEEK = [MONDAY + datetime.timedelta(days=n) for n in range(7)]


def run_for(api, schedule, period_start="2026-03-02"):
    response = api.post(
        "/v1/payroll/runs", {"pay_schedule_id": schedule.pk, "period_start": period_start}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def amounts(entry):
    return {line["pay_code"]: (line["hours"], line["amount"]) for line in entry["lines"]}


def test_daily_and_weekly_thresholds_by_hand(api, organisation, office):
    OvertimeRule.objects.create(
        organisation=organisation,
        weekly_threshold_hours=40,
        daily_threshold_hours=8,
        daily_double_threshold_hours=12,
    )
    project = project_of(organisation)
    alice = hourly(office, "20.00")
    approve_week(alice)
    for day, hours in zip(WEEK, (13, 8, 8, 8, 8, 4), strict=False):
        work(alice, project, day, hours, start_hour=6)
    [entry] = run_for(api, weekly_schedule(organisation, [alice]))["entries"]
    # Mon 8 + 4 OT + 1 DT; Tue-Fri 32 regular (40 in all); Saturday's 4 h are past 40: OT
    assert amounts(entry) == {
        "regular": ("40.00", "800.00"),
        "overtime": ("8.00", "240.00"),
        "double_time": ("1.00", "40.00"),
    }
    assert entry["gross"] == "1080.00"


@pytest.mark.parametrize(("seventh_day", "expected"), [(True, "450.00"), (False, "430.00")])
def test_the_seventh_consecutive_day(api, organisation, office, seventh_day, expected):
    OvertimeRule.objects.create(organisation=organisation, daily_threshold_hours=8, seventh_day=seventh_day)
    project = project_of(organisation)
    alice = hourly(office, "10.00")
    approve_week(alice)
    for day in WEEK:
        work(alice, project, day, 6)
    [entry] = run_for(api, weekly_schedule(organisation, [alice]))["entries"]
    # with the rule: Mon-Sat 36 h regular, Sunday's 6 h overtime (360 + 90); without: 40 + 2 OT (400 + 30)
    assert entry["gross"] == expected


@pytest.mark.parametrize(
    ("sunday", "real_hours", "gross"),
    [
        (datetime.date(2026, 3, 8), "7.00", "1010.00"),  # spring forward: 00:00-08:00 is 7 h
        (datetime.date(2026, 11, 1), "9.00", "1070.00"),  # fall back: 00:00-08:00 is 9 h
    ],
)
def test_dst_weeks_pay_the_hours_really_worked(api, organisation, sunday, real_hours, gross):
    office = OfficeFactory(organisation=organisation, timezone="America/New_York")
    project = project_of(organisation)
    alice = hourly(office, "20.00")
    monday = sunday - datetime.timedelta(days=6)
    approve_week(alice, monday)
    for n in range(5):
        work(alice, project, monday + datetime.timedelta(days=n), 8)
    work(alice, project, sunday, 8, start_hour=0)
    schedule = weekly_schedule(organisation, [alice], anchor=monday)
    [entry] = run_for(api, schedule, monday.isoformat())["entries"]
    # 40 h regular at 20, the Sunday's real hours all overtime at 30
    assert entry["hours_by_code"] == {"regular": "40.00", "overtime": real_hours}
    assert entry["gross"] == gross


def test_an_office_rule_wins_over_the_organisations(api, organisation, office):
    OvertimeRule.objects.create(organisation=organisation, weekly_threshold_hours=40)
    OvertimeRule.objects.create(
        organisation=organisation, office=office, weekly_threshold_hours=None, daily_threshold_hours=8
    )
    project = project_of(organisation)
    alice = hourly(office, "10.00")
    approve_week(alice)
    work(alice, project, MONDAY, 10)
    [entry] = run_for(api, weekly_schedule(organisation, [alice]))["entries"]
    assert amounts(entry) == {"regular": ("8.00", "80.00"), "overtime": ("2.00", "30.00")}


def test_a_workweek_belongs_to_the_pay_period_in_which_it_ends(api, organisation, office):
    project = project_of(organisation)
    alice = hourly(office, "10.00")
    for monday in (datetime.date(2026, 2, 23), MONDAY, datetime.date(2026, 3, 9), datetime.date(2026, 3, 16)):
        approve_week(alice, monday)
    work(alice, project, datetime.date(2026, 2, 25), 3)  # its week ends Sunday March 1: in March 1-15
    work(alice, project, datetime.date(2026, 3, 16), 5)  # March 16-22: the next period
    schedule = PaySchedule.objects.create(
        organisation=organisation, name="Semi", frequency="semi_monthly", anchor_date=datetime.date(2026, 1, 1)
    )
    PayScheduleAssignment.objects.create(organisation=organisation, pay_schedule=schedule, employee=alice)
    run = run_for(api, schedule, "2026-03-01")
    assert (run["period_start"], run["period_end"], run["pay_date"]) == ("2026-03-01", "2026-03-15", "2026-03-15")
    assert run["entries"][0]["hours_by_code"] == {"regular": "3.00"}


def test_the_pay_rate_in_force_each_day_never_the_bill_rate(api, organisation, office):
    project = project_of(organisation)
    project.hourly_rate = Decimal("99.00")  # a bill rate: never paid
    project.save()
    alice = hourly(office, "10.00")
    contract = ContractFactory(employee=alice, organisation=organisation, project=None, pay_rate=Decimal("12.00"))
    RateChangeFactory(
        organisation=organisation,
        kind="pay",
        contract=contract,
        project=None,
        effective_from=datetime.date(2026, 3, 4),
        hourly_rate=Decimal("15.00"),
    )
    approve_week(alice)
    work(alice, project, MONDAY, 2)  # 12.00
    work(alice, project, datetime.date(2026, 3, 5), 2)  # 15.00 from Wednesday
    [entry] = run_for(api, weekly_schedule(organisation, [alice]))["entries"]
    assert sorted((line["rate"], line["amount"]) for line in entry["lines"]) == [
        ("12.0000", "24.00"),
        ("15.0000", "30.00"),
    ]
    assert entry["gross"] == "54.00"


# =============================================================================
# Properties
# =============================================================================

thresholds = st.builds(
    Thresholds,
    weekly=st.one_of(st.none(), st.integers(0, 60 * 3600)),
    daily=st.one_of(st.none(), st.integers(0, 14 * 3600)),
    daily_double=st.one_of(st.none(), st.integers(0, 16 * 3600)),
    seventh_day=st.booleans(),
)
items = st.lists(st.tuples(st.sampled_from(WEEK), st.integers(0, 14 * 3600)), max_size=25)


@settings(max_examples=300, deadline=None)
@given(items=items, rule=thresholds)
def test_splitting_never_loses_or_invents_a_second(items, rule):
    keyed = [(n, day, seconds) for n, (day, seconds) in enumerate(items)]
    pieces = split_week(keyed, rule, WEEK)
    for key, _day, seconds in keyed:
        assert sum(p.seconds for p in pieces if p.key == key) == seconds
    assert all(p.seconds > 0 for p in pieces)
    if rule.weekly is not None:
        assert sum(p.seconds for p in pieces if p.kind == "regular") <= rule.weekly


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    minutes=st.lists(st.integers(1, 13 * 60), min_size=1, max_size=7),
    rate=st.decimals(min_value=Decimal("7.25"), max_value=Decimal("99.99"), places=2),
)
def test_totals_are_the_sum_of_lines(make_api_client, minutes, rate):
    organisation = OrganisationFactory()  # a fresh organisation per example
    api = make_api_client(organisation)
    office = OfficeFactory(organisation=organisation)
    project = project_of(organisation)
    alice = hourly(office, str(rate))
    approve_week(alice)
    for day, length in zip(WEEK, minutes, strict=False):
        work(alice, project, day, 0, minutes=length)
    OvertimeRule.objects.create(organisation=organisation, daily_threshold_hours=8, daily_double_threshold_hours=12)
    run = run_for(api, weekly_schedule(organisation, [alice]))
    [entry] = run["entries"]
    assert Decimal(entry["gross"]) == sum(Decimal(line["amount"]) for line in entry["lines"])
    assert Decimal(run["gross_total"]) == Decimal(entry["gross"])
    assert sum(line["seconds"] for line in entry["lines"]) == sum(minutes) * 60
    for line in entry["lines"]:
        exact = Decimal(line["seconds"]) / 3600 * Decimal(line["rate"]) * Decimal(line["multiplier"])
        assert abs(Decimal(line["amount"]) - exact) <= Decimal("0.005")
