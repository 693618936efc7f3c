"""Accrual arithmetic and working-day counts (issue 16): property tests on the pure functions the
services use (hr.services.accruals, hr.leave_days), and the count through the database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hr.leave_days import count_leave
from hr.leave_selectors import leave_count_for
from hr.services.accruals import annual_grant_amount, month_fractions, monthly_amount
from tests.hr.factories import EmployeeFactory, HolidayFactory, HolidayGroupFactory
from tests.organisations.factories import OfficeFactory

HOURS = st.decimals(min_value=Decimal("0"), max_value=Decimal("2000"), places=2, allow_nan=False, allow_infinity=False)
YEARS = st.integers(min_value=2000, max_value=2099)
WEEK = (Decimal("8"),) * 5 + (Decimal("0"),) * 2


@settings(max_examples=200, deadline=None)
@given(annual=HOURS, year=YEARS)
def test_twelve_monthly_accruals_are_the_annual_amount_to_the_cent(annual, year):
    fractions = month_fractions(year, None, None)
    months = [monthly_amount(annual, fractions, m) for m in range(1, 13)]
    assert sum(months) == annual
    assert all(month >= 0 for month in months)
    # no month differs from another by more than a cent of an hour (the rounding is spread)
    assert max(months) - min(months) <= Decimal("0.01")


@settings(max_examples=200, deadline=None)
@given(annual=HOURS, year=YEARS, day_of_year=st.integers(min_value=0, max_value=364))
def test_a_joiner_accrues_the_share_of_the_year_they_work(annual, year, day_of_year):
    hire = datetime.date(year, 1, 1) + datetime.timedelta(days=day_of_year)
    fractions = month_fractions(year, hire, None)
    total = sum(monthly_amount(annual, fractions, m) for m in range(1, 13))
    assert total <= annual
    # the months before the hire month accrue nothing
    assert all(monthly_amount(annual, fractions, m) == 0 for m in range(1, hire.month))
    # the year's total is the annual amount × the share of each month employed, rounded once
    expected = (annual * sum(fractions) / 12).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert total == expected


@settings(max_examples=100, deadline=None)
@given(annual=HOURS, year=YEARS, day_of_year=st.integers(min_value=0, max_value=364))
def test_a_leaver_accrues_nothing_after_leaving(annual, year, day_of_year):
    leaving = datetime.date(year, 1, 1) + datetime.timedelta(days=day_of_year)
    fractions = month_fractions(year, None, leaving)
    assert all(monthly_amount(annual, fractions, m) == 0 for m in range(leaving.month + 1, 13))


def test_without_proration_a_joiner_gets_their_whole_first_month():
    fractions = month_fractions(2026, datetime.date(2026, 3, 20), None, prorate=False)
    assert fractions[:3] == [0, 0, 1]
    assert sum(monthly_amount(Decimal("120"), fractions, m) for m in range(1, 13)) == Decimal("100")


@settings(max_examples=200, deadline=None)
@given(annual=HOURS, year=YEARS, day_of_year=st.integers(min_value=0, max_value=364), prorate=st.booleans())
def test_an_annual_grant_is_whole_or_the_share_left(annual, year, day_of_year, prorate):
    grant, following = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    hire = grant + datetime.timedelta(days=day_of_year)
    amount = annual_grant_amount(annual, grant, following, hire, prorate=prorate)
    assert 0 <= amount <= annual
    if not prorate or hire == grant:
        assert amount == annual
    assert annual_grant_amount(annual, grant, following, None, prorate=True) == annual


# =============================================================================
# Working days
# =============================================================================


def test_weekends_are_not_working_days():
    # Friday 2026-03-06 to Monday 2026-03-09: two working days
    count = count_leave(week=WEEK, holidays={}, start=datetime.date(2026, 3, 6), end=datetime.date(2026, 3, 9))
    assert [day.date.isoformat() for day in count.days] == ["2026-03-06", "2026-03-09"]
    assert (count.working_days, count.hours) == (2, Decimal("16.00"))


def test_holidays_and_half_day_holidays():
    holidays = {datetime.date(2026, 12, 24): True, datetime.date(2026, 12, 25): False}
    count = count_leave(
        week=WEEK, holidays=holidays, start=datetime.date(2026, 12, 21), end=datetime.date(2026, 12, 27)
    )
    assert count.working_days == Decimal("3.5")
    assert count.hours == Decimal("28.00")


def test_half_days_and_hours():
    half = count_leave(
        week=WEEK, holidays={}, start=datetime.date(2026, 3, 2), end=datetime.date(2026, 3, 3), unit="half_days"
    )
    assert (half.working_days, half.hours) == (1, Decimal("8.00"))
    hours = count_leave(
        week=WEEK,
        holidays={},
        start=datetime.date(2026, 3, 2),
        end=datetime.date(2026, 3, 2),
        unit="hours",
        hours_per_day=Decimal("3"),
    )
    assert hours.hours == Decimal("3.00")


@settings(max_examples=100, deadline=None)
@given(
    start=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2098, 1, 1)), length=st.integers(0, 365)
)
def test_a_week_of_monday_to_friday_is_five_days_whatever_the_range(start, length):
    end = start + datetime.timedelta(days=length)
    count = count_leave(week=WEEK, holidays={}, start=start, end=end)
    assert all(day.date.weekday() < 5 for day in count.days)
    full_weeks = (length + 1) // 7
    assert full_weeks * 5 <= count.working_days <= full_weeks * 5 + 5
    assert count.hours == count.working_days * 8


@pytest.mark.django_db
def test_a_dst_week_counts_its_scheduled_hours_in_the_office_zone(organisation):
    # 2026-03-08 is the US spring-forward Sunday, 2026-03-29 the EU one: every working day is 8 h
    office = OfficeFactory(organisation=organisation, timezone="America/New_York")
    employee = EmployeeFactory(office=office)
    for start in (datetime.date(2026, 3, 2), datetime.date(2026, 3, 23), datetime.date(2026, 10, 26)):
        count = leave_count_for(
            employee=employee, start=start, end=start + datetime.timedelta(days=13), unit="full_days"
        )
        assert (count.working_days, count.hours) == (10, Decimal("80.00"))


@pytest.mark.django_db
def test_holidays_of_the_office_and_of_the_organisation_apply_and_others_do_not(organisation):
    office, elsewhere = OfficeFactory(organisation=organisation), OfficeFactory(organisation=organisation)
    everyone = HolidayGroupFactory(organisation=organisation)
    HolidayFactory(group=everyone, date=datetime.date(2026, 1, 1), name="New Year")
    local = HolidayGroupFactory(organisation=organisation)
    local.offices.add(office)
    HolidayFactory(group=local, date=datetime.date(2026, 1, 2), name="Local", half_day=True)
    other = HolidayGroupFactory(organisation=organisation)
    other.offices.add(elsewhere)
    HolidayFactory(group=other, date=datetime.date(2026, 1, 5), name="Not ours")
    employee = EmployeeFactory(office=office)
    count = leave_count_for(
        employee=employee, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 1, 9), unit="full_days"
    )
    assert count.working_days == Decimal("5.5")  # Thu off, Fri half, Mon–Fri the next week


@pytest.mark.django_db
def test_a_year_long_range_counts_every_weekday_but_the_holidays(organisation):
    """A whole year in one request (its speed is measured in bench/leave.py, not here): 2026 has
    261 weekdays, and 8 of the twelve holidays on the 15th fall on one of them."""
    office = OfficeFactory(organisation=organisation)
    group = HolidayGroupFactory(organisation=organisation)
    for n in range(12):
        HolidayFactory(group=group, date=datetime.date(2026, n + 1, 15), name=f"H{n}")
    employee = EmployeeFactory(office=office)
    count = leave_count_for(
        employee=employee, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31), unit="full_days"
    )
    assert count.working_days == Decimal("253")
