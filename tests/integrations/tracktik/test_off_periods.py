"""TrackTik's schedule-off-periods → approved leave in HR (issue 19 point 3): the leave type
matched by name, then kind, then the custom fallback; idempotent by the TrackTik id; a changed
period replaces its request, a withdrawn one is cancelled (the hours come back)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hr.models import EmployeeExternalId, LeaveLedgerEntry, LeaveRequest
from tests.hr.factories import LeaveTypeFactory

from . import fake_server as fk
from .conftest import sync


def imported(organisation):
    return LeaveRequest.objects.filter(organisation=organisation, external_source="tracktik")


def guard(organisation, tracktik_id: int):
    return EmployeeExternalId.objects.get(organisation=organisation, external_id=str(tracktik_id)).employee


def test_off_periods_become_approved_leave_of_the_matching_type(api, organisation, fake, connected):
    vacation = LeaveTypeFactory(organisation=organisation, name="Vacation", kind="vacation")
    sick = LeaveTypeFactory(organisation=organisation, name="Sick leave", kind="sick")
    other = LeaveTypeFactory(organisation=organisation, name="Other", kind="custom")
    fake.data["schedule-off-periods"] = [
        fk.off_period(71, 101, "2026-11-09", "2026-11-10", {"id": 1, "name": "vacation"}),  # by name
        fk.off_period(72, 102, "2026-11-11", "2026-11-11", "SICK"),  # by kind
        fk.off_period(73, 103, "2026-11-12", "2026-11-12", {"name": "Jury duty", "code": "JURY"}),  # fallback
        fk.off_period(74, 103, "2026-11-13", "2026-11-13", "SICK", status="PENDING"),  # not approved
        fk.off_period(75, 999, "2026-11-13", "2026-11-13", "SICK"),  # unknown guard
    ]

    run = sync(api, organisation)

    assert run["status"] == "succeeded"
    assert (run["leave_created"], run["leave_updated"], run["leave_unchanged"], run["leave_withdrawn"]) == (3, 0, 0, 0)
    assert run["errors"] == [
        {"record_type": "schedule-off-period", "record_id": "75", "message": "Unknown TrackTik employee 999."}
    ]
    rows = {r.external_id: r for r in imported(organisation)}
    assert sorted(rows) == ["71", "72", "73"]
    assert all(r.status == "approved" for r in rows.values())
    assert (rows["71"].leave_type, rows["72"].leave_type, rows["73"].leave_type) == (vacation, sick, other)
    assert rows["71"].employee == guard(organisation, 101)
    assert (rows["71"].start_date, rows["71"].end_date) == (datetime.date(2026, 11, 9), datetime.date(2026, 11, 10))
    assert rows["71"].working_days == 2 and rows["71"].hours == Decimal("16.00")
    # approved: the usage is booked, and the request is read like any other through the API
    assert LeaveLedgerEntry.objects.get(request=rows["71"]).hours == Decimal("-16.00")
    listed = api.get("/v1/hr/leave-requests", {"status": "approved"}).json()
    assert {r["id"] for r in listed["results"]} >= {r.pk for r in rows.values()}

    again = sync(api, organisation, full=True)

    assert again["status"] == "succeeded" and (again["leave_created"], again["leave_unchanged"]) == (0, 3)
    assert imported(organisation).count() == 3 and LeaveLedgerEntry.objects.count() == 3  # nothing new


def test_a_changed_period_replaces_its_leave_and_a_withdrawn_one_is_cancelled(api, organisation, fake, connected):
    LeaveTypeFactory(organisation=organisation, name="Vacation", kind="vacation")
    LeaveTypeFactory(organisation=organisation, name="Sick", kind="sick")
    fake.data["schedule-off-periods"] = [
        fk.off_period(71, 101, "2026-11-09", "2026-11-10", "Vacation"),
        fk.off_period(72, 102, "2026-11-11", "2026-11-11", "SICK"),
    ]
    sync(api, organisation)
    first = imported(organisation).get(external_id="71")
    fake.data["schedule-off-periods"][0]["endedOn"] = "2026-11-11"  # a day longer
    fake.data["schedule-off-periods"][1]["status"] = "CANCELLED"  # no longer approved

    run = sync(api, organisation, full=True)

    assert run["status"] == "succeeded" and run["error_count"] == 0
    assert (run["leave_updated"], run["leave_withdrawn"]) == (1, 1)
    first.refresh_from_db()
    assert first.status == "cancelled"
    live = imported(organisation).exclude(status="cancelled")
    assert [(r.external_id, r.end_date, r.hours) for r in live] == [
        ("71", datetime.date(2026, 11, 11), Decimal("24.00"))
    ]
    assert imported(organisation).get(external_id="72").status == "cancelled"
    # each cancellation gave its hours back
    assert LeaveLedgerEntry.objects.filter(kind="cancellation").count() == 2


def test_without_a_matching_or_custom_type_the_period_is_a_record_error(api, organisation, fake, connected):
    LeaveTypeFactory(organisation=organisation, name="Vacation", kind="vacation")
    fake.data["schedule-off-periods"] = [fk.off_period(72, 102, "2026-11-11", "2026-11-11", "SICK")]

    run = sync(api, organisation)

    assert run["status"] == "succeeded" and run["error_count"] == 1
    assert run["errors"][0]["record_id"] == "72" and "No leave type matches" in run["errors"][0]["message"]
    assert not imported(organisation).exists()


def test_a_period_starting_before_the_window_is_not_withdrawn(api, organisation, fake, connected):
    LeaveTypeFactory(organisation=organisation, name="Vacation", kind="vacation")
    fake.data["schedule-off-periods"] = [fk.off_period(71, 101, "2026-11-09", "2026-11-12", "Vacation")]
    sync(api, organisation)
    api.put("/v1/integrations/tracktik", {"sync_from": "2026-11-10"}, format="json")

    run = sync(api, organisation, full=True)  # reads off-periods starting on or after 2026-11-10

    assert fake.gets("schedule-off-periods")[-1]["startedOn:gte"] == "2026-11-10"
    assert run["status"] == "succeeded"
    assert imported(organisation).get(external_id="71").status == "approved"
