"""HR in headless Chromium (issue 8): an employee acknowledges a policy from "Documents", and
reports a concern anonymously, then follows it through the private link while HR never sees
who filed it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from hr import services as hr_services
from hr.models import Complaint, HRDocumentAcknowledgement
from organisations.actors import system_actor
from organisations.choices import Role
from tests.hr.factories import EmployeeFactory
from tests.organisations.factories import DEFAULT_PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

from .conftest import assert_basic_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"


@pytest.fixture
def acme():
    return OrganisationFactory(name="Acme Insurance", slug="acme")


@pytest.fixture
def eli(acme):
    membership = MembershipFactory(organisation=acme, role=Role.EMPLOYEE, user=UserFactory(full_name="Eli Employee"))
    EmployeeFactory(office__organisation=acme, first_name="Eli", last_name="Employee", membership=membership)
    return membership


@pytest.fixture
def hana(acme):
    membership = MembershipFactory(organisation=acme, role=Role.HR, user=UserFactory(full_name="Hana Hr"))
    EmployeeFactory(office__organisation=acme, first_name="Hana", last_name="Hr", membership=membership)
    return membership


def test_employee_acknowledges_a_policy(page, acme, eli):
    document = hr_services.document_create(
        actor=system_actor(acme),
        title="Code of conduct",
        file=SimpleUploadedFile("conduct.txt", b"Be kind.\n"),
        version="2025.1",
    )
    log_in(page, eli.user.email, DEFAULT_PASSWORD)

    page.get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents to read")
    assert_basic_accessibility(page)
    page.get_by_role("button", name="I have read and understood “Code of conduct”").click()

    expect(page.locator(".messages")).to_contain_text("you acknowledged “Code of conduct” (version 2025.1)")
    expect(page.locator(".document-card")).to_contain_text("You acknowledged this version")
    expect(page.get_by_role("button", name="I have read and understood “Code of conduct”")).to_have_count(0)
    assert HRDocumentAcknowledgement.objects.get().document_id == document.pk


def test_employee_reports_a_concern_anonymously_and_follows_it(new_page, acme, eli, hana):
    page = new_page()
    log_in(page, eli.user.email, DEFAULT_PASSWORD)
    page.get_by_role("link", name="Concerns").click()
    page.get_by_role("link", name="Report a concern").click()
    assert_basic_accessibility(page)
    page.get_by_label("Subject").fill("<b>Pay</b> gap")
    page.get_by_label("Category").select_option("pay")
    page.get_by_label("What happened").fill("Two of us do the same job for different pay.")
    page.get_by_label("Report anonymously (nobody, HR included, will see who you are)").check()
    page.get_by_role("button", name="Send report").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("sent anonymously")
    link = page.get_by_label("Private link").input_value()
    assert "/app/hr/follow/" in link
    assert Complaint.objects.get().reporter_id is None
    page.get_by_role("link", name="Open my report").click()
    expect(page.locator(".ticket-text")).to_have_text("Two of us do the same job for different pay.")

    hr_page = new_page()
    log_in(hr_page, hana.user.email, DEFAULT_PASSWORD)
    hr_page.goto("/app/hr/tickets")
    row = hr_page.locator("tbody tr", has_text="gap")
    expect(row).to_contain_text("<b>Pay</b> gap")  # escaped, shown as typed
    expect(row).to_contain_text("anonymous")
    expect(row).not_to_contain_text("Eli")
