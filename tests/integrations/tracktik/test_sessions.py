"""Work sessions and break sessions (issue 19 point 3): the time entry of a shift carries the
worked time (the payroll source) net of unpaid breaks; our copy of the shift keeps the scheduled
hours (the billing report's) next to the clock-in/out, worked and break hours."""

from __future__ import annotations

import datetime
from decimal import Decimal

from integrations.tracktik.models import TracktikShift
from timetracking.models import TimeEntry

from . import fake_server as fk
from .conftest import WEEK, sync

UTC = datetime.UTC


def entry(organisation, shift_id: int) -> TimeEntry:
    return TimeEntry.objects.get(organisation=organisation, source="tracktik", external_id=str(shift_id))


def mirror(organisation, shift_id: int) -> TracktikShift:
    return TracktikShift.objects.get(organisation=organisation, tracktik_id=shift_id)


def add_sessions(fake) -> None:
    fake.data["work-sessions"] = [
        # 1001 scheduled 06:00-18:00: clocked in 06:05, out 18:20 (12 h 15)
        fk.work_session(1, 1001, 101, "2026-11-02T06:05:00", 735),
        # 1007 scheduled 09:00-16:30: two sessions, 09:00-12:00 and 13:00-16:30 (6 h 30)
        fk.work_session(2, 1007, 103, "2026-11-02T09:00:00", 180),
        fk.work_session(3, 1007, 103, "2026-11-02T13:00:00", 210),
        # 1008: still clocked in (no endedOn): not counted, the scheduled hours stand
        fk.work_session(4, 1008, 103, "2026-11-03T09:00:00", 60, endedOn=None),
    ]
    fake.data["break-sessions"] = [
        fk.break_session(1, 1001, "2026-11-02T12:00:00", 30),  # unpaid
        fk.break_session(2, 1001, "2026-11-02T15:00:00", 15, paid=True),  # paid: not deducted
        fk.break_session(3, 1005, "2026-11-02T12:00:00", 60),  # 1005 has no work session
    ]


def test_worked_time_net_of_unpaid_breaks_is_the_entry_and_the_schedule_is_kept(api, organisation, fake, connected):
    add_sessions(fake)

    run = sync(api, organisation)

    assert run["status"] == "succeeded" and run["error_count"] == 0 and run["created"] == 8
    # 1001: from the clock-in, 12 h 15 worked - 30 min unpaid break = 11 h 45
    worked = entry(organisation, 1001)
    assert worked.start_time == datetime.datetime(2026, 11, 2, 6, 5, tzinfo=UTC)
    assert worked.duration_seconds == (11 * 60 + 45) * 60
    assert worked.end_time == datetime.datetime(2026, 11, 2, 17, 50, tzinfo=UTC)
    assert "30 min unpaid break deducted" in worked.notes and "clocked in 2026-11-02 06:05" in worked.notes
    copy = mirror(organisation, 1001)
    assert (copy.start, copy.end, copy.hours) == (
        datetime.datetime(2026, 11, 2, 6, tzinfo=UTC),
        datetime.datetime(2026, 11, 2, 18, tzinfo=UTC),
        Decimal("12.00"),
    )  # the scheduled shift
    assert (copy.clock_in, copy.clock_out) == (
        datetime.datetime(2026, 11, 2, 6, 5, tzinfo=UTC),
        datetime.datetime(2026, 11, 2, 18, 20, tzinfo=UTC),
    )
    assert (copy.worked_hours, copy.unpaid_break_hours) == (Decimal("11.75"), Decimal("0.50"))
    # 1005: no work session, so the scheduled 8 h less the 1 h unpaid break
    assert entry(organisation, 1005).start_time == datetime.datetime(2026, 11, 2, 8, tzinfo=UTC)
    assert entry(organisation, 1005).duration_seconds == 7 * 3600
    assert mirror(organisation, 1005).clock_in is None
    # 1007: two sessions with an hour between them: 6 h 30 worked, from the first clock-in
    assert entry(organisation, 1007).start_time == datetime.datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert entry(organisation, 1007).duration_seconds == 6 * 3600 + 1800
    assert mirror(organisation, 1007).clock_out == datetime.datetime(2026, 11, 2, 16, 30, tzinfo=UTC)
    # 1008: the open session is ignored: the scheduled 7 h 30
    assert entry(organisation, 1008).duration_seconds == 7 * 3600 + 1800
    # the sessions are asked for the run's window, like the shifts
    assert fake.gets("work-sessions")[0]["limit"] == "100" and fake.gets("break-sessions")

    # the billing report bills the scheduled hours (TrackTik's hoursCount), not the worked ones
    report = api.get(f"/v1/reports/tracktik-billing?week={WEEK}").json()
    assert report["totals"]["hours"] == "79.00"


def test_a_resync_without_changes_and_a_changed_break(api, organisation, fake, connected):
    add_sessions(fake)
    sync(api, organisation)

    again = sync(api, organisation, full=True)

    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 8)
    fake.data["break-sessions"][0]["endedOn"] = "2026-11-02T12:45:00+00:00"  # the break took 45 min
    fake.data["work-sessions"].pop(0)  # and the clock-in of 1001 was deleted: back to the schedule

    changed = sync(api, organisation, full=True)

    assert (changed["updated"], changed["unchanged"]) == (1, 7)
    assert entry(organisation, 1001).start_time == datetime.datetime(2026, 11, 2, 6, tzinfo=UTC)
    assert entry(organisation, 1001).duration_seconds == (11 * 60 + 15) * 60
    assert mirror(organisation, 1001).clock_in is None


def test_breaks_that_leave_no_worked_time_are_a_record_error(api, organisation, fake, connected):
    fake.data["break-sessions"] = [fk.break_session(9, 1005, "2026-11-02T08:00:00", 8 * 60)]

    run = sync(api, organisation)

    assert run["created"] == 7 and run["error_count"] == 1
    assert run["errors"] == [
        {"record_type": "shift", "record_id": "1005", "message": "The unpaid breaks of the shift leave no worked time."}
    ]


def test_a_server_without_work_sessions_keeps_the_schedule_and_says_so(api, organisation, fake, connected):
    del fake.data["work-sessions"]  # 404: this TrackTik has no work sessions (or hides them)
    fake.data["break-sessions"] = [fk.break_session(1, 1005, "2026-11-02T12:00:00", 60)]

    run = sync(api, organisation)

    assert run["status"] == "succeeded" and run["created"] == 8
    assert run["errors"] == [
        {"record_type": "work-sessions", "record_id": "", "message": "TrackTik has no /work-sessions (HTTP 404)."}
    ]
    assert entry(organisation, 1001).duration_seconds == 12 * 3600  # the schedule
    assert entry(organisation, 1005).duration_seconds == 7 * 3600  # the breaks still count
