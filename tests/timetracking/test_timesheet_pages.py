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


# ----------------------------------------------------------------------------- changes since a rejection


def _at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def test_the_approver_sees_what_changed_since_the_rejection_and_its_reason(
    session_client, manager, employee, project, as_employee
):
    TimeEntryFactory(  # kept as it was
        employee=employee, project=project, start_time=_at("2026-03-03T14:00Z"), end_time=_at("2026-03-03T15:00Z")
    )
    edited = TimeEntryFactory(
        employee=employee, project=project, start_time=_at("2026-03-04T14:00Z"), end_time=_at("2026-03-04T15:00Z")
    )
    dropped = TimeEntryFactory(
        employee=employee, project=project, start_time=_at("2026-03-05T14:00Z"), end_time=_at("2026-03-05T15:00Z")
    )
    sheet = TimesheetFactory(employee=employee, status="submitted")
    browser = session_client(manager.membership)
    browser.post(f"/app/time/timesheets/{sheet.pk}/reject", {"reason": "Thursday is not ours"})
    before = browser.get(f"/app/time/timesheets/{sheet.pk}").content.decode()

    # the employee corrects the period through the API and submits again
    assert (
        as_employee.patch(f"/v1/time-entries/{edited.pk}", {"notes": "Client call"}, format="json").status_code == 200
    )
    assert as_employee.delete(f"/v1/time-entries/{dropped.pk}").status_code == 204
    body = {"project_id": project.pk, "start_time": "2026-03-06T14:00:00Z", "end_time": "2026-03-06T16:30:00Z"}
    assert as_employee.post("/v1/time-entries", body, format="json").status_code == 201
    assert as_employee.post(f"/v1/timesheets/{sheet.pk}/submit").status_code == 200

    inbox = browser.get("/app/time/approvals").content.decode()
    detail = browser.get(f"/app/time/timesheets/{sheet.pk}").content.decode()

    assert "Changes since the rejection" not in before  # rejected: nothing resubmitted yet
    assert "Resubmitted after a rejection" in inbox and "Thursday is not ours" in inbox
    section = detail[detail.index('id="changes"') : detail.index("</section>")]
    assert "Thursday is not ours" in section
    rows = {kind: section.count(f'class="change-{kind}"') for kind in ("added", "changed", "removed")}
    assert rows == {"added": 1, "changed": 1, "removed": 1}
    assert "notes: Worked → Client call" in section
    assert "2026-03-06 09:00 to 2026-03-06 11:30" in section  # the added entry, New York time (EST)
    assert "2026-03-05 09:00" in section  # the removed one
    assert "2026-03-03 09:00" not in section  # unchanged entries are not listed


def test_a_resubmission_without_changes_says_so(session_client, manager, employee, project, as_employee):
    TimeEntryFactory(
        employee=employee, project=project, start_time=_at("2026-03-03T14:00Z"), end_time=_at("2026-03-03T15:00Z")
    )
    sheet = TimesheetFactory(employee=employee, status="submitted")
    browser = session_client(manager.membership)
    browser.post(f"/app/time/timesheets/{sheet.pk}/reject", {"reason": "Please add notes"})
    assert as_employee.post(f"/v1/timesheets/{sheet.pk}/submit").status_code == 200

    detail = browser.get(f"/app/time/timesheets/{sheet.pk}").content.decode()

    assert "No entry changed since the rejection." in detail


# ----------------------------------------------------------------------------- inbox filters, reject from the inbox


def test_the_inbox_filters_by_employee_office_period_and_status(session_client, admin, employee, londoner, colleague):
    march = TimesheetFactory(employee=employee, status="submitted")
    london = TimesheetFactory(employee=londoner, status="submitted")
    later = TimesheetFactory(employee=colleague, status="submitted", period_start=datetime.date(2026, 3, 9))
    approved = TimesheetFactory(employee=colleague, status="approved", period_start=datetime.date(2026, 2, 23))
    browser = session_client(admin.membership)

    def shown(**query) -> set[int]:
        html = browser.get("/app/time/approvals", query).content.decode()
        return {sheet.pk for sheet in (march, london, later, approved) if f'/app/time/timesheets/{sheet.pk}"' in html}

    assert shown() == {march.pk, london.pk, later.pk}
    assert shown(employee_id=londoner.pk) == {london.pk}
    assert shown(office_id=londoner.office_id) == {london.pk}
    assert shown(period_start="2026-03-09") == {later.pk}
    assert shown(status="approved") == {approved.pk}
    assert shown(status="all", employee_id=colleague.pk) == {later.pk, approved.pk}
    refused = browser.get("/app/time/approvals", {"period_start": "soon"})
    assert refused.status_code == 200 and "A filter is not valid" in refused.content.decode()


def test_a_manager_rejects_with_a_reason_from_the_inbox(session_client, manager, employee):
    sheet = TimesheetFactory(employee=employee, status="submitted")
    browser = session_client(manager.membership)

    inbox = browser.get("/app/time/approvals").content.decode()
    done = browser.post(
        f"/app/time/timesheets/{sheet.pk}/reject",
        {"reason": "Missing Monday", "next": "/app/time/approvals"},
        follow=True,
    )

    assert f'form="reject-{sheet.pk}"' in inbox
    assert f'id="reject-{sheet.pk}" action="/app/time/timesheets/{sheet.pk}/reject"' in inbox
    assert done.redirect_chain[-1][0] == "/app/time/approvals"
    assert "Timesheet rejected." in done.content.decode()
    sheet.refresh_from_db()
    assert (sheet.status, sheet.rejection_reason) == ("rejected", "Missing Monday")


# ----------------------------------------------------------------------------- locked periods on the week grid


def test_the_week_grid_marks_the_days_of_a_locked_period(session_client, employee, project):
    TimeEntryFactory(
        employee=employee, project=project, start_time=_at("2026-03-03T14:00Z"), end_time=_at("2026-03-03T15:00Z")
    )
    TimesheetFactory(employee=employee, status="approved")
    browser = session_client(employee.membership)

    locked = browser.get("/app/time/week", {"week": "2026-03-04"}).content.decode()
    open_week = browser.get("/app/time/week", {"week": "2026-03-11"}).content.decode()

    assert "The period 2026-03-02 to 2026-03-08 is locked" in locked
    assert locked.count('class="day-locked"') == 7
    assert "day-locked" not in open_week and "is locked" not in open_week


def test_my_timesheet_shows_an_automatically_locked_period_as_locked(session_client, employee, organisation):
    from timetracking.models import TimesheetSettings

    TimesheetSettings.objects.create(organisation=organisation, auto_lock_days=1)

    html = session_client(employee.membership).get("/app/time/timesheet", {"date": "2026-03-04"}).content.decode()

    assert "badge-locked" in html and "the organisation locks periods after they end" in html
