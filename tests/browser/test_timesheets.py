"""Timesheets in headless Chromium (issue 15): an employee submits their week, their manager
approves it from the approval inbox (side by side, two sessions), and the employee's entry of that
week is then shown as locked, with no edit or delete."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organisations.choices import Role
from tests.hr.factories import EmployeeFactory
from tests.organisations.factories import DEFAULT_PASSWORD, MembershipFactory, OfficeFactory, OrganisationFactory
from tests.timetracking.factories import ProjectFactory, TimeEntryFactory
from timetracking.models import Timesheet

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_submit_then_approve_then_the_entry_is_locked(new_page):
    organisation = OrganisationFactory(name="Acme Insurance", slug="acme", timezone="America/New_York")
    office = OfficeFactory(organisation=organisation, timezone="America/New_York")
    employee = EmployeeFactory(
        office=office,
        membership=MembershipFactory(organisation=organisation, role=Role.EMPLOYEE, office=office),
        first_name="Eli",
    )
    boss = MembershipFactory(organisation=organisation, role=Role.MANAGER, office=office)
    EmployeeFactory(office=office, membership=boss, first_name="Morgan")
    project = ProjectFactory(client__organisation=organisation, name="Website")
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=3)
    TimeEntryFactory(
        employee=employee, project=project, start_time=start, end_time=start + datetime.timedelta(minutes=2)
    )

    staff = new_page()
    log_in(staff, employee.membership.user.email, DEFAULT_PASSWORD)
    staff.goto("/app/time/timesheet")
    expect(staff.locator(".status")).to_have_text("Open")
    staff.get_by_role("button", name="Submit for approval").click()
    expect(staff.locator(".messages")).to_contain_text("Timesheet submitted.")
    expect(staff.locator(".status")).to_have_text("Submitted")

    manager = new_page()
    log_in(manager, boss.user.email, DEFAULT_PASSWORD)
    manager.goto("/app/time/approvals")
    manager.get_by_role("checkbox", name="Approve Eli").check()
    manager.get_by_role("button", name="Approve the chosen timesheets").click()
    expect(manager.locator(".messages")).to_contain_text("1 approved, 0 skipped.")
    assert Timesheet.objects.get().status == "approved"

    staff.goto("/app/time/")
    expect(staff.locator("#entries-week .badge-locked")).to_have_count(1)
    expect(staff.locator("#entries-week").get_by_role("button", name="Delete")).to_have_count(0)
