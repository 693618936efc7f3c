"""Statement imports in headless Chromium (issue 6 point 3): upload a statement, review it, match
the exception queue's row, and finalise it into the ledger (confirming the dialog)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from organisations.choices import Role
from payroll.models import CommissionTransaction, ImportBatch
from tests.organisations.factories import (
    DEFAULT_PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    ProducerFactory,
    UserFactory,
    WorkspaceFactory,
)
from tests.payroll.factories import CarrierFactory, PolicyFactory, PolicyProducerFactory
from trackyoursheets.celery import app as celery_app

from .conftest import assert_basic_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATEMENT = (
    "Policy Number,Agent,Written Premium,Comm Amt,Process Date\n"
    'POL-1001,,"$1,000.00",$100.00,01/15/2026\n'
    "NEW-7,B. Broker,500.00,50.00,01/16/2026\n"
)


@pytest.fixture(autouse=True)
def _imports_in_process(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def acme():
    organisation = OrganisationFactory(name="Acme Insurance", slug="acme")
    workspace = WorkspaceFactory(office__organisation=organisation)
    alice = ProducerFactory(workspace=workspace, display_name="Alice Agent", producer_code="A-100")
    ProducerFactory(workspace=workspace, display_name="Bob Broker", producer_code="B-200")
    carrier = CarrierFactory(organisation=organisation, name="Acme Mutual", statement_date_format="%m/%d/%Y")
    PolicyProducerFactory(policy=PolicyFactory(carrier=carrier, number="POL-1001"), producer=alice)
    return organisation


@pytest.fixture
def owner(acme):
    return MembershipFactory(organisation=acme, role=Role.OWNER, user=UserFactory(full_name="Olive Owner"))


def test_upload_review_match_and_finalise(page, owner):
    log_in(page, owner.user.email, DEFAULT_PASSWORD)
    page.get_by_role("navigation", name="App").get_by_role("link", name="Imports").click()
    page.wait_for_url("**/app/imports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statement imports")
    assert_basic_accessibility(page)

    page.get_by_role("link", name="Upload a statement").click()
    page.get_by_label("Statement file").set_input_files(
        files=[{"name": "january.csv", "mimeType": "text/csv", "buffer": STATEMENT.encode()}]
    )
    page.get_by_label("Carrier:", exact=True).select_option(label="Acme Mutual")
    assert_basic_accessibility(page)
    page.get_by_role("button", name="Upload and read").click()

    page.wait_for_url("**/app/imports/*")
    expect(page.locator("[data-role=status-label]")).to_have_text("Ready for review")
    expect(page.locator("[data-count=matched]")).to_have_text("1")
    expect(page.locator("[data-count=unmatched]")).to_have_text("1")
    assert_basic_accessibility(page)

    page.get_by_label("Producer for line 3").select_option(label="Bob Broker (B-200)")
    page.get_by_role("button", name="Match line 3").click()
    expect(page.locator(".messages")).to_contain_text("Line 3 matched")
    expect(page.locator("[data-count=unmatched]")).to_have_text("0")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Finalise").click()
    expect(page.locator(".messages")).to_contain_text("Import finalised: 2 reconciled ledger lines.")
    expect(page.locator("[data-role=status-label]")).to_have_text("Finalised")

    batch = ImportBatch.objects.get()
    assert (batch.status, batch.original_filename) == ("finalised", "january.csv")
    assert sorted(CommissionTransaction.objects.values_list("gross_commission", flat=True)) == [
        Decimal("50.00"),
        Decimal("100.00"),
    ]


def test_cancelling_the_confirmation_finalises_nothing(page, owner, acme):
    log_in(page, owner.user.email, DEFAULT_PASSWORD)
    page.goto("/app/imports/new")
    page.get_by_label("Statement file").set_input_files(
        files=[{"name": "january.csv", "mimeType": "text/csv", "buffer": STATEMENT.encode()}]
    )
    page.get_by_label("Carrier:", exact=True).select_option(label="Acme Mutual")
    page.get_by_role("button", name="Upload and read").click()
    page.wait_for_url("**/app/imports/*")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Roll back").click()

    expect(page.locator("[data-role=status-label]")).to_have_text("Ready for review")
    assert ImportBatch.objects.get().status == "review"
