"""Leave through REST (issue 16 points 1–4): set-up, balances, requests and who may decide them."""

from __future__ import annotations

import datetime

import pytest

from hr.models import LeaveLedgerEntry
from integrations.models import OutboxEvent
from organisations.models import AuditEvent
from tests.hr.conftest import person_client

pytestmark = pytest.mark.django_db

NEXT_MONDAY = datetime.date.today() + datetime.timedelta(days=(7 - datetime.date.today().weekday()) % 7 + 7)


def _setup(api, hours="40.00"):
    leave_type = api.post(
        "/v1/hr/leave-types",
        {"name": "Vacation", "kind": "vacation", "paid": True, "pay_code_name": "Vacation"},
        format="json",
    )
    assert leave_type.status_code == 201, leave_type.content
    type_id = leave_type.json()["id"]
    policy = api.post(
        "/v1/hr/leave-policies",
        {"name": "Standard", "leave_type_id": type_id, "accrual_method": "annual_grant", "annual_hours": "120"},
        format="json",
    )
    assert policy.status_code == 201, policy.content
    return type_id, policy.json()["id"]


def _grant(api, employee, type_id, hours="40"):
    response = api.post(
        "/v1/hr/leave-adjustments",
        {"employee_id": employee.pk, "leave_type_id": type_id, "hours": hours, "reason": "Opening balance"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_request_preview_approve_and_balance(api, cast):
    type_id, _policy = _setup(api)
    employee = cast.employee_of(cast.employee)
    _grant(api, employee, type_id)
    me = person_client(cast.employee)
    body = {
        "leave_type_id": type_id,
        "start_date": NEXT_MONDAY.isoformat(),
        "end_date": (NEXT_MONDAY + datetime.timedelta(days=6)).isoformat(),
    }
    preview = me.post("/v1/hr/leave-requests/preview", body, format="json")
    assert preview.status_code == 200, preview.content
    assert preview.json()["working_days"] == "5.00" and preview.json()["hours"] == "40.00"
    assert preview.json()["allowed"] is True
    created = me.post("/v1/hr/leave-requests", body, format="json")
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    assert created.json()["status"] == "requested" and created.json()["hours"] == "40.00"

    balances = me.get("/v1/hr/leave-balances").json()["results"]
    assert [(b["accrued"], b["used"], b["pending"], b["available"]) for b in balances] == [
        ("40.00", "0.00", "40.00", "0.00")
    ]

    # the employee cannot approve their own leave; a manager of their office can
    assert me.post(f"/v1/hr/leave-requests/{request_id}/approve").status_code == 403
    manager = person_client(cast.manager)
    approved = manager.post(f"/v1/hr/leave-requests/{request_id}/approve")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert manager.post(f"/v1/hr/leave-requests/{request_id}/approve").status_code == 409

    # the usage is dated on the leave's days: not used yet today, but no longer available either;
    # used as of its last day
    balance = me.get("/v1/hr/leave-balances").json()["results"][0]
    assert (balance["used"], balance["pending"], balance["available"]) == ("0.00", "0.00", "0.00")
    last_day = (NEXT_MONDAY + datetime.timedelta(days=6)).isoformat()
    later = me.get(f"/v1/hr/leave-balances?as_of={last_day}").json()["results"][0]
    assert (later["used"], later["balance"], later["available"]) == ("40.00", "0.00", "0.00")
    ledger = me.get(f"/v1/hr/leave-balances/{balance['id']}/ledger").json()["results"]
    assert [(row["kind"], row["hours"]) for row in ledger] == [("adjustment", "40.00"), ("usage", "-40.00")]
    topics = list(OutboxEvent.objects.filter(topic__startswith="hr.leave.").values_list("topic", flat=True))
    assert topics == ["hr.leave.requested", "hr.leave.approved"]

    # cancelled before it starts, by the employee: the hours come back through a ledger row
    cancelled = me.post(f"/v1/hr/leave-requests/{request_id}/cancel")
    assert cancelled.status_code == 200, cancelled.content
    balance = me.get("/v1/hr/leave-balances").json()["results"][0]
    assert balance["available"] == "40.00"
    assert LeaveLedgerEntry.objects.filter(kind="cancellation", hours=40).count() == 1


def test_insufficient_balance_and_overlap_are_refused(api, cast):
    type_id, _policy = _setup(api)
    employee = cast.employee_of(cast.employee)
    _grant(api, employee, type_id, "8")
    me = person_client(cast.employee)
    two_days = {
        "leave_type_id": type_id,
        "start_date": NEXT_MONDAY.isoformat(),
        "end_date": (NEXT_MONDAY + datetime.timedelta(days=1)).isoformat(),
    }
    refused = me.post("/v1/hr/leave-requests", two_days, format="json")
    assert refused.status_code == 422 and "hours" in refused.json()["errors"]
    one_day = {**two_days, "end_date": NEXT_MONDAY.isoformat()}
    assert me.post("/v1/hr/leave-requests", one_day, format="json").status_code == 201
    half = {**one_day, "unit": "half_days"}
    overlap = me.post("/v1/hr/leave-requests", half, format="json")
    assert overlap.status_code == 409, overlap.content


def test_reject_needs_a_reason_and_roles_are_enforced(api, cast):
    type_id, _policy = _setup(api)
    employee = cast.employee_of(cast.employee)
    _grant(api, employee, type_id)
    me = person_client(cast.employee)
    body = {"leave_type_id": type_id, "start_date": NEXT_MONDAY.isoformat(), "end_date": NEXT_MONDAY.isoformat()}
    request_id = me.post("/v1/hr/leave-requests", body, format="json").json()["id"]
    colleague = person_client(cast.colleague)
    assert colleague.post(f"/v1/hr/leave-requests/{request_id}/approve").status_code == 404  # not theirs to see
    other_office = person_client(cast.outsider_office_employee)
    assert other_office.get(f"/v1/hr/leave-requests/{request_id}").status_code == 404
    hr = person_client(cast.hr)
    assert hr.post(f"/v1/hr/leave-requests/{request_id}/reject", {}, format="json").status_code == 422
    rejected = hr.post(f"/v1/hr/leave-requests/{request_id}/reject", {"reason": "Busy week"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["rejection_reason"] == "Busy week"
    assert me.post(f"/v1/hr/leave-requests/{request_id}/cancel").status_code == 409


def test_adjustments_are_for_hr_and_audited(api, cast):
    type_id, _policy = _setup(api)
    employee = cast.employee_of(cast.employee)
    me = person_client(cast.employee)
    body = {"employee_id": employee.pk, "leave_type_id": type_id, "hours": "8", "reason": "Gift"}
    assert me.post("/v1/hr/leave-adjustments", body, format="json").status_code == 403
    hr = person_client(cast.hr)
    assert hr.post("/v1/hr/leave-adjustments", {**body, "reason": ""}, format="json").status_code == 422
    assert hr.post("/v1/hr/leave-adjustments", body, format="json").status_code == 201
    assert AuditEvent.objects.filter(action__startswith="leaveledgerentry.").count() == 1


def test_other_tenant_sees_nothing_and_gets_404(api, other_api, cast):
    type_id, policy_id = _setup(api)
    employee = cast.employee_of(cast.employee)
    _grant(api, employee, type_id)
    request_id = (
        person_client(cast.employee)
        .post(
            "/v1/hr/leave-requests",
            {"leave_type_id": type_id, "start_date": NEXT_MONDAY.isoformat(), "end_date": NEXT_MONDAY.isoformat()},
            format="json",
        )
        .json()["id"]
    )
    assert other_api.get("/v1/hr/leave-balances").json()["results"] == []
    assert other_api.post(f"/v1/hr/leave-requests/{request_id}/approve").status_code == 404
    assert other_api.patch(f"/v1/hr/leave-policies/{policy_id}", {"name": "x"}, format="json").status_code == 404
    foreign = other_api.post(
        "/v1/hr/leave-adjustments",
        {"employee_id": employee.pk, "leave_type_id": type_id, "hours": "8", "reason": "x"},
        format="json",
    )
    assert foreign.status_code == 422 and set(foreign.json()["errors"]) == {"employee_id", "leave_type_id"}


def test_half_days_hours_and_the_selectors_payroll_reads(api, cast, organisation):
    from hr import selectors

    type_id, _policy = _setup(api)
    employee = cast.employee_of(cast.employee)
    _grant(api, employee, type_id)
    group = api.post(
        "/v1/hr/holiday-groups",
        {
            "name": "Company",
            "holidays": [
                {
                    "date": (NEXT_MONDAY + datetime.timedelta(days=2)).isoformat(),
                    "name": "Founders' day",
                    "half_day": True,
                }
            ],
        },
        format="json",
    )
    assert group.status_code == 201, group.content
    me = person_client(cast.employee)
    half = me.post(
        "/v1/hr/leave-requests",
        {
            "leave_type_id": type_id,
            "unit": "half_days",
            "start_date": NEXT_MONDAY.isoformat(),
            "end_date": (NEXT_MONDAY + datetime.timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert half.status_code == 201, half.content
    assert (half.json()["working_days"], half.json()["hours"]) == ("1.50", "12.00")
    hours = me.post(
        "/v1/hr/leave-requests",
        {
            "leave_type_id": type_id,
            "unit": "hours",
            "start_date": (NEXT_MONDAY + datetime.timedelta(days=3)).isoformat(),
            "end_date": (NEXT_MONDAY + datetime.timedelta(days=3)).isoformat(),
            "hours_per_day": "2.5",
        },
        format="json",
    )
    assert hours.status_code == 201, hours.content
    assert hours.json()["hours"] == "2.50"
    two_days = me.post(
        "/v1/hr/leave-requests",
        {
            "leave_type_id": type_id,
            "unit": "hours",
            "start_date": (NEXT_MONDAY + datetime.timedelta(days=7)).isoformat(),
            "end_date": (NEXT_MONDAY + datetime.timedelta(days=8)).isoformat(),
            "hours_per_day": "2",
        },
        format="json",
    )
    assert two_days.status_code == 422
    hr = person_client(cast.hr)
    for created in (half, hours):
        assert hr.post(f"/v1/hr/leave-requests/{created.json()['id']}/approve").status_code == 200

    found = selectors.holidays_between(
        organisation, NEXT_MONDAY, NEXT_MONDAY + datetime.timedelta(days=6), office=employee.office
    )
    assert [(day.name, day.half_day) for day in found] == [("Founders' day", True)]
    days = selectors.approved_leave_hours(
        organisation, NEXT_MONDAY, NEXT_MONDAY + datetime.timedelta(days=6), employee_ids=[employee.pk]
    )
    assert [(str(d.hours), d.paid, d.pay_code_name) for d in days] == [
        ("4.00", True, "Vacation"),
        ("4.00", True, "Vacation"),
        ("4.00", True, "Vacation"),
        ("2.50", True, "Vacation"),
    ]
    assert selectors.work_schedule_for(employee)[:5] == (8, 8, 8, 8, 8)
