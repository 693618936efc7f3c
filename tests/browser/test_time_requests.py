"""Time requests in headless Chromium (issue 15 point 9): an employee asks for yesterday's
unrecorded hour from the requests page, their manager approves it in the approval inbox (two
sessions side by side), and the entry then shows on the employee's entries."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organisations.choices import Role
from tests.hr.factories import EmployeeFactory
from tests.organisations.factories import DEFAULT_PASSWORD, MembershipFactory, OfficeFactory, OrganisationFactory
from tests.timetracking.factories import ProjectFactory, TaskFactory
from timetracking.models import TimeEntry, TimeRequest

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_then_approve_then_the_entry_exists(new_page):
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
    TaskFactory(project=project, name="Homepage")
    yesterday = timezone.now().astimezone(ZoneInfo("America/New_York")).date() - datetime.timedelta(days=1)

    staff = new_page()
    log_in(staff, employee.membership.user.email, DEFAULT_PASSWORD)
    staff.goto("/app/time/")
    staff.get_by_role("navigation", name="Time").get_by_role("link", name="Time requests").click()
    staff.get_by_label("Project").select_option(value=str(project.pk))
    staff.get_by_label("Task").select_option(label="Homepage")
    staff.get_by_role("textbox", name="Day").fill(yesterday.isoformat())
    staff.get_by_role("textbox", name="Start").fill("09:00")
    staff.get_by_role("textbox", name="End").fill("10:30")
    staff.get_by_label("Reason").fill("Forgot the timer at the client's")
    staff.get_by_role("button", name="Request the time").click()
    expect(staff.locator(".messages")).to_contain_text("Time requested")
    expect(staff.locator("table")).to_contain_text("Pending")

    manager = new_page()
    log_in(manager, boss.user.email, DEFAULT_PASSWORD)
    manager.goto("/app/time/approvals")
    requests = manager.locator("#time-requests")
    expect(requests).to_contain_text("Forgot the timer at the client's")
    requests.get_by_role("button", name="Approve the time request of Eli").click()
    expect(manager.locator(".messages")).to_contain_text("Time request approved")
    assert TimeRequest.objects.get().status == "approved"

    entry = TimeEntry.objects.get(employee=employee)
    assert entry.duration_seconds == 90 * 60
    staff.goto("/app/time/entries")
    expect(staff.locator("table")).to_contain_text("Homepage")
    expect(staff.locator("table")).to_contain_text("1:30")
    staff.goto("/app/time/requests")
    expect(staff.locator("table")).to_contain_text("Approved")
