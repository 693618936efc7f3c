"""No lost input and time people can correct, in headless Chromium (issue 14 points 1-3): edit
forms submitted unchanged change nothing (the browser itself drops a date it cannot show), an
overnight entry, last month's entry edited from the full list, the editable week grid.

Dates are relative to the office's today (New York) and never depend on the hour the suite runs.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from playwright.sync_api import expect

from hr.models import Employee
from organisations.choices import Role
from tests.hr.factories import EmployeeFactory
from tests.organisations.factories import DEFAULT_PASSWORD, MembershipFactory, OfficeFactory, OrganisationFactory
from tests.timetracking.factories import ProjectFactory, TaskFactory, TimeEntryFactory
from timetracking.models import TimeEntry

from .conftest import assert_basic_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NY = zoneinfo.ZoneInfo("America/New_York")


def local(day: datetime.date, clock: str) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.fromisoformat(clock), tzinfo=NY).astimezone(datetime.UTC)


def office_today() -> datetime.date:
    return datetime.datetime.now(NY).date()


@pytest.fixture
def setup():
    organisation = OrganisationFactory(name="Acme Insurance", slug="acme", timezone="America/New_York")
    office = OfficeFactory(organisation=organisation, timezone="America/New_York")
    membership = MembershipFactory(organisation=organisation, role=Role.EMPLOYEE, office=office)
    employee = EmployeeFactory(office=office, membership=membership, first_name="Eli")
    website = ProjectFactory(client__organisation=organisation, name="Website")
    audit = ProjectFactory(client__organisation=organisation, name="Audit")
    TaskFactory(project=website, name="Homepage")
    return {
        "organisation": organisation,
        "office": office,
        "membership": membership,
        "employee": employee,
        "website": website,
        "audit": audit,
    }


def test_edit_forms_submitted_unchanged_keep_the_hire_date_and_the_entry(page, new_page, setup):
    hr = MembershipFactory(organisation=setup["organisation"], role=Role.HR, office=setup["office"])
    worker = EmployeeFactory(
        office=setup["office"], first_name="Dana", job_title="Clerk", hire_date=datetime.date(2026, 6, 5)
    )
    log_in(page, hr.user.email, DEFAULT_PASSWORD)

    # only the job title changes: the hire date (rendered ISO, whatever the language) survives
    page.goto(f"/app/hr/employees/{worker.pk}")
    expect(page.get_by_label("Hire date")).to_have_value("2026-06-05")
    page.get_by_label("Job title").fill("Senior clerk")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Employee saved.")
    worker.refresh_from_db()
    assert (worker.job_title, worker.hire_date) == ("Senior clerk", datetime.date(2026, 6, 5))

    # a timer's entry (seconds in its times) saved unchanged from the entries list keeps them
    day = office_today() - datetime.timedelta(days=2)
    start = local(day, "09:00") + datetime.timedelta(seconds=17)
    entry = TimeEntryFactory(
        employee=setup["employee"],
        project=setup["website"],
        start_time=start,
        end_time=start + datetime.timedelta(minutes=50, seconds=31),
        notes="Exact",
        tags="a,b",
    )
    before = Employee.objects.values().get(pk=setup["employee"].pk)
    stored = TimeEntry.objects.values().get(pk=entry.pk)
    employee_page = new_page()
    log_in(employee_page, setup["membership"].user.email, DEFAULT_PASSWORD)
    employee_page.goto("/app/time/entries")
    form = employee_page.locator(f"form[action='/app/time/entries/{entry.pk}/edit']")
    employee_page.locator("details.row-edit", has=form).locator("summary").click()
    form.get_by_role("button", name="Save").click()
    expect(employee_page.locator(".messages")).to_contain_text("Entry saved.")
    after = TimeEntry.objects.values().get(pk=entry.pk)
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in stored.items() if k != "updated_at"
    }
    assert Employee.objects.values().get(pk=setup["employee"].pk) == before


def test_an_overnight_entry(page, setup):
    day = office_today() - datetime.timedelta(days=1)
    log_in(page, setup["membership"].user.email, DEFAULT_PASSWORD)
    page.goto("/app/time/")
    form = page.locator("form[action='/app/time/entries/add']")
    form.locator("#add-project").select_option(label=f"Website ({setup['website'].client.name})")
    form.get_by_label("Date").fill(day.isoformat())
    form.get_by_label("Start").fill("22:00")
    form.get_by_label("End", exact=True).fill("06:00")

    form.get_by_role("button", name="Add entry").click()
    expect(page.locator(".messages")).to_contain_text(
        "The end (06:00) is not after the start (22:00). Tick “Overnight” if the entry ends the next day."
    )
    assert TimeEntry.objects.count() == 0

    form = page.locator("form[action='/app/time/entries/add']")
    form.locator("#add-project").select_option(label=f"Website ({setup['website'].client.name})")
    form.get_by_label("Date").fill(day.isoformat())
    form.get_by_label("Start").fill("22:00")
    form.get_by_label("End", exact=True).fill("06:00")
    form.get_by_label("Overnight").check()
    form.get_by_role("button", name="Add entry").click()

    expect(page.locator(".messages")).to_contain_text("Entry added.")
    entry = TimeEntry.objects.get()
    assert (entry.start_time, entry.end_time, entry.duration_seconds) == (
        local(day, "22:00"),
        local(day + datetime.timedelta(days=1), "06:00"),
        8 * 3600,
    )
    page.goto(f"/app/time/entries?start_date={day.isoformat()}&end_date={day.isoformat()}")
    expect(page.locator("table.data-table tbody tr").first).to_contain_text("06:00 (next day)")


def test_edit_last_months_entry_from_the_full_list(page, setup):
    day = office_today().replace(day=1) - datetime.timedelta(days=5)
    entry = TimeEntryFactory(
        employee=setup["employee"],
        project=setup["website"],
        start_time=local(day, "09:00"),
        end_time=local(day, "10:00"),
        notes="Old",
    )
    TimeEntryFactory(
        employee=setup["employee"],
        project=setup["audit"],
        start_time=local(office_today(), "00:00"),
        end_time=local(office_today(), "00:30"),
    )
    log_in(page, setup["membership"].user.email, DEFAULT_PASSWORD)
    page.goto("/app/time/")
    page.get_by_role("link", name="All entries").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("All entries")
    assert_basic_accessibility(page)

    page.locator("form.filters").get_by_label("Project").select_option(label="Website")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.data-table tbody tr")).to_have_count(1)
    expect(page.locator("tr.totals-row")).to_contain_text("1:00")
    form = page.locator(f"form[action='/app/time/entries/{entry.pk}/edit']")
    page.locator("details.row-edit", has=form).locator("summary").click()
    form.get_by_label("End", exact=True).fill("11:30")
    form.get_by_label("Notes").fill("Corrected")
    form.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_contain_text("Entry saved.")
    assert "project_id=" in page.url  # back on the filtered list
    expect(page.locator("tr.totals-row")).to_contain_text("2:30")
    entry.refresh_from_db()
    assert (entry.end_time, entry.duration_seconds, entry.notes) == (local(day, "11:30"), 9000, "Corrected")


def test_the_week_grid_is_edited_by_duration(page, setup):
    monday = office_today() - datetime.timedelta(days=office_today().weekday() + 14)  # two weeks ago
    TimeEntryFactory(
        employee=setup["employee"],
        project=setup["website"],
        start_time=local(monday, "09:00"),
        end_time=local(monday, "10:00"),
    )
    log_in(page, setup["membership"].user.email, DEFAULT_PASSWORD)
    page.goto(f"/app/time/week?week={monday.isoformat()}")
    assert_basic_accessibility(page)

    expect(page.locator("tr.week-totals td")).to_have_text(
        ["1:00", "0:00", "0:00", "0:00", "0:00", "0:00", "0:00", "1:00"]
    )
    website_row = page.locator("table.week-grid tbody tr:not(.week-new-row)", has_text="Website")
    website_row.locator("input.week-cell").nth(0).fill("2:30")
    website_row.locator("input.week-cell").nth(1).fill("0.75")
    new_row = page.locator("tr.week-new-row")
    new_row.locator("#new-project").select_option(label=f"Audit ({setup['audit'].client.name})")
    new_row.locator("input.week-cell").nth(3).fill("1:15")
    page.get_by_role("button", name="Save week").click()

    expect(page.locator(".messages")).to_contain_text("Week saved: 2 entries added, 1 changed, 0 deleted.")
    expect(page.locator("tr.week-totals td")).to_have_text(
        ["2:30", "0:45", "0:00", "1:15", "0:00", "0:00", "0:00", "4:30"]
    )
    expect(page.locator("table.week-grid tbody tr:not(.week-new-row)")).to_have_count(2)

    page.get_by_role("button", name="Save week").click()  # unchanged: nothing happens
    expect(page.locator(".messages")).to_contain_text("Nothing to save: the week is unchanged.")
    assert TimeEntry.objects.count() == 3
