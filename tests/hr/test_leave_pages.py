"""Leave pages (issue 16 point 8): request with a live preview, decide in the approval inbox,
the team calendar, and HR's policies, holiday calendars, balances and adjustments."""

from __future__ import annotations

import datetime

import pytest

from hr.models import Holiday, HolidayGroup, LeaveLedgerEntry, LeavePolicy, LeaveRequest, LeaveType
from tests.hr.factories import HolidayFactory, LeaveLedgerEntryFactory, LeavePolicyFactory, LeaveRequestFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date.today() + datetime.timedelta(days=(7 - datetime.date.today().weekday()) % 7 + 7)


@pytest.fixture
def vacation(organisation, cast):
    policy = LeavePolicyFactory(leave_type__organisation=organisation, leave_type__name="Vacation", annual_hours=0)
    LeaveLedgerEntryFactory(
        account__employee=cast.employee_of(cast.employee), account__leave_type=policy.leave_type, hours=40
    )
    return policy.leave_type


def test_request_leave_with_preview_then_the_manager_approves_it_in_the_inbox(cast, vacation, client, session_client):
    session_client(cast.employee)
    page = client.get("/app/hr/leave")
    assert page.status_code == 200
    assert b"Request leave" in page.content and b"40.00" in page.content
    preview = client.get(
        "/app/hr/leave/preview",
        {
            "leave_type": vacation.pk,
            "unit": "full_days",
            "start_date": MONDAY.isoformat(),
            "end_date": (MONDAY + datetime.timedelta(days=1)).isoformat(),
        },
    ).json()
    assert preview == {
        "ok": True,
        "working_days": "2.00",
        "hours": "16.00",
        "available": "40.00",
        "available_after": "24.00",
        "allowed": True,
    }
    response = client.post(
        "/app/hr/leave",
        {
            "leave_type": vacation.pk,
            "unit": "full_days",
            "start_date": MONDAY.isoformat(),
            "end_date": (MONDAY + datetime.timedelta(days=1)).isoformat(),
            "notes": "Family trip",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    leave = LeaveRequest.objects.get()
    assert client.get("/app/hr/leave").content.count(b"Cancel") >= 1
    client.logout()

    session_client(cast.manager)
    inbox = client.get("/app/time/approvals")
    assert inbox.status_code == 200
    assert b"Leave requests" in inbox.content and b"Eli Employee" in inbox.content
    approved = client.post(f"/app/hr/leave/{leave.pk}/approve", {"next": "/app/time/approvals"})
    assert approved.status_code == 302 and approved["Location"] == "/app/time/approvals"
    leave.refresh_from_db()
    assert leave.status == "approved"
    calendar = client.get(f"/app/hr/team-leave?month={MONDAY:%Y-%m}")
    assert calendar.status_code == 200 and b"Eli Employee" in calendar.content


def test_an_employee_cannot_open_the_team_calendar_or_decide(cast, vacation, client, session_client):
    session_client(cast.colleague)
    assert client.get("/app/hr/team-leave").status_code == 403
    session_client(cast.employee)
    client.post(
        "/app/hr/leave",
        {
            "leave_type": vacation.pk,
            "unit": "full_days",
            "start_date": MONDAY.isoformat(),
            "end_date": MONDAY.isoformat(),
        },
    )
    leave = LeaveRequest.objects.get()
    client.post(f"/app/hr/leave/{leave.pk}/approve")
    leave.refresh_from_db()
    assert leave.status == "requested"


def test_hr_sets_up_types_policies_calendars_and_adjusts(organisation, cast, client, session_client):
    session_client(cast.hr)
    assert (
        client.post(
            "/app/hr/leave-policies",
            {"name": "Sick", "kind": "sick", "paid": "on", "pay_code_name": "Sick", "active": "on"},
        ).status_code
        == 302
    )
    sick = LeaveType.objects.get(name="Sick")
    response = client.post(
        "/app/hr/leave-policies/new",
        {
            "name": "Sick leave",
            "leave_type": sick.pk,
            "accrual_method": "monthly",
            "annual_hours": "48",
            "grant_month": "1",
            "grant_day": "1",
            "hours_per_period": "0",
            "hours_per_hour_worked": "0",
            "negative_limit_hours": "0",
            "starts_on": "2026-01-01",
            "roles": ["manager", "employee"],
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    policy = LeavePolicy.objects.get()
    assert policy.roles == ["manager", "employee"]
    assert client.get(f"/app/hr/leave-policies/{policy.pk}").status_code == 200

    response = client.post(
        "/app/hr/holiday-calendars/new",
        {"name": "UK", "region": "UK", "holidays": "2026-12-25 Christmas Day\n2026-12-24 Christmas Eve (half day)"},
    )
    assert response.status_code == 302, response.content[:3000]
    group = HolidayGroup.objects.get()
    assert sorted(Holiday.objects.values_list("name", "half_day")) == [
        ("Christmas Day", False),
        ("Christmas Eve", True),
    ]
    edit = client.get(f"/app/hr/holiday-calendars/{group.pk}")
    assert b"2026-12-24 Christmas Eve (half day)" in edit.content
    bad = client.post("/app/hr/holiday-calendars/new", {"name": "Bad", "holidays": "25/12 Christmas"})
    assert bad.status_code == 200 and b"YYYY-MM-DD" in bad.content

    employee = cast.employee_of(cast.employee)
    adjusted = client.post(
        "/app/hr/leave-balances",
        {"employee": employee.pk, "leave_type": sick.pk, "hours": "8", "reason": "Carried from the old system"},
    )
    assert adjusted.status_code == 302
    assert LeaveLedgerEntry.objects.get().reason == "Carried from the old system"
    assert b"8.00" in client.get("/app/hr/leave-balances").content


def test_employees_cannot_open_hr_leave_pages(cast, client, session_client):
    session_client(cast.employee)
    for url in ("/app/hr/leave-policies", "/app/hr/holiday-calendars", "/app/hr/leave-balances"):
        assert client.get(url).status_code == 403, url


def test_every_leave_admin_page_answers_and_the_ledger_is_read_only(admin_client, organisation):
    entry = LeaveLedgerEntryFactory(account__employee__office__organisation=organisation)
    policy = LeavePolicyFactory(leave_type=entry.account.leave_type)
    holiday = HolidayFactory(group__organisation=organisation)
    request = LeaveRequestFactory(employee=entry.account.employee, leave_type=entry.account.leave_type)
    rows = {
        "leavetype": policy.leave_type,
        "leavepolicy": policy,
        "holidaygroup": holiday.group,
        "leaveaccount": entry.account,
        "leaveledgerentry": entry,
        "leaverequest": request,
    }
    for model, obj in rows.items():
        assert admin_client.get(f"/admin/hr/{model}/").status_code == 200, model
        assert admin_client.get(f"/admin/hr/{model}/{obj.pk}/change/").status_code == 200, model
    assert admin_client.get("/admin/hr/workschedule/").status_code == 200
    assert admin_client.get("/admin/hr/leaveledgerentry/add/").status_code == 403
