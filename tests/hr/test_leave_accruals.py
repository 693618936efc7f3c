"""Accruals through the beat task, the year end, negative balances, and the timesheet approval
that posts per-hour accruals (issue 16 points 1 and 3)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from hr.models import LeaveLedgerEntry
from hr.tasks import leave_accruals_task
from tests.hr.conftest import person_client
from tests.hr.factories import EmployeeFactory, LeavePolicyFactory, LeaveTypeFactory
from tests.organisations.factories import OfficeFactory

pytestmark = pytest.mark.django_db


def _balance(employee, leave_type):
    return sum(
        LeaveLedgerEntry.objects.filter(account__employee=employee, account__leave_type=leave_type).values_list(
            "hours", flat=True
        ),
        Decimal("0"),
    )


def test_the_task_posts_each_month_once_and_a_second_run_posts_nothing(organisation):
    office = OfficeFactory(organisation=organisation)
    policy = LeavePolicyFactory(leave_type__organisation=organisation, annual_hours=Decimal("100"))
    veteran = EmployeeFactory(office=office, hire_date=datetime.date(2020, 1, 1))
    joiner = EmployeeFactory(office=office, hire_date=datetime.date(2026, 7, 1))
    first = leave_accruals_task.apply(kwargs={"on": "2026-12-31"}).get()
    assert first > 0
    assert _balance(veteran, policy.leave_type) == Decimal("100.00")
    assert _balance(joiner, policy.leave_type) == Decimal("50.00")
    assert leave_accruals_task.apply(kwargs={"on": "2026-12-31"}).get() == 0
    assert LeaveLedgerEntry.objects.filter(account__employee=veteran).count() == 12


def test_an_annual_grant_is_posted_on_its_date_and_prorated_for_a_joiner(organisation):
    office = OfficeFactory(organisation=organisation)
    policy = LeavePolicyFactory(
        leave_type__organisation=organisation, accrual_method="annual_grant", annual_hours=Decimal("80")
    )
    veteran = EmployeeFactory(office=office, hire_date=datetime.date(2020, 1, 1))
    joiner = EmployeeFactory(office=office, hire_date=datetime.date(2026, 7, 2))
    leave_accruals_task.apply(kwargs={"on": "2026-06-30"})
    assert _balance(veteran, policy.leave_type) == Decimal("80.00")
    assert _balance(joiner, policy.leave_type) == 0
    leave_accruals_task.apply(kwargs={"on": "2026-07-02"})
    leave_accruals_task.apply(kwargs={"on": "2026-07-03"})
    assert _balance(joiner, policy.leave_type) == Decimal("40.11")  # 80 × 183 / 365, rounded once
    assert _balance(veteran, policy.leave_type) == Decimal("80.00")


def test_maximum_balance_caps_accruals(organisation):
    office = OfficeFactory(organisation=organisation)
    policy = LeavePolicyFactory(
        leave_type__organisation=organisation, annual_hours=Decimal("120"), max_balance_hours=Decimal("25")
    )
    employee = EmployeeFactory(office=office, hire_date=datetime.date(2020, 1, 1))
    leave_accruals_task.apply(kwargs={"on": "2026-12-31"})
    assert _balance(employee, policy.leave_type) == Decimal("25.00")


def test_year_end_keeps_the_cap_and_unused_carried_hours_expire(organisation, api):
    office = OfficeFactory(organisation=organisation)
    policy = LeavePolicyFactory(
        leave_type__organisation=organisation,
        annual_hours=Decimal("120"),
        carry_over_cap_hours=Decimal("40"),
        carry_over_expiry_months=3,
    )
    employee = EmployeeFactory(office=office, hire_date=datetime.date(2020, 1, 1))
    leave_accruals_task.apply(kwargs={"on": "2025-12-31"})  # a year of 2025: 120 h
    leave_accruals_task.apply(kwargs={"on": "2026-01-01"})
    rows = LeaveLedgerEntry.objects.filter(account__employee=employee, kind="carry_over")
    assert [row.hours for row in rows] == [Decimal("-80.00")]
    assert rows[0].effective_date == datetime.date(2026, 1, 1)
    # 10 h of the carried 40 used in February; the other 30 lapse after 31 March
    api.post(
        "/v1/hr/leave-adjustments",
        {"employee_id": employee.pk, "leave_type_id": policy.leave_type_id, "hours": "0.01", "reason": "Rounding"},
        format="json",
    )
    LeaveLedgerEntry.objects.create(
        organisation=organisation,
        account=rows[0].account,
        kind="usage",
        hours=Decimal("-10"),
        effective_date=datetime.date(2026, 2, 10),
        reason="Leave",
    )
    leave_accruals_task.apply(kwargs={"on": "2026-03-31"})
    assert not LeaveLedgerEntry.objects.filter(account__employee=employee, kind="expiry").exists()
    leave_accruals_task.apply(kwargs={"on": "2026-04-01"})
    leave_accruals_task.apply(kwargs={"on": "2026-04-02"})
    expiry = LeaveLedgerEntry.objects.get(account__employee=employee, kind="expiry")
    assert (expiry.hours, expiry.effective_date) == (Decimal("-30.00"), datetime.date(2026, 3, 31))


def test_most_specific_policy_wins(organisation, cast):
    leave_type = LeaveTypeFactory(organisation=organisation)
    everyone = LeavePolicyFactory(leave_type=leave_type, annual_hours=Decimal("12"))
    office_policy = LeavePolicyFactory(leave_type=leave_type, annual_hours=Decimal("24"))
    office_policy.offices.add(cast.office)
    role_policy = LeavePolicyFactory(leave_type=leave_type, annual_hours=Decimal("36"), roles=["manager"])
    personal = LeavePolicyFactory(leave_type=leave_type, annual_hours=Decimal("48"))
    special = cast.employee_of(cast.colleague)
    personal.employees.add(special)
    leave_accruals_task.apply(kwargs={"on": "2026-01-31"})
    got = {
        name: _balance(cast.employee_of(getattr(cast, name)), leave_type)
        for name in ("employee", "manager", "colleague", "outsider_office_employee")
    }
    assert got == {
        "employee": Decimal("24.00"),  # office policy (a year of months: no hire date)
        "manager": Decimal("36.00"),  # role beats office
        "colleague": Decimal("48.00"),  # assigned to them
        "outsider_office_employee": Decimal("12.00"),  # everyone
    }
    assert everyone.pk and role_policy.pk


def test_a_negative_balance_only_as_far_as_the_policy_allows(organisation, cast, api):
    leave_type = LeaveTypeFactory(organisation=organisation)
    LeavePolicyFactory(leave_type=leave_type, annual_hours=0, allow_negative=True, negative_limit_hours=Decimal("16"))
    me = person_client(cast.employee)
    monday = datetime.date.today() + datetime.timedelta(days=(7 - datetime.date.today().weekday()) % 7 + 14)

    def ask(days):
        body = {
            "leave_type_id": leave_type.pk,
            "start_date": monday.isoformat(),
            "end_date": (monday + datetime.timedelta(days=days - 1)).isoformat(),
        }
        return me.post("/v1/hr/leave-requests", body, format="json")

    assert ask(3).status_code == 422  # 24 h > 16 h below zero
    assert ask(2).status_code == 201


def test_unpaid_leave_without_a_policy_needs_no_balance(organisation, cast):
    leave_type = LeaveTypeFactory(organisation=organisation, kind="unpaid", paid=False, pay_code_name="Unpaid")
    other = LeaveTypeFactory(organisation=organisation)
    me = person_client(cast.employee)
    monday = datetime.date.today() + datetime.timedelta(days=(7 - datetime.date.today().weekday()) % 7 + 21)
    body = {"leave_type_id": leave_type.pk, "start_date": monday.isoformat(), "end_date": monday.isoformat()}
    assert me.post("/v1/hr/leave-requests", body, format="json").status_code == 201
    refused = me.post(
        "/v1/hr/leave-requests",
        {
            **body,
            "leave_type_id": other.pk,
            "start_date": (monday + datetime.timedelta(days=1)).isoformat(),
            "end_date": (monday + datetime.timedelta(days=1)).isoformat(),
        },
        format="json",
    )
    assert refused.status_code == 422
