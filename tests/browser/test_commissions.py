"""Commission pages in headless Chromium (issue 6 point 5): the dashboard draws its chart with
the vendored Chart.js (no console errors), and changing "Group by" on the analytics page
redraws the table from /v1/reports/commissions without a reload."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from organisations.choices import Role
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

D = Decimal


@pytest.fixture
def acme():
    return OrganisationFactory(name="Acme Insurance", slug="acme", currency="EUR")


@pytest.fixture
def owner(acme):
    return MembershipFactory(organisation=acme, role=Role.OWNER, user=UserFactory(full_name="Olive Owner"))


@pytest.fixture
def book(acme):
    """Two carriers and two producers; <script> in a name must stay text."""
    workspace = WorkspaceFactory(office__organisation=acme, name="Personal Lines")
    ann = ProducerFactory(workspace=workspace, display_name="Ann Archer")
    bob = ProducerFactory(workspace=workspace, display_name="Bob <script>alert(1)</script>")
    alpha = CarrierFactory(organisation=acme, name="Alpha Mutual")
    beta = CarrierFactory(organisation=acme, name="Beta Re")
    today = datetime.date.today()
    for producer, carrier, premium in ((ann, alpha, "1200.00"), (ann, beta, "300.00"), (bob, alpha, "2500.50")):
        CommissionTransactionFactory(
            producer=producer,
            carrier=carrier,
            premium=D(premium),
            transaction_date=today,
            statement_period=today.replace(day=1),
        )
    return {"ann": ann, "bob": bob}


def test_dashboard_draws_the_premium_by_period_chart(page, owner, book):
    log_in(page, owner.user.email, DEFAULT_PASSWORD)
    page.get_by_role("navigation", name="App").get_by_role("link", name="Commissions").click()
    page.wait_for_url("**/app/commissions/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Commissions")
    canvas = page.locator("canvas#period-chart")
    expect(canvas).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('period-chart'))")
    drawn = page.evaluate(
        """() => {
          const chart = Chart.getChart(document.getElementById('period-chart'));
          return {labels: chart.data.labels, premium: chart.data.datasets[0].data};
        }"""
    )
    assert drawn["labels"] == ["Today", "This week", "This month", "This quarter", "Year to date", "All time"]
    assert drawn["premium"][-1] == 4000.5
    box = canvas.bounding_box()
    assert box["width"] > 100 and box["height"] > 100
    expect(page.locator(".period-cards")).to_contain_text("€4,000.50")
    expect(page.get_by_role("link", name="Bob <script>alert(1)</script>", exact=True)).to_be_visible()
    assert_basic_accessibility(page)


def test_analytics_group_by_change_redraws_the_table(page, owner, book):
    log_in(page, owner.user.email, DEFAULT_PASSWORD)
    page.goto("/app/commissions/analytics")
    rows = page.locator("#analytics-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Alpha Mutual")
    expect(rows.nth(0)).to_contain_text("€3,700.50")
    assert_basic_accessibility(page)

    with page.expect_response(lambda r: "/v1/reports/commissions" in r.url and "group_by=producer" in r.url) as info:
        page.get_by_label("Group by").select_option("producer")
    assert info.value.status == 200

    expect(rows.nth(0)).to_contain_text("Bob <script>alert(1)</script>")  # shown as text, never run
    expect(rows.nth(0)).to_contain_text("€2,500.50")
    expect(rows.nth(1)).to_contain_text("Ann Archer")
    expect(rows.nth(1)).to_contain_text("€1,500.00")
    expect(page.locator("#analytics-table thead th").first).to_have_text("Producer")
    expect(page.locator("#analytics-table tfoot")).to_contain_text("€4,000.50")
    assert "group_by=producer" in page.url  # a reload shows the same grouping
    labels = page.evaluate("() => Chart.getChart(document.getElementById('group-chart')).data.labels")
    assert labels == ["Bob <script>alert(1)</script>", "Ann Archer"]
    link = rows.nth(1).get_by_role("link", name="Ann Archer")
    assert link.get_attribute("href") == f"/app/commissions/producers/{book['ann'].pk}"

    page.reload()
    expect(page.get_by_label("Group by")).to_have_value("producer")
    expect(rows.nth(1)).to_contain_text("Ann Archer")
