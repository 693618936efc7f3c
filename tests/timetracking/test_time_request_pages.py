"""Time request pages (issue 15 point 9): an employee asks for past time from the pages (errors in
their words), sees their requests with status and reason and cancels a pending one; the approval
inbox lists the pending requests of the approver's people (approve, reject with a reason; into a
locked period only owners and admins); roles, tenancy, escaping."""

from __future__ import annotations

import datetime

import pytest

from organisations.choices import Role
from tests.hr.factories import EmployeeFactory
from timetracking.models import TimeEntry, TimeRequest

from .conftest import person
from .factories import TimeRequestFactory, TimesheetFactory

pytestmark = pytest.mark.django_db

# 2026-03-03 09:00-11:00 in New York (the employee's office and reader zone)
FORM = {"date": "2026-03-03", "start": "09:00", "end": "11:00", "reason": "Forgot the timer"}
START = datetime.datetime(2026, 3, 3, 14, tzinfo=datetime.UTC)


@pytest.fixture
def pending(employee, project):
    return TimeRequestFactory(
        employee=employee, project=project, start_time=START, end_time=START + datetime.timedelta(hours=2)
    )


def test_an_employee_requests_time_from_the_page(session_client, employee, project, task):
    browser = session_client(employee.membership)

    page = browser.get("/app/time/requests")
    done = browser.post("/app/time/requests", {**FORM, "project_id": project.pk, "task_id": task.pk}, follow=True)

    assert page.status_code == 200
    assert 'name="project_id"' in page.content.decode()
    assert "Time requested" in done.content.decode()
    request = TimeRequest.objects.get()
    assert (request.employee, request.project, request.task, request.status) == (employee, project, task, "pending")
    assert (request.start_time, request.end_time) == (START, START + datetime.timedelta(hours=2))
    assert "Forgot the timer" in done.content.decode()


def test_an_overnight_request_ends_the_next_day(session_client, employee, project):
    browser = session_client(employee.membership)

    browser.post(
        "/app/time/requests",
        {**FORM, "start": "22:00", "end": "02:00", "overnight": "on", "project_id": project.pk},
    )

    request = TimeRequest.objects.get()
    assert request.end_time - request.start_time == datetime.timedelta(hours=4)


def test_refusals_are_shown_on_the_form_in_the_users_words(session_client, employee, project):
    browser = session_client(employee.membership)

    missing = browser.post("/app/time/requests", {"date": "2026-03-03"}).content.decode()
    backwards = browser.post("/app/time/requests", {**FORM, "end": "08:00", "project_id": project.pk}).content.decode()
    future = browser.post("/app/time/requests", {**FORM, "date": "2099-01-01", "project_id": project.pk})

    assert "Choose a project." in missing
    assert "Say why the time was not recorded." in missing
    assert "overnight" in backwards.lower()
    assert "the end time is in the future" in future.content.decode()
    assert future.status_code == 200
    assert not TimeRequest.objects.exists()


def test_another_tenants_project_is_not_offered_nor_accepted(session_client, employee, other_organisation):
    foreign = EmployeeFactory(office__organisation=other_organisation)
    foreign_request = TimeRequestFactory(employee=foreign)
    browser = session_client(employee.membership)

    html = browser.post("/app/time/requests", {**FORM, "project_id": foreign_request.project_id}).content.decode()

    assert "Choose one of your projects." in html
    assert TimeRequest.objects.filter(employee=employee).count() == 0
    assert browser.post(f"/app/time/requests/{foreign_request.pk}/cancel").status_code == 404


def test_the_employee_sees_status_and_the_rejection_reason_escaped(session_client, employee, project):
    TimeRequestFactory(employee=employee, project=project, status="rejected", rejection_reason="<b>No</b> such call")

    html = session_client(employee.membership).get("/app/time/requests").content.decode()

    assert "Rejected" in html
    assert "&lt;b&gt;No&lt;/b&gt; such call" in html
    assert "<b>No</b>" not in html


def test_the_employee_cancels_a_pending_request(session_client, employee, pending):
    browser = session_client(employee.membership)

    html = browser.get("/app/time/requests").content.decode()
    done = browser.post(f"/app/time/requests/{pending.pk}/cancel", follow=True)

    assert f'action="/app/time/requests/{pending.pk}/cancel"' in html
    assert "Time request cancelled." in done.content.decode()
    pending.refresh_from_db()
    assert pending.status == "cancelled"
    again = browser.post(f"/app/time/requests/{pending.pk}/cancel", follow=True)
    assert "cannot be" in again.content.decode()


def test_the_manager_approves_from_the_inbox_and_the_entry_exists(session_client, manager, employee, pending):
    browser = session_client(manager.membership)

    inbox = browser.get("/app/time/approvals").content.decode()
    done = browser.post(
        f"/app/time/requests/{pending.pk}/approve", {"next": "/app/time/approvals"}, follow=True
    ).content.decode()

    assert "Time requests" in inbox
    assert f'action="/app/time/requests/{pending.pk}/approve"' in inbox
    assert "Time request approved" in done
    entry = TimeEntry.objects.get(employee=employee)
    assert (entry.start_time, entry.source) == (START, "request")


def test_the_manager_rejects_with_a_reason(session_client, manager, pending):
    browser = session_client(manager.membership)

    done = browser.post(f"/app/time/requests/{pending.pk}/reject", {"reason": "Not that day"}, follow=True)

    assert "Time request rejected." in done.content.decode()
    pending.refresh_from_db()
    assert (pending.status, pending.rejection_reason) == ("rejected", "Not that day")
    assert not TimeEntry.objects.exists()


def test_the_inbox_leaves_out_own_and_other_peoples_requests(session_client, organisation, manager, pending):
    own = TimeRequestFactory(employee=manager, project=pending.project, reason="Mine")
    elsewhere = TimeRequestFactory(employee=EmployeeFactory(organisation=organisation), project=pending.project)

    html = session_client(manager.membership).get("/app/time/approvals").content.decode()

    assert f"/app/time/requests/{pending.pk}/approve" in html
    assert f"/app/time/requests/{own.pk}/approve" not in html
    assert f"/app/time/requests/{elsewhere.pk}/approve" not in html


def test_an_employee_cannot_decide_requests(session_client, employee, colleague, project):
    theirs = TimeRequestFactory(employee=colleague, project=project)
    mine = TimeRequestFactory(employee=employee, project=project)
    browser = session_client(employee.membership)

    assert browser.get("/app/time/approvals").status_code == 403
    assert browser.post(f"/app/time/requests/{theirs.pk}/approve").status_code == 404  # not visible to them
    refused = browser.post(f"/app/time/requests/{mine.pk}/approve", follow=True).content.decode()

    assert "cannot approve or reject your own time request" in refused
    mine.refresh_from_db()
    assert mine.status == "pending"


def test_a_locked_period_is_for_owners_and_admins(session_client, organisation, manager, employee, pending):
    TimesheetFactory(employee=employee, status="approved", period_start=datetime.date(2026, 3, 2))
    browser = session_client(manager.membership)

    inbox = browser.get("/app/time/approvals").content.decode()
    refused = browser.post(f"/app/time/requests/{pending.pk}/approve", follow=True).content.decode()

    assert "only owners and admins approve it" in inbox
    assert f'action="/app/time/requests/{pending.pk}/approve"' not in inbox
    assert "Only owners and admins may approve a time request into it." in refused
    pending.refresh_from_db()
    assert pending.status == "pending"

    admin = person(organisation, None, Role.ADMIN, name="Ada")
    browser.logout()
    browser = session_client(admin.membership)
    assert f'action="/app/time/requests/{pending.pk}/approve"' in browser.get("/app/time/approvals").content.decode()
    browser.post(f"/app/time/requests/{pending.pk}/approve")
    pending.refresh_from_db()
    assert pending.status == "approved"


def test_the_time_links_name_the_requests_page(session_client, employee):
    html = session_client(employee.membership).get("/app/time/").content.decode()

    assert 'href="/app/time/requests"' in html


def test_the_pages_query_count_does_not_grow_with_the_requests(
    session_client, count_queries, manager, employee, pending, project, task
):
    browser = session_client(manager.membership)
    inbox_one = count_queries(lambda: browser.get("/app/time/approvals"))
    for hour in range(4):
        start = START + datetime.timedelta(days=1, hours=hour)
        end = start + datetime.timedelta(minutes=30)
        TimeRequestFactory(employee=employee, project=project, task=task, start_time=start, end_time=end)
    assert count_queries(lambda: browser.get("/app/time/approvals")) == inbox_one

    browser.logout()
    own = session_client(employee.membership)
    own_count = count_queries(lambda: own.get("/app/time/requests"))
    TimeRequestFactory(employee=employee, project=project, task=task, status="rejected", rejection_reason="No")
    assert count_queries(lambda: own.get("/app/time/requests")) == own_count
