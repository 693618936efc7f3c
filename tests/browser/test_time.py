"""Time tracking in headless Chromium (issue 7 point 10): the timer starts, its clock runs, stopping
creates an entry; the week grid shows the week's entries with daily totals; the project page draws
its chart."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
from playwright.sync_api import expect

from organisations.choices import Role
from tests.hr.factories import EmployeeFactory
from tests.organisations.factories import DEFAULT_PASSWORD, MembershipFactory, OfficeFactory, OrganisationFactory
from tests.timetracking.factories import ProjectFactory, TaskFactory, TimeEntryFactory
from timetracking.models import TimeEntry

from .conftest import assert_basic_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup():
    organisation = OrganisationFactory(name="Acme Insurance", slug="acme", timezone="America/New_York")
    office = OfficeFactory(organisation=organisation, timezone="America/New_York")
    membership = MembershipFactory(organisation=organisation, role=Role.EMPLOYEE, office=office)
    employee = EmployeeFactory(office=office, membership=membership, first_name="Eli")
    website = ProjectFactory(client__organisation=organisation, name="Website")
    audit = ProjectFactory(client__organisation=organisation, name="Audit")
    TaskFactory(project=website, name="Homepage")
    TaskFactory(project=audit, name="Ledger check")
    return {"membership": membership, "employee": employee, "website": website, "audit": audit}


def test_timer_start_clock_runs_stop_creates_an_entry(page, setup):
    log_in(page, setup["membership"].user.email, DEFAULT_PASSWORD)
    page.get_by_role("link", name="Time", exact=True).click()
    page.wait_for_url("**/app/time/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Time")
    assert_basic_accessibility(page)

    page.locator("#timer-project").select_option(label="Website (" + setup["website"].client.name + ")")
    # the task picker follows the project: only Website's tasks can be chosen
    expect(page.locator("#timer-task option", has_text="Ledger check")).to_be_disabled()
    page.locator("#timer-task").select_option(label="Homepage")
    page.get_by_label("Notes").first.fill("Hero section")
    page.get_by_role("button", name="Start timer").click()

    clock = page.locator("[data-timer-elapsed]")
    expect(clock).to_have_text(re.compile(r"^0:00:0\d$"))
    first = clock.text_content()
    expect(clock).not_to_have_text(first, timeout=4000)  # it ticks
    page.get_by_role("button", name="Stop timer").click()

    expect(page.locator(".messages")).to_contain_text("Timer stopped")
    expect(page.locator("#entries-today tbody tr")).to_have_count(1)
    expect(page.locator("#entries-today")).to_contain_text("Hero section")
    entry = TimeEntry.objects.get()
    assert (entry.source, entry.project_id, entry.task.name, entry.end_time is not None) == (
        "timer",
        setup["website"].pk,
        "Homepage",
        True,
    )


def test_week_grid_shows_daily_totals(page, setup):
    def add(project, start, minutes):
        start_time = datetime.datetime.fromisoformat(start)
        TimeEntryFactory(
            employee=setup["employee"],
            project=project,
            start_time=start_time,
            end_time=start_time + datetime.timedelta(minutes=minutes),
            duration_seconds=minutes * 60,
        )

    add(setup["website"], "2026-03-02T14:00:00+00:00", 90)  # Monday
    add(setup["website"], "2026-03-04T14:00:00+00:00", 60)  # Wednesday
    add(setup["audit"], "2026-03-04T16:00:00+00:00", 45)  # Wednesday
    add(setup["audit"], "2026-03-09T03:30:00+00:00", 30)  # Sunday 23:30 in New York (after the DST change)

    log_in(page, setup["membership"].user.email, DEFAULT_PASSWORD)
    page.goto("/app/time/week?week=2026-03-04")

    expect(page.get_by_role("heading", level=1)).to_have_text("Week of 2026-03-02")
    assert_basic_accessibility(page)
    totals = page.locator("tr.week-totals td")
    expect(totals).to_have_text(["1:30", "0:00", "1:45", "0:00", "0:00", "0:00", "0:30", "3:45"])
    expect(page.locator("table.week-grid tbody tr:not(.week-new-row)")).to_have_count(2)
    expect(
        page.locator("table.week-grid tbody tr:not(.week-new-row)", has_text="Audit").locator("td").last
    ).to_have_text("1:15")

    page.get_by_role("link", name="Next week").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Week of 2026-03-09")
    expect(page.locator("tr.week-totals td").last).to_have_text("0:00")


def test_edit_an_entry_inline(page, setup):
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0, second=0)
    # "today" is the office's day (New York): an entry that starts before its midnight is yesterday's
    local = now.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    midnight = local.replace(hour=0, minute=0).astimezone(datetime.UTC)
    start = max(now - datetime.timedelta(hours=3), midnight)
    entry = TimeEntryFactory(
        employee=setup["employee"],
        project=setup["website"],
        start_time=start,
        end_time=start + max(min(now - start, datetime.timedelta(hours=1)), datetime.timedelta(minutes=1)),
        notes="Draft",
    )
    log_in(page, setup["membership"].user.email, DEFAULT_PASSWORD)
    page.goto("/app/time/")

    row = page.locator(f"#entries-today tr[data-entry-id='{entry.pk}']")
    row.get_by_text("Edit").click()
    row.get_by_label("Notes").fill("Final copy")
    row.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_contain_text("Entry saved.")
    expect(page.locator("#entries-today")).to_contain_text("Final copy")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#entries-today tr[data-entry-id='{entry.pk}']").get_by_role("button", name="Delete").click()
    expect(page.locator(".messages")).to_contain_text("Entry deleted.")
    assert TimeEntry.objects.count() == 0


def test_project_page_draws_the_chart(page, setup):
    manager = MembershipFactory(organisation=setup["membership"].organisation, role=Role.MANAGER)
    TimeEntryFactory(employee=setup["employee"], project=setup["website"])
    log_in(page, manager.user.email, DEFAULT_PASSWORD)

    page.goto(f"/app/time/projects/{setup['website'].pk}")

    expect(page.locator("#project-hours-chart")).to_have_attribute("data-chart-ready", "true")
    assert_basic_accessibility(page)


def test_project_page_marks_an_overrun_in_words_and_a_border(page, setup):
    """Issue 14 point 4: the manager sees their team and the project total apart; an overrun is
    said in words and drawn with a thicker border, not told by colour alone."""
    office = setup["employee"].office
    manager = MembershipFactory(organisation=office.organisation, role=Role.MANAGER, office=office)
    website = setup["website"]
    website.estimated_hours = "1.00"
    website.save()
    homepage = website.tasks.get()
    homepage.estimated_hours = "2.00"
    homepage.save()
    start = datetime.datetime(2026, 3, 3, 14, 0, tzinfo=datetime.UTC)
    TimeEntryFactory(employee=setup["employee"], project=website, task=homepage, start_time=start)
    stranger = EmployeeFactory(organisation=office.organisation, office=None, first_name="Stan")
    TimeEntryFactory(employee=stranger, project=website, start_time=start + datetime.timedelta(hours=2))
    log_in(page, manager.user.email, DEFAULT_PASSWORD)

    page.goto(f"/app/time/projects/{website.pk}")

    total = page.locator("[data-project-total]")
    expect(total).to_contain_text("2.00")
    expect(total).to_contain_text("Over the estimate by 1.00 h")
    assert total.evaluate("el => getComputedStyle(el).borderTopWidth") == "2px"
    team = page.locator("[data-team-total]")
    expect(team).to_contain_text("1.00")
    expect(team).to_contain_text("100% used")
    expect(page.locator(f"tr[data-task='{homepage.pk}']")).not_to_have_class("is-over")
    assert_basic_accessibility(page)
