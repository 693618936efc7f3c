"""The sync against the fake TrackTik server (issue 19 point 3): first sync, a re-sync that
changes nothing, changed / unapproved / deleted shifts, a locked period, employee matching,
token expiry, rate limiting, 5xx and slow answers, a failed run that resumes, tenancy."""

from __future__ import annotations

import datetime

from hr.models import Employee, EmployeeExternalId
from integrations.models import OutboxEvent
from integrations.tracktik.models import TracktikShift, TracktikSyncRun
from tests.hr.factories import EmployeeFactory
from tests.timetracking.factories import TimesheetFactory
from timetracking.models import Client, Project, Task, TimeEntry, Timesheet

from . import fake_server as fk
from .conftest import connect, sync

APPROVED = 8


def entries(organisation):
    return TimeEntry.objects.filter(organisation=organisation, source="tracktik")


def test_first_sync_creates_employees_clients_projects_tasks_and_entries(api, organisation, fake, connected):
    run = sync(api, organisation)

    assert run["status"] == "succeeded", run
    assert (run["created"], run["updated"], run["unchanged"], run["removed"], run["flagged"]) == (APPROVED, 0, 0, 0, 0)
    assert run["error_count"] == 0 and run["progress"] == 100 and run["done"] == APPROVED
    assert Employee.objects.filter(organisation=organisation).count() == 3
    guard = EmployeeExternalId.objects.get(organisation=organisation, external_id="101").employee
    assert (guard.first_name, guard.employee_number, guard.email) == ("Guard", "G101", "guard101@example.com")
    assert sorted(Client.objects.filter(organisation=organisation).values_list("name", flat=True)) == [
        "Amsterdam Campus",
        "New York HQ",
    ]
    project = Project.objects.get(organisation=organisation, name="CA AMS")
    assert project.client.name == "Amsterdam Campus"
    assert sorted(Task.objects.filter(project=project).values_list("name", flat=True)) == ["Front Desk", "Patrol"]
    entry = entries(organisation).get(external_id="1001")
    assert (entry.employee_id, entry.project_id, entry.task.name) == (guard.pk, project.pk, "Front Desk")
    assert entry.start_time == datetime.datetime(2026, 11, 2, 6, tzinfo=datetime.UTC)
    assert entry.duration_seconds == 12 * 3600
    assert entries(organisation).count() == APPROVED  # the PENDING shift is not synced
    # the request follows the seed: approved shifts, related objects included, 100 a page, sorted
    shift_query = fake.gets("shifts")[0]
    assert shift_query["status"] == "APPROVED" and shift_query["include"] == "employee,position,client"
    assert (shift_query["limit"], shift_query["page"], shift_query["sort"]) == ("100", "1", "startedOn")
    event = OutboxEvent.objects.get(organisation=organisation, topic="tracktik.sync.completed")
    assert event.payload == {
        "id": run["id"],
        "full": False,
        "status": "succeeded",
        "created": APPROVED,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
        "flagged": 0,
        "error_count": 0,
    }


def test_a_resync_without_changes_changes_nothing(api, organisation, fake, connected):
    sync(api, organisation)
    before = list(entries(organisation).order_by("pk").values_list("pk", "updated_at", "duration_seconds"))
    employees = Employee.objects.filter(organisation=organisation).count()

    run = sync(api, organisation, full=True)

    assert (run["created"], run["updated"], run["unchanged"], run["removed"], run["flagged"]) == (0, 0, APPROVED, 0, 0)
    assert list(entries(organisation).order_by("pk").values_list("pk", "updated_at", "duration_seconds")) == before
    assert Employee.objects.filter(organisation=organisation).count() == employees


def test_changed_unapproved_and_deleted_shifts(api, organisation, fake, connected):
    sync(api, organisation)
    shifts = {s["id"]: s for s in fake.data["shifts"]}
    shifts[1005].update(fk.shift(1005, 102, 11, 22, "2026-11-02T08:00:00", 9))  # an hour longer
    shifts[1007]["status"] = "DRAFT"  # approval withdrawn
    fake.data["shifts"].remove(shifts[1008])  # deleted in TrackTik

    run = sync(api, organisation, full=True)

    assert (run["created"], run["updated"], run["unchanged"], run["removed"], run["flagged"]) == (0, 1, 5, 2, 0)
    assert entries(organisation).get(external_id="1005").duration_seconds == 9 * 3600
    assert not entries(organisation).filter(external_id__in=["1007", "1008"]).exists()
    assert TracktikShift.objects.get(organisation=organisation, tracktik_id=1007).state == "removed"
    # approved again: it comes back
    shifts[1007]["status"] = "APPROVED"
    run = sync(api, organisation, full=True)
    assert run["created"] == 1 and entries(organisation).filter(external_id="1007").exists()


def test_changes_in_a_locked_period_are_flagged_not_written(api, organisation, fake, connected):
    sync(api, organisation)
    guard = EmployeeExternalId.objects.get(organisation=organisation, external_id="102").employee
    TimesheetFactory(
        employee=guard,
        organisation=organisation,
        period_start=datetime.date(2026, 11, 2),
        period_end=datetime.date(2026, 11, 8),
        status="approved",
    )
    shifts = {s["id"]: s for s in fake.data["shifts"]}
    shifts[1005].update(fk.shift(1005, 102, 11, 22, "2026-11-02T08:00:00", 9))
    fake.data["shifts"].remove(shifts[1006])

    run = sync(api, organisation, full=True)

    assert (run["updated"], run["removed"], run["flagged"]) == (0, 0, 2)
    assert entries(organisation).get(external_id="1005").duration_seconds == 8 * 3600  # untouched
    assert entries(organisation).filter(external_id="1006").exists()
    flagged = TracktikShift.objects.filter(organisation=organisation, state="flagged")
    assert sorted(flagged.values_list("tracktik_id", flat=True)) == [1005, 1006]
    assert "2026-11-02 to 2026-11-08 is locked" in flagged.get(tracktik_id=1005).flag_reason


def test_employees_match_by_custom_id_then_email_and_inactive_are_terminated(api, organisation, fake, connected):
    by_number = EmployeeFactory(office__organisation=organisation, employee_number="G101", first_name="Ann")
    by_email = EmployeeFactory(office__organisation=organisation, email="GUARD102@example.com", first_name="Bo")
    fake.data["employees"][2]["status"] = "INACTIVE"

    run = sync(api, organisation)

    assert run["status"] == "succeeded"
    links = dict(EmployeeExternalId.objects.filter(organisation=organisation).values_list("external_id", "employee_id"))
    assert links["101"] == by_number.pk and links["102"] == by_email.pk
    assert Employee.objects.filter(organisation=organisation).count() == 3
    by_number.refresh_from_db()
    assert by_number.first_name == "Guard"  # TrackTik is the source of the name
    assert Employee.objects.get(pk=links["103"]).status == "terminated"  # kept, never deleted


def test_a_token_expiring_mid_sync_is_refreshed(api, organisation, fake, connected):
    fake.expire_after = 4  # during the sites/positions pages

    run = sync(api, organisation)

    assert run["status"] == "succeeded" and run["created"] == APPROVED
    assert fake.grants == ["password", "refresh_token"]


def test_rate_limits_5xx_and_a_slow_answer_are_retried(api, organisation, fake, connected):
    fake.fail("/rest/v1/shifts", 429, 2, headers={"Retry-After": "0.01"})
    fake.fail("/rest/v1/employees", 500, 1)
    fake.fail("/rest/v1/clients", 200, 1, delay=1.0)  # slower than the 0.5 s timeout
    fake.rate_limit_remaining = 0  # every answer says the window is used up: the client pauses

    run = sync(api, organisation)

    assert run["status"] == "succeeded" and run["created"] == APPROVED
    assert len(fake.gets("shifts")) == 3 and len(fake.gets("employees")) == 2 and len(fake.gets("clients")) == 2


def test_a_failed_run_keeps_its_reason_and_the_next_run_resumes(api, organisation, fake, connected):
    fake.data["shifts"] += [fk.shift(2000 + n, 101, 12, 23, "2026-11-10T06:00:00", 1) for n in range(150)]
    fake.fail("/rest/v1/shifts", 500, 10, query={"page": "2"})

    failed = sync(api, organisation)

    assert failed["status"] == "failed"
    assert failed["reason"] == "TrackTik answered /rest/v1/shifts with HTTP 500; gave up after 4 tries."
    assert failed["created"] == 100 and entries(organisation).count() == 100  # the first page stayed
    assert OutboxEvent.objects.filter(organisation=organisation, topic="tracktik.sync.failed").count() == 1
    fake.faults.clear()

    resumed = sync(api, organisation)

    assert resumed["status"] == "succeeded"
    assert (resumed["created"], resumed["unchanged"]) == (APPROVED + 150 - 100, 100)
    assert entries(organisation).count() == APPROVED + 150


def test_bad_records_are_listed_with_their_tracktik_id(api, organisation, fake, connected):
    fake.data["shifts"].append(fk.shift(3000, 999, 11, 21, "2026-11-06T06:00:00", 4))

    run = sync(api, organisation)

    assert run["status"] == "succeeded" and run["error_count"] == 1
    assert run["errors"] == [{"record_type": "shift", "record_id": "3000", "message": "Unknown TrackTik employee 999."}]


def test_a_sync_writes_only_into_its_own_organisation(
    api, other_api, organisation, other_organisation, fake, connected
):
    connect(other_api, fake)
    sync(api, organisation)

    run = sync(other_api, other_organisation)

    assert run["created"] == APPROVED
    assert entries(organisation).count() == APPROVED and entries(other_organisation).count() == APPROVED
    assert not set(entries(organisation).values_list("employee_id", flat=True)) & set(
        entries(other_organisation).values_list("employee_id", flat=True)
    )
    other_run = TracktikSyncRun.objects.get(organisation=other_organisation)
    assert api.get(f"/v1/integrations/tracktik/runs/{other_run.pk}").status_code == 404


def test_one_run_at_a_time_and_only_when_enabled(api, organisation, fake, connected):
    assert api.post("/v1/integrations/tracktik/sync", {}, format="json").status_code == 202

    second = api.post("/v1/integrations/tracktik/sync", {}, format="json")

    assert second.status_code == 409
    api.put("/v1/integrations/tracktik", {"enabled": False}, format="json")
    TracktikSyncRun.objects.update(status="failed")
    assert api.post("/v1/integrations/tracktik/sync", {}, format="json").status_code == 409


def test_trusting_trackiks_approval_approves_the_ended_periods(api, organisation, fake, connected):
    api.put("/v1/integrations/tracktik", {"trust_approval": True}, format="json")

    sync(api, organisation)

    sheets = Timesheet.objects.filter(organisation=organisation, status="approved")
    assert sheets.count() == 3  # the three guards' week of 2026-11-02, which has ended
    assert {s.period_start for s in sheets} == {datetime.date(2026, 11, 2)}
    assert sheets.first().decided_by_label == "TrackTik (trusted approval)"
    # the period is now locked: a later change in TrackTik is flagged for review, not written
    fake.data["shifts"][0].update(fk.shift(1001, 101, 11, 21, "2026-11-02T06:00:00", 11))
    assert sync(api, organisation, full=True)["flagged"] == 1
