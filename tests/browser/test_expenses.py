"""Expenses in headless Chromium (issue 16 point 8): an employee files an expense with a receipt
(the drop area's file input shows a preview of the photo), submits it, their manager opens the
receipt's link and approves it in the approval inbox (two sessions side by side), and the
employee then sees it approved."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organisations.choices import Role
from tests.hr.factories import EmployeeFactory
from tests.organisations.factories import DEFAULT_PASSWORD, MembershipFactory, OfficeFactory, OrganisationFactory
from tests.timetracking.factories import ExpenseCategoryFactory
from timetracking.models import Expense

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# a 1x1 PNG
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
    "000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"


def test_file_an_expense_with_a_receipt_then_the_manager_approves_it(new_page):
    organisation = OrganisationFactory(name="Acme Insurance", slug="acme", timezone="America/New_York")
    office = OfficeFactory(organisation=organisation, timezone="America/New_York")
    employee = EmployeeFactory(
        office=office,
        membership=MembershipFactory(organisation=organisation, role=Role.EMPLOYEE, office=office),
        first_name="Eli",
    )
    boss = MembershipFactory(organisation=organisation, role=Role.MANAGER, office=office)
    EmployeeFactory(office=office, membership=boss, first_name="Morgan")
    category = ExpenseCategoryFactory(organisation=organisation, name="Travel", receipt_required_above="25.00")
    yesterday = timezone.now().astimezone(ZoneInfo("America/New_York")).date() - datetime.timedelta(days=1)

    staff = new_page()
    log_in(staff, employee.membership.user.email, DEFAULT_PASSWORD)
    staff.goto("/app/time/")
    staff.get_by_role("navigation", name="Time").get_by_role("link", name="Expenses", exact=True).click()
    staff.get_by_label("Category").select_option(value=str(category.pk))
    staff.get_by_role("textbox", name="Day").fill(yesterday.isoformat())
    staff.get_by_label("Amount").fill("42.10")
    staff.get_by_label("Description").fill("Taxi to the client")
    staff.get_by_label("Receipt").set_input_files(files=[{"name": "taxi.png", "mimeType": "image/png", "buffer": PNG}])
    expect(staff.locator("[data-receipt-preview] img")).to_be_visible()
    expect(staff.locator("[data-receipt-preview]")).to_contain_text("taxi.png")
    staff.get_by_role("button", name="Submit for approval").click()
    expect(staff.locator(".messages")).to_contain_text("Expense submitted for approval")
    expect(staff.locator("table")).to_contain_text("Submitted")
    expense = Expense.objects.get()
    assert (expense.amount, expense.receipt_content_type) == (Decimal("42.10"), "image/png")

    manager = new_page()
    log_in(manager, boss.user.email, DEFAULT_PASSWORD)
    manager.goto("/app/time/approvals")
    inbox = manager.locator("#expenses")
    expect(inbox).to_contain_text("Taxi to the client")
    with manager.expect_download() as download:
        inbox.get_by_role("link", name="taxi.png").click()
    assert download.value.suggested_filename == "taxi.png"
    inbox.get_by_role("button", name="Approve the expense of Eli").click()
    expect(manager.locator(".messages")).to_contain_text("Expense approved")
    expense.refresh_from_db()
    assert expense.status == "approved"

    staff.goto("/app/time/expenses")
    expect(staff.locator("table")).to_contain_text("Approved")
