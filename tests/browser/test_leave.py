"""Leave in headless Chromium (issue 16): an employee requests two days from the leave page (the
working days and the balance left appear as they fill the form in), their manager approves it in
the approval inbox next to timesheets (two sessions side by side), and it shows as approved."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from hr.models import LeaveRequest
from organisations.choices import Role
from tests.hr.factories import EmployeeFactory, LeaveLedgerEntryFactory, LeavePolicyFactory
from tests.organisations.factories import DEFAULT_PASSWORD, MembershipFactory, OfficeFactory, OrganisationFactory

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_leave_with_live_preview_then_the_manager_approves_it(new_page):
    organisation = OrganisationFactory(name="Acme Insurance", slug="acme")
    office = OfficeFactory(organisation=organisation)
    employee = EmployeeFactory(
        office=office,
        membership=MembershipFactory(organisation=organisation, role=Role.EMPLOYEE, office=office),
        first_name="Eli",
        last_name="Employee",
    )
    boss = MembershipFactory(organisation=organisation, role=Role.MANAGER, office=office)
    EmployeeFactory(office=office, membership=boss, first_name="Morgan")
    policy = LeavePolicyFactory(leave_type__organisation=organisation, leave_type__name="Vacation", annual_hours=0)
    LeaveLedgerEntryFactory(account__employee=employee, account__leave_type=policy.leave_type, hours=Decimal("40"))
    monday = datetime.date.today() + datetime.timedelta(days=(7 - datetime.date.today().weekday()) % 7 + 7)

    staff = new_page()
    log_in(staff, employee.membership.user.email, DEFAULT_PASSWORD)
    staff.goto("/app/hr/leave")
    staff.get_by_label("Leave type").select_option(label="Vacation")
    staff.get_by_label("First day").fill(monday.isoformat())
    staff.get_by_label("Last day").fill((monday + datetime.timedelta(days=1)).isoformat())
    staff.get_by_label("Last day").dispatch_event("change")
    expect(staff.locator("#leave-preview")).to_contain_text("2.00 working days, 16.00 hours")
    expect(staff.locator("#leave-preview")).to_contain_text("after this request 24.00 h")
    staff.get_by_role("button", name="Request leave").click()
    expect(staff.locator(".messages")).to_contain_text("Leave requested")

    manager = new_page()
    log_in(manager, boss.user.email, DEFAULT_PASSWORD)
    manager.goto("/app/time/approvals")
    section = manager.locator("#leave-requests")
    expect(section).to_contain_text("Eli Employee")
    section.get_by_role("button", name="Approve the leave of Eli Employee").click()
    expect(manager.locator(".messages")).to_contain_text("approved")
    assert LeaveRequest.objects.get().status == "approved"

    staff.goto("/app/hr/leave")
    expect(staff.locator("table").last).to_contain_text("Approved")
