"""The web experience in headless Chromium (issue 4 point 6): the way from the landing page to the
API reference, logging in and out, inviting a member who accepts in a second browser, switching
organisation, and what an employee may not open."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from organisations.choices import MembershipStatus, Role
from tests.organisations.factories import DEFAULT_PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

from .conftest import assert_basic_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-browser-made-passphrase-5"


@pytest.fixture
def acme():
    return OrganisationFactory(name="Acme Insurance", slug="acme")


@pytest.fixture
def owner(acme):
    return MembershipFactory(organisation=acme, role=Role.OWNER, user=UserFactory(full_name="Olive Owner"))


def test_landing_to_api_guide_to_swagger(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_basic_accessibility(page)

    page.get_by_role("link", name="Read the API guide").click()
    page.wait_for_url("**/api-guide")
    expect(page.get_by_role("heading", level=1)).to_contain_text("API")
    assert_basic_accessibility(page)

    page.locator("main a[href='/api/docs']").first.click()
    page.wait_for_url("**/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("TrackYourSheets API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()  # the schema loaded and rendered
    # Swagger UI renders a large schema as a virtual list: scroll until the members operations appear
    members = page.locator(".swagger-ui .opblock-summary-path", has_text="/v1/members").first
    for _ in range(200):
        if members.count():
            break
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(50)
    expect(members).to_be_visible()


def test_log_in_and_out(page, owner):
    log_in(page, owner.user.email, DEFAULT_PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.locator(".messages")).to_contain_text("Welcome back, Olive")
    expect(page.locator(".org-name")).to_have_text("Acme Insurance")
    assert_basic_accessibility(page)

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/app/login")
    expect(page.locator(".messages")).to_contain_text("You have logged out")
    page.goto("/app/")
    page.wait_for_url("**/app/login?next=/app/")


def test_wrong_password_shows_an_error_without_leaving_the_form(page, owner):
    page.goto("/app/login")
    page.get_by_label("Email").fill(owner.user.email)
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.locator(".errorlist")).to_contain_text("do not match an account")
    assert page.url.endswith("/app/login")
    assert_basic_accessibility(page)


def test_invite_a_member_who_accepts_in_a_second_browser(page, new_page, owner, acme, console):
    log_in(page, owner.user.email, DEFAULT_PASSWORD)
    page.get_by_role("navigation", name="App").get_by_role("link", name="Team").click()
    page.wait_for_url("**/app/team")
    assert_basic_accessibility(page)
    page.get_by_role("link", name="Invite a member").click()
    page.wait_for_url("**/app/team/invite")
    assert_basic_accessibility(page)
    page.get_by_label("Email").fill("nia.new@example.test")
    page.get_by_label("Role").select_option("hr")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_url("**/app/team")
    expect(page.locator(".messages")).to_contain_text("Invitation sent to nia.new@example.test")
    row = page.locator("tr", has_text="nia.new@example.test")
    expect(row).to_contain_text("Invited")
    expect(row).to_contain_text("HR")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/app/invitations/[A-Za-z0-9_-]+", mail.outbox[0].body).group(0)
    invitee = new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Join Acme Insurance")
    assert_basic_accessibility(invitee)
    invitee.get_by_label("Your name").fill("Nia New")
    invitee.get_by_label("Choose a password").fill(NEW_PASSWORD)
    invitee.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Create my account").click()
    invitee.wait_for_url("**/app/")  # issue 14 point 8: signed in at once, in the new organisation
    expect(invitee.locator(".messages")).to_contain_text("Your account is ready")
    expect(invitee.locator(".org-name")).to_have_text("Acme Insurance")
    expect(invitee.locator(".app-user")).to_contain_text("HR")

    page.reload()
    expect(page.locator("tr", has_text="nia.new@example.test")).to_contain_text("Active")
    console.allow(r"status of 410")  # the used link's page is a 410 document
    invitee.goto(link)  # the link works once
    expect(invitee.get_by_role("heading", level=1)).to_have_text("This invitation was already used")


def test_switch_organisation(page, acme):
    user = UserFactory(full_name="Sam Switcher")
    MembershipFactory(organisation=acme, user=user, role=Role.OWNER)
    MembershipFactory(organisation=OrganisationFactory(name="Rival Brokers"), user=user, role=Role.EMPLOYEE)
    MembershipFactory(
        organisation=OrganisationFactory(name="Gone Agency"), user=user, status=MembershipStatus.DEACTIVATED
    )
    log_in(page, user.email, DEFAULT_PASSWORD)
    expect(page.locator(".org-name")).to_have_text("Acme Insurance")
    switcher = page.get_by_label("Organisation", exact=True)
    expect(switcher.locator("option")).to_have_text(["Acme Insurance", "Rival Brokers"])

    switcher.select_option(label="Rival Brokers")
    page.get_by_role("button", name="Switch").click()

    expect(page.locator(".messages")).to_contain_text("You are now working in Rival Brokers")
    expect(page.locator(".org-name")).to_have_text("Rival Brokers")
    expect(page.get_by_role("navigation", name="App").get_by_role("link", name="Team")).to_have_count(0)


def test_an_employee_sees_no_admin_links_and_cannot_open_an_admin_page(page, acme, console):
    employee = MembershipFactory(organisation=acme, role=Role.EMPLOYEE)
    log_in(page, employee.user.email, DEFAULT_PASSWORD)
    navigation = page.get_by_role("navigation", name="App")
    expect(navigation.get_by_role("link", name="Dashboard")).to_be_visible()
    for admin_link in ("Team", "Organisation", "Integrations"):
        expect(navigation.get_by_role("link", name=admin_link, exact=True)).to_have_count(0)
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()

    console.allow(r"status of 403")  # Chromium reports the refused document itself as a console error
    response = page.goto("/app/team")

    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You can't open this page")
    expect(page.get_by_text("Your role does not give you access to this page.")).to_be_visible()
