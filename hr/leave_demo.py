"""Demo leave (issue 16): leave types, two policies, the offices' holiday calendars, this
year's accruals and one request waiting for a decision. Idempotent (looked up before created)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from organisations.actors import Actor, system_actor
from organisations.demo import demo_email
from organisations.models import Office

from . import services
from .models import Employee, HolidayGroup, LeavePolicy, LeaveRequest, LeaveType

TYPES = (
    ("Vacation", "vacation", True, "Vacation"),
    ("Sick", "sick", True, "Sick"),
    ("Unpaid leave", "unpaid", False, "Unpaid"),
)


def _holidays(year: int) -> dict[str, tuple[str, list[tuple[str, str, bool]]]]:
    return {
        "UK bank holidays": (
            "London",
            [
                (f"{year}-01-01", "New Year's Day", False),
                (f"{year}-12-24", "Christmas Eve", True),
                (f"{year}-12-25", "Christmas Day", False),
                (f"{year}-12-26", "Boxing Day", False),
            ],
        ),
        "US federal holidays": (
            "New York",
            [
                (f"{year}-01-01", "New Year's Day", False),
                (f"{year}-07-03", "Independence Day (observed)", False),
                (f"{year}-11-26", "Thanksgiving Day", False),
                (f"{year}-12-25", "Christmas Day", False),
            ],
        ),
    }


def seed(organisation) -> None:
    actor = system_actor(organisation)
    today = timezone.localdate()
    types = {}
    for name, kind, paid, code in TYPES:
        found = LeaveType.objects.for_organisation(organisation).filter(name=name).first()
        types[name] = found or services.leave_type_create(
            actor=actor, name=name, kind=kind, paid=paid, pay_code_name=code
        )
    year_start = datetime.date(today.year, 1, 1)
    if not LeavePolicy.objects.for_organisation(organisation).exists():
        services.leave_policy_create(
            actor=actor,
            name="Vacation: 15 days a year, monthly",
            leave_type=types["Vacation"],
            accrual_method="monthly",
            annual_hours=Decimal("120"),
            carry_over_cap_hours=Decimal("40"),
            carry_over_expiry_months=3,
            starts_on=year_start,
        )
        services.leave_policy_create(
            actor=actor,
            name="Sick leave: 6 days on 1 January",
            leave_type=types["Sick"],
            accrual_method="annual_grant",
            annual_hours=Decimal("48"),
            starts_on=year_start,
        )
    for name, (office_name, holidays) in _holidays(today.year).items():
        if HolidayGroup.objects.for_organisation(organisation).filter(name=name).exists():
            continue
        office = Office.objects.for_organisation(organisation).filter(name=office_name).first()
        services.holiday_group_create(
            actor=actor,
            name=name,
            region=office_name,
            offices=[office] if office else [],
            holidays=[{"date": datetime.date.fromisoformat(d), "name": n, "half_day": h} for d, n, h in holidays],
        )
    services.post_accruals(organisation=organisation, on=today)
    employee = (
        Employee.objects.for_organisation(organisation)
        .filter(email=demo_email("eli.employee"), membership__isnull=False)
        .select_related("membership__user", "office", "organisation")
        .first()
    )
    if employee is not None and not LeaveRequest.objects.filter(employee=employee).exists():
        monday = today + datetime.timedelta(days=(7 - today.weekday()) % 7 + 14)
        membership = employee.membership
        person = Actor(organisation=organisation, user=membership.user, membership=membership, kind="system")
        for leave_type in (types["Vacation"], types["Unpaid leave"]):  # unpaid needs no balance
            try:
                services.leave_request_create(
                    actor=person,
                    employee=employee,
                    leave_type=leave_type,
                    start_date=monday,
                    end_date=monday,
                    notes="Dentist and recovery",
                )
                break
            except ValidationError:
                continue
