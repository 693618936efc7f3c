"""Timesheet pages (issue 15): my timesheet (submit, take back, the approver's comment), a
manager's approval inbox (bulk approve, reject with a reason), tenancy and roles."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from organisations.management.commands.seed_demo import seed_demo
from tests.hr.factories import EmployeeFactory
from timetracking.models import Timesheet

from .factories import TimeEntryFactory, TimesheetFactory

pytestmark = pytest.mark.django_db


def test_my_timesheet_shows_the_period_and_submits_it(session_client, employee, project):
    start = datetime.datetime(2026, 3, 3, 14, tzinfo=datetime.UTC)
    TimeEntryFactory(employee=employee, project=project, start_time=start, end_time=start + datetime.timedelta(hours=2))
    browser = session_client(employee.membership)

    page = browser.get("/app/time/timesheet", {"date": "2026-03-04"})
    sheet = Timesheet.objects.get()
    submitted = browser.post(
        f"/app/time/timesheets/{sheet.pk}/submit", {"next": "/app/time/timesheet?date=2026-03-04"}, follow=True
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert "Timesheet 2026-03-02 to 2026-03-08" in html
    assert "2:00" in html
    assert "Timesheet submitted." in submitted.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == "submitted"


def test_the_employee_sees_the_approvers_comment(session_client, employee):
    TimesheetFactory(employee=employee, status="rejected", rejection_reason="Friday is missing")

    html = session_client(employee.membership).get("/app/time/timesheet", {"date": "2026-03-04"}).content.decode()

    assert "Friday is missing" in html


def test_the_inbox_lists_the_managers_people_and_bulk_approves(session_client, manager, employee, colleague):
    first = TimesheetFactory(employee=employee, status="submitted")
    second = TimesheetFactory(employee=colleague, status="submitted")
    browser = session_client(manager.membership)

    inbox = browser.get("/app/time/approvals")
    approved = browser.post("/app/time/approvals", {"ids": [first.pk, second.pk]}, follow=True)

    assert inbox.status_code == 200
    assert str(employee) in inbox.content.decode()
    assert "2 approved, 0 skipped." in approved.content.decode()
    assert set(Timesheet.objects.values_list("status", flat=True)) == {"approved"}


def test_a_manager_rejects_with_a_reason_from_the_detail_page(session_client, manager, employee):
    sheet = TimesheetFactory(employee=employee, status="submitted")
    browser = session_client(manager.membership)

    detail = browser.get(f"/app/time/timesheets/{sheet.pk}")
    rejected = browser.post(f"/app/time/timesheets/{sheet.pk}/reject", {"reason": "Wrong project"}, follow=True)

    assert "Reject" in detail.content.decode()
    assert "Timesheet rejected." in rejected.content.decode()
    sheet.refresh_from_db()
    assert (sheet.status, sheet.rejection_reason) == ("rejected", "Wrong project")


def test_an_employee_cannot_approve_their_own_timesheet_from_a_page(session_client, employee):
    sheet = TimesheetFactory(employee=employee, status="submitted")
    browser = session_client(employee.membership)

    assert browser.get("/app/time/approvals").status_code == 403
    refused = browser.post(f"/app/time/timesheets/{sheet.pk}/approve", follow=True)

    assert "cannot approve" in refused.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == "submitted"


def test_another_tenants_timesheet_page_is_a_404(session_client, other_organisation, employee):
    foreign = TimesheetFactory(employee=EmployeeFactory(office__organisation=other_organisation))

    browser = session_client(employee.membership)

    assert browser.get(f"/app/time/timesheets/{foreign.pk}").status_code == 404
    assert browser.post(f"/app/time/timesheets/{foreign.pk}/submit").status_code == 404


def test_the_demo_submits_each_employees_last_week_once():
    organisation = seed_demo().organisation
    sheets = Timesheet.objects.for_organisation(organisation)
    first = sorted(sheets.values_list("employee_id", "period_start", "status"))

    seed_demo()

    assert first
    assert {status for _employee, _start, status in first} == {"submitted"}
    assert sorted(sheets.values_list("employee_id", "period_start", "status")) == first


def test_the_timer_page_shows_this_weeks_approved_entries_as_locked(session_client, employee, project):
    now = timezone.now().replace(microsecond=0)
    start = now - datetime.timedelta(minutes=2)  # this week (unless run in the first 2 minutes of one)
    entry = TimeEntryFactory(
        employee=employee, project=project, start_time=start, end_time=start + datetime.timedelta(minutes=1)
    )
    local_day = start.astimezone(ZoneInfo("America/New_York")).date()
    TimesheetFactory(
        employee=employee,
        status="approved",
        period_start=local_day - datetime.timedelta(days=local_day.weekday()),
    )

    html = session_client(employee.membership).get("/app/time/").content.decode()

    assert "Locked: the period" in html
    assert f'action="/app/time/entries/{entry.pk}/delete"' not in html
