"""Pages for what only the API or the admin could do (issue 14 point 9), in headless Chromium:
an owner creates a carrier and a commission rule set and approves then pays a ledger line; HR and
an anonymous reporter talk through the ticket's reply thread and its private follow link."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from hr.models import Complaint, ComplaintReply
from organisations.choices import Role
from payroll.models import Carrier, CommissionRuleSet, CommissionTransaction
from tests.hr.factories import EmployeeFactory
from tests.organisations.factories import (
    DEFAULT_PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    ProducerFactory,
    UserFactory,
    WorkspaceFactory,
)
from tests.payroll.factories import CarrierFactory, CommissionTransactionFactory

from .conftest import assert_basic_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme():
    return OrganisationFactory(name="Acme Insurance", slug="acme")


def test_owner_sets_up_a_carrier_and_a_rule_set_and_approves_a_line(page, acme):
    owner = MembershipFactory(organisation=acme, role=Role.OWNER)
    producer = ProducerFactory(workspace=WorkspaceFactory(office__organisation=acme), display_name="Paula Producer")
    line = CommissionTransactionFactory(
        producer=producer,
        carrier=CarrierFactory(organisation=acme, name="Old Carrier"),
        status="reconciled",
        gross_commission=Decimal("120.00"),
        transaction_date=datetime.date(2026, 5, 4),
    )
    log_in(page, owner.user.email, DEFAULT_PASSWORD)

    # a rule set first, so the carrier can default to it
    page.goto("/app/commissions/")
    page.get_by_role("link", name="Rule sets").click()
    page.get_by_role("link", name="New rule set").click()
    assert_basic_accessibility(page)
    page.get_by_label("Name:", exact=True).fill("Standard 2026")
    page.get_by_label("Effective from").fill("2026-01-01")
    first_rule = page.locator("fieldset", has_text="Rule 1")
    first_rule.get_by_label("Basis").select_option("percent_of_premium")
    first_rule.get_by_label("Rate %").fill("12.5")
    page.get_by_role("button", name="Create rule set").click()
    expect(page.locator(".messages")).to_contain_text("Rule set Standard 2026 saved.")
    rule_set = CommissionRuleSet.objects.get(name="Standard 2026")
    assert [(r.basis, r.rate) for r in rule_set.rules.all()] == [("percent_of_premium", Decimal("12.5000"))]

    page.get_by_role("link", name="Carriers").click()
    page.get_by_role("link", name="New carrier").click()
    assert_basic_accessibility(page)
    page.get_by_label("Name").fill("Northwind <Mutual>")
    page.get_by_label("Code").fill("NWM")
    page.get_by_label("Statement date format").select_option("%m/%d/%Y")
    page.get_by_label("Default commission rule set").select_option(label=str(rule_set))
    page.get_by_role("button", name="Create carrier").click()
    expect(page.locator(".messages")).to_contain_text("Carrier Northwind <Mutual> created.")
    expect(page.get_by_role("link", name="Northwind <Mutual>")).to_be_visible()  # escaped, shown as typed
    assert Carrier.objects.get(code="NWM").default_rule_set == rule_set

    # approve, then pay, a reconciled line: only the legal moves are offered
    page.goto(f"/app/commissions/transactions/{line.pk}")
    expect(page.get_by_role("button", name="Mark paid")).to_have_count(0)
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text(f"Line #{line.pk} is now Approved.")
    page.get_by_role("button", name="Mark paid").click()
    expect(page.locator(".messages")).to_contain_text(f"Line #{line.pk} is now Paid.")
    expect(page.get_by_text("this line's status is final")).to_be_visible()
    assert CommissionTransaction.objects.get(pk=line.pk).status == "paid"


def test_hr_and_an_anonymous_reporter_talk_through_the_private_link(new_page, acme):
    eli = MembershipFactory(organisation=acme, role=Role.EMPLOYEE, user=UserFactory(full_name="Eli Employee"))
    EmployeeFactory(office__organisation=acme, first_name="Eli", last_name="Employee", membership=eli)
    hana = MembershipFactory(organisation=acme, role=Role.HR, user=UserFactory(full_name="Hana Hr"))

    reporter = new_page()
    log_in(reporter, eli.user.email, DEFAULT_PASSWORD)
    reporter.goto("/app/hr/report")
    reporter.get_by_label("Subject").fill("Pay gap")
    reporter.get_by_label("What happened").fill("Two of us do the same job for different pay.")
    reporter.get_by_label("Report anonymously (nobody, HR included, will see who you are)").check()
    reporter.get_by_role("button", name="Send report").click()
    follow_link = reporter.get_by_label("Private link").input_value()
    ticket = Complaint.objects.get()

    hr = new_page()
    log_in(hr, hana.user.email, DEFAULT_PASSWORD)
    hr.goto(f"/app/hr/tickets/{ticket.pk}")
    assert_basic_accessibility(hr)
    status_menu = hr.get_by_label("Move to")
    expect(status_menu.locator("option")).to_have_text(["In progress"])  # the only legal move from Open
    hr.get_by_label("Reply").fill("Thank you. Which team are you in?")
    hr.get_by_role("button", name="Send reply").click()
    expect(hr.locator(".messages")).to_contain_text("Reply sent.")

    reporter.goto(follow_link)
    expect(reporter.locator("#replies")).to_contain_text("Thank you. Which team are you in?")
    reporter.get_by_label("Reply").fill("Sales <London>.")
    reporter.get_by_role("button", name="Send reply").click()
    expect(reporter.locator(".messages")).to_contain_text("Reply sent to HR.")

    hr.reload()
    thread = hr.locator("#replies")
    expect(thread).to_contain_text("Anonymous reporter")
    expect(thread).to_contain_text("Sales <London>.")
    expect(thread).not_to_contain_text("Eli")
    assert ComplaintReply.objects.get(from_hr=False).author is None
