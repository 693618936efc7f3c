"""Timesheets (issue 15 point 1): lazy creation, the workflow and who may do each step, through
REST with personal tokens of each role; events and audit rows of the transitions."""

from __future__ import annotations

import datetime

import pytest

from integrations.models import OutboxEvent
from integrations.outbox import is_registered
from organisations.choices import Role
from organisations.models import AuditEvent
from tests.organisations.factories import OfficeFactory
from timetracking.models import Timesheet

from .conftest import person, token_client
from .factories import TimeEntryFactory, TimesheetFactory

pytestmark = pytest.mark.django_db

WEEK = "2026-03-02"  # a Monday


def open_sheet(api, **body):
    return api.post("/v1/timesheets", {"period_start": WEEK, **body}, format="json")


def entry(employee, project, start: str, hours: float = 1, **kwargs):
    begin = datetime.datetime.fromisoformat(start)
    return TimeEntryFactory(
        employee=employee,
        project=project,
        start_time=begin,
        end_time=begin + datetime.timedelta(hours=hours),
        duration_seconds=int(hours * 3600),
        **kwargs,
    )


@pytest.fixture
def sheet(employee):
    return TimesheetFactory(employee=employee)


@pytest.fixture
def submitted(employee):
    return TimesheetFactory(employee=employee, status="submitted")


@pytest.fixture
def owner(organisation):
    return person(organisation, None, Role.OWNER, name="Olive")


@pytest.fixture
def other_office_manager(organisation, london_office):
    return person(organisation, london_office, Role.MANAGER, name="Max")


# ----------------------------------------------------------------------------- lazy creation


def test_an_employee_opens_a_period_once_and_gets_the_same_timesheet_again(as_employee, employee):
    first = open_sheet(as_employee)
    again = open_sheet(as_employee)

    assert first.status_code == 201, first.json()
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    body = first.json()
    assert (body["employee_id"], body["period_start"], body["period_end"], body["status"]) == (
        employee.pk,
        "2026-03-02",
        "2026-03-08",
        "open",
    )
    assert Timesheet.objects.count() == 1


def test_a_day_that_starts_no_period_is_a_422_naming_the_period_start(as_employee):
    response = as_employee.post("/v1/timesheets", {"period_start": "2026-03-04"}, format="json")

    assert response.status_code == 422
    assert "2026-03-02" in response.json()["errors"]["period_start"][0]


def test_current_opens_the_period_holding_a_date(as_employee):
    response = as_employee.get("/v1/timesheets/current", {"date": "2026-03-05"})

    assert response.status_code == 200, response.json()
    assert response.json()["period_start"] == "2026-03-02"


def test_an_employee_cannot_open_a_colleagues_timesheet(as_employee, colleague):
    response = open_sheet(as_employee, employee_id=colleague.pk)

    assert response.status_code == 422  # another employee's id is not one they may name
    assert Timesheet.objects.count() == 0


# ----------------------------------------------------------------------------- detail


def test_the_detail_totals_days_projects_tasks_and_billable(as_employee, employee, project, task):
    entry(employee, project, "2026-03-02T14:00:00+00:00", 2, task=task)
    entry(employee, project, "2026-03-03T14:00:00+00:00", 1.5, billable=False)
    entry(employee, project, "2026-03-09T14:00:00+00:00", 1)  # next week
    sheet = TimesheetFactory(employee=employee)

    body = as_employee.get(f"/v1/timesheets/{sheet.pk}").json()

    assert body["totals"] == {"hours": "3.50", "billable_hours": "2.00", "non_billable_hours": "1.50", "entries": 2}
    assert [(d["date"], d["hours"]) for d in body["days"][:3]] == [
        ("2026-03-02", "2.00"),
        ("2026-03-03", "1.50"),
        ("2026-03-04", "0.00"),
    ]
    assert len(body["days"]) == 7
    assert [(p["project_id"], p["hours"]) for p in body["projects"]] == [(project.pk, "3.50")]
    assert [(t["task_id"], t["hours"]) for t in body["tasks"]] == [(task.pk, "2.00")]
    assert len(body["entries"]) == 2
    assert body["timezone"] == "America/New_York"


# ----------------------------------------------------------------------------- workflow


def test_submit_approve_records_events_and_audit_rows(as_employee, as_manager, sheet):
    submitted = as_employee.post(f"/v1/timesheets/{sheet.pk}/submit")
    approved = as_manager.post(f"/v1/timesheets/{sheet.pk}/approve")

    assert submitted.status_code == 200, submitted.json()
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"]
    topics = list(OutboxEvent.objects.order_by("id").values_list("topic", flat=True))
    assert topics == ["time.timesheet.submitted", "time.timesheet.approved"]
    payload = OutboxEvent.objects.get(topic="time.timesheet.approved").payload
    assert payload == {
        "id": sheet.pk,
        "employee_id": sheet.employee_id,
        "period_start": "2026-03-02",
        "period_end": "2026-03-08",
        "status": "approved",
    }
    assert AuditEvent.objects.filter(object_id=str(sheet.pk), object_type="timetracking.Timesheet").count() == 2


def test_submitting_refuses_a_period_with_a_running_timer(as_employee, employee, project, sheet):
    running = TimeEntryFactory(
        employee=employee,
        project=project,
        start_time=datetime.datetime(2026, 3, 4, 14, tzinfo=datetime.UTC),
        end_time=None,
        duration_seconds=None,
    )

    response = as_employee.post(f"/v1/timesheets/{sheet.pk}/submit")

    assert response.status_code == 409
    assert response.json()["running_entry_id"] == running.pk
    sheet.refresh_from_db()
    assert sheet.status == "open"


def test_nobody_approves_their_own_timesheet_not_even_an_owner(organisation, owner):
    sheet = TimesheetFactory(employee=owner, status="submitted")

    response = token_client(owner).post(f"/v1/timesheets/{sheet.pk}/approve")

    assert response.status_code == 403
    sheet.refresh_from_db()
    assert sheet.status == "submitted"


@pytest.mark.parametrize("who", ["employee", "colleague"])
def test_the_employee_and_a_colleague_cannot_approve(request, submitted, who):
    api = token_client(request.getfixturevalue(who))

    response = api.post(f"/v1/timesheets/{submitted.pk}/approve")

    assert response.status_code in (403, 404)
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_a_manager_of_another_office_cannot_see_nor_approve(other_office_manager, submitted):
    api = token_client(other_office_manager)

    assert api.get(f"/v1/timesheets/{submitted.pk}").status_code == 404
    assert api.post(f"/v1/timesheets/{submitted.pk}/approve").status_code == 404


def test_the_employees_own_manager_approves_from_another_office(other_office_manager, employee, submitted):
    employee.manager = other_office_manager
    employee.save()

    response = token_client(other_office_manager).post(f"/v1/timesheets/{submitted.pk}/approve")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"


@pytest.mark.parametrize("who", ["admin", "owner"])
def test_admins_and_owners_approve(request, submitted, who):
    response = token_client(request.getfixturevalue(who)).post(f"/v1/timesheets/{submitted.pk}/approve")

    assert response.status_code == 200, response.json()


def test_another_tenant_gets_a_404(other_organisation, submitted):
    stranger = person(other_organisation, OfficeFactory(organisation=other_organisation), Role.ADMIN, name="Sam")
    api = token_client(stranger)

    assert api.get(f"/v1/timesheets/{submitted.pk}").status_code == 404
    assert api.post(f"/v1/timesheets/{submitted.pk}/approve").status_code == 404
    assert api.get("/v1/timesheets").json()["pagination"]["total"] == 0


def test_reject_needs_a_reason_and_the_employee_resubmits(as_employee, as_manager, submitted):
    assert as_manager.post(f"/v1/timesheets/{submitted.pk}/reject", {}, format="json").status_code == 422

    rejected = as_manager.post(f"/v1/timesheets/{submitted.pk}/reject", {"reason": "Tuesday is missing"}, format="json")
    again = as_employee.post(f"/v1/timesheets/{submitted.pk}/submit")

    assert rejected.status_code == 200
    assert rejected.json()["rejection_reason"] == "Tuesday is missing"
    assert again.status_code == 200
    assert again.json()["status"] == "submitted"
    assert OutboxEvent.objects.filter(topic="time.timesheet.rejected").count() == 1


def test_unsubmit_is_the_employees_while_submitted(as_employee, as_manager, submitted):
    assert as_manager.post(f"/v1/timesheets/{submitted.pk}/unsubmit").status_code == 403

    response = as_employee.post(f"/v1/timesheets/{submitted.pk}/unsubmit")
    twice = as_employee.post(f"/v1/timesheets/{submitted.pk}/unsubmit")

    assert response.status_code == 200
    assert response.json()["status"] == "open"
    assert twice.status_code == 409


def test_an_open_timesheet_cannot_be_approved(as_manager, sheet):
    response = as_manager.post(f"/v1/timesheets/{sheet.pk}/approve")

    assert response.status_code == 409
    assert response.json()["code"] == "timesheet_status"


def test_reopen_is_for_owners_and_admins_with_a_reason(as_manager, admin, employee):
    sheet = TimesheetFactory(employee=employee, status="approved")
    as_admin = token_client(admin)

    assert as_manager.post(f"/v1/timesheets/{sheet.pk}/reopen", {"reason": "x"}, format="json").status_code == 403
    assert as_admin.post(f"/v1/timesheets/{sheet.pk}/reopen", {}, format="json").status_code == 422
    response = as_admin.post(f"/v1/timesheets/{sheet.pk}/reopen", {"reason": "Wrong project"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "open"
    assert response.json()["reopen_reason"] == "Wrong project"
    assert OutboxEvent.objects.filter(topic="time.timesheet.reopened").count() == 1
    row = AuditEvent.objects.filter(object_type="timetracking.Timesheet").latest("id")
    assert row.changes["status"] == ["approved", "open"]


def test_an_action_honours_if_match(as_employee, as_manager, sheet):
    etag = as_employee.get(f"/v1/timesheets/{sheet.pk}")["ETag"]
    as_employee.post(f"/v1/timesheets/{sheet.pk}/submit")

    stale = as_manager.post(f"/v1/timesheets/{sheet.pk}/approve", HTTP_IF_MATCH=etag)

    assert stale.status_code == 412
    sheet.refresh_from_db()
    assert sheet.status == "submitted"


def test_an_action_replays_for_the_same_idempotency_key(as_employee, sheet):
    first = as_employee.post(f"/v1/timesheets/{sheet.pk}/submit", HTTP_IDEMPOTENCY_KEY="k-1")
    second = as_employee.post(f"/v1/timesheets/{sheet.pk}/submit", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == second.status_code == 200
    assert OutboxEvent.objects.filter(topic="time.timesheet.submitted").count() == 1


def test_bulk_approve_approves_what_it_may_and_says_why_not_for_the_rest(as_manager, employee, colleague, manager):
    mine = TimesheetFactory(employee=manager, status="submitted")
    ok = TimesheetFactory(employee=employee, status="submitted")
    still_open = TimesheetFactory(employee=colleague)

    response = as_manager.post(
        "/v1/timesheets/bulk-approve", {"ids": [ok.pk, mine.pk, still_open.pk, 999999]}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["approved"] == [ok.pk]
    assert body["skipped"] == [
        {"id": mine.pk, "reason": "not_permitted"},
        {"id": still_open.pk, "reason": "not_submitted"},
        {"id": 999999, "reason": "not_found"},
    ]


def test_the_list_filters_by_employee_and_period(as_admin, employee, colleague):
    TimesheetFactory(employee=employee)
    TimesheetFactory(employee=colleague)
    TimesheetFactory(employee=employee, period_start=datetime.date(2026, 3, 9))

    by_employee = as_admin.get("/v1/timesheets", {"employee_id": employee.pk}).json()
    by_period = as_admin.get("/v1/timesheets", {"period_start": "2026-03-09"}).json()

    assert by_employee["pagination"]["total"] == 2
    assert [row["period_start"] for row in by_period["results"]] == ["2026-03-09"]


def test_an_employee_lists_only_their_own(as_employee, employee, colleague):
    TimesheetFactory(employee=employee)
    TimesheetFactory(employee=colleague)

    rows = as_employee.get("/v1/timesheets").json()["results"]

    assert [row["employee_id"] for row in rows] == [employee.pk]


# ----------------------------------------------------------------------------- GraphQL

TIMESHEETS = """
query($filter: TimesheetFilter) {
  timesheets(first: 10, filter: $filter) {
    totalCount
    edges { node { databaseId employeeId periodStart periodEnd status } }
  }
}
"""

DETAIL = """
query($id: ID!) { timesheet(id: $id) { databaseId status totals { hours billableHours entries } days { date hours } } }
"""


def test_graphql_lists_timesheets_with_the_rest_filters(as_admin, gql, employee, colleague):
    mine = TimesheetFactory(employee=employee)
    TimesheetFactory(employee=colleague)

    body = gql(as_admin, TIMESHEETS, {"filter": {"employeeId": str(employee.pk), "periodStart": WEEK}}).json()

    assert "errors" not in body, body
    assert body["data"]["timesheets"]["totalCount"] == 1
    assert body["data"]["timesheets"]["edges"][0]["node"] == {
        "databaseId": mine.pk,
        "employeeId": employee.pk,
        "periodStart": "2026-03-02",
        "periodEnd": "2026-03-08",
        "status": "open",
    }


def test_graphql_detail_totals(as_employee, gql, employee, project):
    entry(employee, project, "2026-03-03T14:00:00+00:00", 2)
    sheet = TimesheetFactory(employee=employee)

    body = gql(as_employee, DETAIL, {"id": str(sheet.pk)}).json()

    assert "errors" not in body, body
    assert body["data"]["timesheet"]["totals"] == {"hours": "2.00", "billableHours": "2.00", "entries": 1}
    assert [d["hours"] for d in body["data"]["timesheet"]["days"]] == ["0.00", "2.00", *["0.00"] * 5]


def test_graphql_submit_approve_reject_use_the_same_rules(as_employee, as_manager, gql, employee):
    sheet = TimesheetFactory(employee=employee)
    other = TimesheetFactory(employee=employee, period_start=datetime.date(2026, 3, 9), status="submitted")

    submitted = gql(as_employee, "mutation($id: ID!) { submitTimesheet(id: $id) { status } }", {"id": str(sheet.pk)})
    own = gql(as_employee, "mutation($id: ID!) { approveTimesheet(id: $id) { status } }", {"id": str(sheet.pk)})
    approved = gql(as_manager, "mutation($id: ID!) { approveTimesheet(id: $id) { status } }", {"id": str(sheet.pk)})
    rejected = gql(
        as_manager,
        'mutation($id: ID!) { rejectTimesheet(id: $id, reason: "Missing Friday") { status rejectionReason } }',
        {"id": str(other.pk)},
    )

    assert submitted.json()["data"]["submitTimesheet"]["status"] == "submitted"
    assert own.json()["errors"][0]["extensions"]["status"] == 403
    assert approved.json()["data"]["approveTimesheet"]["status"] == "approved"
    assert rejected.json()["data"]["rejectTimesheet"] == {"status": "rejected", "rejectionReason": "Missing Friday"}
    assert OutboxEvent.objects.filter(topic__startswith="time.timesheet.").count() == 3


def test_graphql_another_tenants_timesheet_is_a_404(other_organisation, gql, submitted):
    stranger = person(other_organisation, OfficeFactory(organisation=other_organisation), Role.ADMIN, name="Sam")

    body = gql(
        token_client(stranger), "mutation($id: ID!) { approveTimesheet(id: $id) { status } }", {"id": str(submitted.pk)}
    ).json()

    assert body["errors"][0]["extensions"]["status"] == 404
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_the_timesheet_topics_are_in_the_webhook_catalogue():
    for verb in ("submitted", "approved", "rejected", "reopened"):
        assert is_registered(f"time.timesheet.{verb}")


def test_the_list_carries_each_timesheets_totals(as_admin, employee, colleague, project):
    entry(employee, project, "2026-03-03T14:00:00+00:00", 2)
    entry(employee, project, "2026-03-10T14:00:00+00:00", 1)  # the next week
    entry(colleague, project, "2026-03-04T14:00:00+00:00", 0.5, billable=False)
    mine = TimesheetFactory(employee=employee)
    theirs = TimesheetFactory(employee=colleague)

    rows = {row["id"]: row["totals"] for row in as_admin.get("/v1/timesheets").json()["results"]}

    assert rows[mine.pk] == {"hours": "2.00", "billable_hours": "2.00", "non_billable_hours": "0.00", "entries": 1}
    assert rows[theirs.pk] == {"hours": "0.50", "billable_hours": "0.00", "non_billable_hours": "0.50", "entries": 1}


def test_a_manager_opens_a_direct_reports_timesheet_in_another_office(other_office_manager, employee):
    employee.manager = other_office_manager
    employee.save()

    response = open_sheet(token_client(other_office_manager), employee_id=employee.pk)

    assert response.status_code == 201, response.json()
    assert response.json()["employee_id"] == employee.pk


def test_the_detail_lists_the_changes_since_the_rejection(as_manager, as_employee, employee, project):
    changed = entry(employee, project, "2026-03-03T14:00:00+00:00")
    removed = entry(employee, project, "2026-03-04T14:00:00+00:00")
    sheet = TimesheetFactory(employee=employee, status="submitted")
    never_rejected = as_manager.get(f"/v1/timesheets/{sheet.pk}").json()
    assert (
        as_manager.post(f"/v1/timesheets/{sheet.pk}/reject", {"reason": "Check Tuesday"}, format="json").status_code
        == 200
    )

    as_employee.patch(f"/v1/time-entries/{changed.pk}", {"billable": False}, format="json")
    as_employee.delete(f"/v1/time-entries/{removed.pk}")
    as_employee.post(f"/v1/timesheets/{sheet.pk}/submit")
    body = as_manager.get(f"/v1/timesheets/{sheet.pk}").json()

    assert never_rejected["changes_since_rejection"] is None
    changes = {(c["kind"], c["entry_id"]): c for c in body["changes_since_rejection"]}
    assert set(changes) == {("changed", changed.pk), ("removed", removed.pk)}
    assert changes[("changed", changed.pk)]["fields"] == ["billable"]
    assert (
        changes["changed", changed.pk]["before"]["billable"],
        changes["changed", changed.pk]["now"]["billable"],
    ) == (
        True,
        False,
    )
    assert body["rejection_reason"] == "Check Tuesday"
