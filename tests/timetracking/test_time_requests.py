"""Manual time requests (issue 15 point 3): validated as a time entry, the workflow and who may do
each step (employee, colleague, manager of another office, their own manager, admin, owner, another
tenant), approval into a locked period, events and GraphQL — through REST and GraphQL with
personal tokens of each role."""

from __future__ import annotations

import datetime

import pytest

from integrations.models import OutboxEvent
from integrations.outbox import is_registered
from organisations.choices import Role
from organisations.models import AuditEvent
from timetracking.models import TimeEntry, TimeRequest

from .conftest import person, token_client
from .factories import TimeEntryFactory, TimeRequestFactory, TimesheetFactory

pytestmark = pytest.mark.django_db

START = "2026-03-03T14:00:00Z"  # inside the week 2026-03-02 .. 2026-03-08 (New York)
END = "2026-03-03T16:00:00Z"


def ask(api, project, start=START, end=END, **body):
    payload = {"project_id": project.pk, "start_time": start, "end_time": end, "reason": "Forgot the timer"}
    return api.post("/v1/time-requests", {**payload, **body}, format="json")


@pytest.fixture
def owner(organisation):
    return person(organisation, None, Role.OWNER, name="Olive")


@pytest.fixture
def other_office_manager(organisation, london_office):
    return person(organisation, london_office, Role.MANAGER, name="Max")


@pytest.fixture
def pending(employee, project):
    start = datetime.datetime(2026, 3, 3, 14, tzinfo=datetime.UTC)
    return TimeRequestFactory(
        employee=employee, project=project, start_time=start, end_time=start + datetime.timedelta(hours=2)
    )


# ----------------------------------------------------------------------------- create


def test_an_employee_asks_for_past_time_and_it_is_pending_with_an_event(as_employee, employee, project):
    response = ask(as_employee, project, notes="Client call")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["employee_id"], body["project_id"], body["status"], body["duration_seconds"]) == (
        employee.pk,
        project.pk,
        "pending",
        7200,
    )
    assert (body["reason"], body["notes"], body["time_entry_id"]) == ("Forgot the timer", "Client call", None)
    assert TimeEntry.objects.count() == 0
    event = OutboxEvent.objects.get(topic="time.request.created")
    assert str(body["id"]) in str(event.payload)
    assert is_registered("time.request.created") and is_registered("time.request.approved")
    assert is_registered("time.request.rejected")


def test_a_request_overlapping_an_entry_is_refused_as_an_entry_would_be(as_employee, employee, project):
    clash = TimeEntryFactory(
        employee=employee,
        project=project,
        start_time=datetime.datetime(2026, 3, 3, 15, tzinfo=datetime.UTC),
        end_time=datetime.datetime(2026, 3, 3, 17, tzinfo=datetime.UTC),
    )

    response = ask(as_employee, project)

    assert response.status_code == 409
    assert response.json()["conflicting_entry_id"] == clash.pk
    assert TimeRequest.objects.count() == 0


def test_future_time_an_archived_project_a_foreign_task_and_no_reason_are_422(as_employee, project, client_row):
    from .factories import ProjectFactory, TaskFactory

    future = ask(as_employee, project, start="2099-01-01T10:00:00Z", end="2099-01-01T11:00:00Z")
    assert future.status_code == 422 and "end_time" in future.json()["errors"]

    archived = ProjectFactory(client=client_row, status="archived")
    assert ask(as_employee, archived).status_code == 422

    elsewhere = TaskFactory(project=ProjectFactory(client=client_row))
    wrong_task = ask(as_employee, project, task_id=elsewhere.pk)
    assert wrong_task.status_code == 422 and "task_id" in wrong_task.json()["errors"]

    no_reason = ask(as_employee, project, reason="  ")
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]

    backwards = ask(as_employee, project, start=END, end=START)
    assert backwards.status_code == 422
    assert TimeRequest.objects.count() == 0


def test_a_leaver_cannot_ask_for_time_after_leaving(as_admin, employee, project):
    employee.termination_date = datetime.date(2026, 3, 1)
    employee.save()

    response = ask(as_admin, project, employee_id=employee.pk)

    assert response.status_code == 422
    assert "employee_id" in response.json()["errors"]


def test_an_employee_cannot_ask_for_a_colleague(as_employee, colleague, project):
    assert ask(as_employee, project, employee_id=colleague.pk).status_code == 422


# ----------------------------------------------------------------------------- approve


def test_the_manager_approves_and_the_entry_is_created_with_source_request(as_manager, pending):
    response = as_manager.post(f"/v1/time-requests/{pending.pk}/approve")

    assert response.status_code == 200, response.json()
    body = response.json()
    entry = TimeEntry.objects.get()
    assert (body["status"], body["time_entry_id"]) == ("approved", entry.pk)
    assert body["decided_by"].startswith("morgan@example.test")
    assert (entry.source, entry.employee_id, entry.duration_seconds) == ("request", pending.employee_id, 7200)
    topics = list(OutboxEvent.objects.order_by("id").values_list("topic", flat=True))
    assert topics[-2:] == ["time.entry.created", "time.request.approved"]
    assert AuditEvent.objects.filter(object_type="timetracking.TimeRequest", object_id=str(pending.pk)).exists()
    assert as_manager.get("/v1/time-entries", {"source": "request"}).json()["pagination"]["total"] == 1


def test_approval_validates_again_an_entry_added_since_is_a_409_and_nothing_changes(
    as_manager, employee, project, pending
):
    TimeEntryFactory(
        employee=employee,
        project=project,
        start_time=datetime.datetime(2026, 3, 3, 15, tzinfo=datetime.UTC),
        end_time=datetime.datetime(2026, 3, 3, 15, 30, tzinfo=datetime.UTC),
    )

    response = as_manager.post(f"/v1/time-requests/{pending.pk}/approve")

    assert response.status_code == 409
    pending.refresh_from_db()
    assert pending.status == "pending" and TimeEntry.objects.count() == 1


@pytest.mark.parametrize("who", ["employee", "colleague"])
def test_the_employee_and_a_colleague_cannot_approve(request, pending, who):
    api = token_client(request.getfixturevalue(who))

    assert api.post(f"/v1/time-requests/{pending.pk}/approve").status_code in (403, 404)
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_nobody_approves_their_own_request_not_even_an_owner(owner, project):
    mine = TimeRequestFactory(employee=owner, project=project)

    response = token_client(owner).post(f"/v1/time-requests/{mine.pk}/approve")

    assert response.status_code == 403
    assert TimeEntry.objects.count() == 0


def test_a_manager_of_another_office_neither_sees_nor_approves(other_office_manager, pending):
    api = token_client(other_office_manager)

    assert api.get(f"/v1/time-requests/{pending.pk}").status_code == 404
    assert api.post(f"/v1/time-requests/{pending.pk}/approve").status_code == 404
    assert api.get("/v1/time-requests").json()["pagination"]["total"] == 0


def test_the_employees_own_manager_in_another_office_approves(other_office_manager, employee, pending):
    employee.manager = other_office_manager
    employee.save()

    response = token_client(other_office_manager).post(f"/v1/time-requests/{pending.pk}/approve")

    assert response.status_code == 200, response.json()
    assert TimeEntry.objects.get().source == "request"


@pytest.mark.parametrize("who", ["admin", "owner"])
def test_admins_and_owners_approve(request, pending, who):
    response = token_client(request.getfixturevalue(who)).post(f"/v1/time-requests/{pending.pk}/approve")

    assert response.status_code == 200, response.json()


def test_another_tenant_sees_nothing_and_cannot_approve(other_api, pending):
    assert other_api.get(f"/v1/time-requests/{pending.pk}").status_code == 404
    assert other_api.post(f"/v1/time-requests/{pending.pk}/approve").status_code == 404
    assert other_api.get("/v1/time-requests").json()["pagination"]["total"] == 0


def test_two_approvals_one_wins_the_second_is_a_409(as_manager, as_admin, pending):
    assert as_manager.post(f"/v1/time-requests/{pending.pk}/approve").status_code == 200
    again = as_admin.post(f"/v1/time-requests/{pending.pk}/approve")

    assert again.status_code == 409
    assert again.json()["code"] == "time_request_status"
    assert TimeEntry.objects.count() == 1


# ----------------------------------------------------------------------------- locked periods


def test_into_a_locked_period_a_manager_is_refused_and_an_owner_approves_despite_the_lock(
    as_manager, owner, employee, pending
):
    TimesheetFactory(employee=employee, status="approved")  # the week of 2026-03-02: locked
    refused = as_manager.post(f"/v1/time-requests/{pending.pk}/approve")

    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "period_locked"
    assert problem["locked_period"]["period_start"] == "2026-03-02"
    assert "owners and admins" in problem["detail"]
    assert TimeEntry.objects.count() == 0

    approved = token_client(owner).post(f"/v1/time-requests/{pending.pk}/approve")

    assert approved.status_code == 200, approved.json()
    entry = TimeEntry.objects.get()
    assert entry.source == "request"
    overrides = [
        row.changes["locked_period_overridden"]
        for row in AuditEvent.objects.filter(object_type="timetracking.TimeRequest")
        if "locked_period_overridden" in (row.changes or {})
    ]
    assert overrides == [[None, "2026-03-02 to 2026-03-08"]]
    # the lock still holds for every other write
    assert token_client(owner).delete(f"/v1/time-entries/{entry.pk}").status_code == 409


def test_a_request_may_be_made_for_a_locked_period(as_employee, employee, project):
    TimesheetFactory(employee=employee, status="approved")

    assert ask(as_employee, project).status_code == 201


# ----------------------------------------------------------------------------- reject, cancel


def test_reject_needs_a_reason_and_records_it_and_an_event(as_manager, pending):
    assert as_manager.post(f"/v1/time-requests/{pending.pk}/reject", {}, format="json").status_code == 422

    response = as_manager.post(
        f"/v1/time-requests/{pending.pk}/reject", {"reason": "Not a billable day"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["rejection_reason"]) == ("rejected", "Not a billable day")
    assert OutboxEvent.objects.filter(topic="time.request.rejected").count() == 1
    assert TimeEntry.objects.count() == 0
    assert as_manager.post(f"/v1/time-requests/{pending.pk}/approve").status_code == 409


def test_the_requester_cancels_while_pending_nobody_else_does(as_employee, as_manager, as_admin, pending):
    assert as_manager.post(f"/v1/time-requests/{pending.pk}/cancel").status_code == 403
    assert as_admin.post(f"/v1/time-requests/{pending.pk}/cancel").status_code == 403

    response = as_employee.post(f"/v1/time-requests/{pending.pk}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert as_employee.post(f"/v1/time-requests/{pending.pk}/cancel").status_code == 409
    assert as_manager.post(f"/v1/time-requests/{pending.pk}/approve").status_code == 409


# ----------------------------------------------------------------------------- lists


def test_the_list_filters_by_employee_and_status(as_admin, employee, colleague, project, pending):
    TimeRequestFactory(employee=colleague, project=project, status="rejected")

    by_employee = as_admin.get("/v1/time-requests", {"employee_id": employee.pk}).json()
    by_status = as_admin.get("/v1/time-requests", {"status": "rejected"}).json()

    assert [r["id"] for r in by_employee["results"]] == [pending.pk]
    assert [r["employee_id"] for r in by_status["results"]] == [colleague.pk]
    assert as_admin.get("/v1/time-requests", {"status": "nope"}).status_code == 422


def test_an_employee_lists_only_their_own(as_employee, colleague, project, pending):
    TimeRequestFactory(employee=colleague, project=project)

    body = as_employee.get("/v1/time-requests").json()

    assert [r["id"] for r in body["results"]] == [pending.pk]


# ----------------------------------------------------------------------------- GraphQL


def graphql(api, query, variables=None):
    return api.post("/graphql", {"query": query, "variables": variables or {}}, format="json").json()


CREATE = """mutation($input: TimeRequestInput!) { createTimeRequest(input: $input) { databaseId status } }"""


def test_graphql_creates_lists_approves_and_rejects_with_the_same_rules(as_employee, as_manager, project):
    made = graphql(
        as_employee,
        CREATE,
        {"input": {"projectId": str(project.pk), "startTime": START, "endTime": END, "reason": "Forgot"}},
    )
    assert "errors" not in made, made
    pk = made["data"]["createTimeRequest"]["databaseId"]

    listed = graphql(
        as_manager,
        "query($f: TimeRequestFilter) { timeRequests(first: 10, filter: $f) { totalCount } }",
        {"f": {"status": "pending"}},
    )
    assert listed["data"]["timeRequests"]["totalCount"] == 1, listed

    own = graphql(as_employee, f'mutation {{ approveTimeRequest(id: "{pk}") {{ status }} }}')
    assert own["errors"][0]["extensions"]["status"] == 403

    approved = graphql(as_manager, f'mutation {{ approveTimeRequest(id: "{pk}") {{ status timeEntryId }} }}')
    assert approved["data"]["approveTimeRequest"]["status"] == "approved", approved
    assert approved["data"]["approveTimeRequest"]["timeEntryId"] == TimeEntry.objects.get().pk

    second = graphql(
        as_employee,
        CREATE,
        {
            "input": {
                "projectId": str(project.pk),
                "startTime": "2026-03-04T14:00:00Z",
                "endTime": "2026-03-04T15:00:00Z",
                "reason": "Again",
            }
        },
    )["data"]["createTimeRequest"]["databaseId"]
    rejected = graphql(
        as_manager, f'mutation {{ rejectTimeRequest(id: "{second}", reason: "No") {{ status rejectionReason }} }}'
    )
    assert rejected["data"]["rejectTimeRequest"] == {"status": "rejected", "rejectionReason": "No"}


# ----------------------------------------------------------------------------- demo


def test_the_demo_seeds_one_pending_time_request_once():
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)

    assert list(TimeRequest.objects.values_list("status", flat=True)) == ["pending"]
