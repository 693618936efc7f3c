"""Timesheet periods (issue 15 point 1): local dates in the employee's office timezone, DST-safe;
weekly (Monday or Sunday), bi-weekly from an anchor, semi-monthly and monthly; the settings."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from timetracking.choices import TimesheetPeriod
from timetracking.periods import Period, period_containing

from .factories import TimeEntryFactory, TimesheetFactory, TimesheetSettingsFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.mark.parametrize(
    ("kind", "day", "expected"),
    [
        (TimesheetPeriod.WEEKLY_MONDAY, D(2026, 3, 8), (D(2026, 3, 2), D(2026, 3, 8))),
        (TimesheetPeriod.WEEKLY_SUNDAY, D(2026, 3, 8), (D(2026, 3, 8), D(2026, 3, 14))),
        (TimesheetPeriod.WEEKLY_SUNDAY, D(2026, 3, 7), (D(2026, 3, 1), D(2026, 3, 7))),
        (TimesheetPeriod.SEMI_MONTHLY, D(2026, 2, 15), (D(2026, 2, 1), D(2026, 2, 15))),
        (TimesheetPeriod.SEMI_MONTHLY, D(2026, 2, 16), (D(2026, 2, 16), D(2026, 2, 28))),
        (TimesheetPeriod.SEMI_MONTHLY, D(2028, 2, 29), (D(2028, 2, 16), D(2028, 2, 29))),
        (TimesheetPeriod.SEMI_MONTHLY, D(2026, 12, 31), (D(2026, 12, 16), D(2026, 12, 31))),
        (TimesheetPeriod.MONTHLY, D(2026, 4, 30), (D(2026, 4, 1), D(2026, 4, 30))),
    ],
)
def test_the_period_holding_a_day(kind, day, expected):
    period = period_containing(day, kind)

    assert (period.start, period.end) == expected


def test_bi_weekly_periods_follow_the_anchor_both_ways():
    anchor = D(2026, 1, 5)

    assert period_containing(D(2026, 1, 18), TimesheetPeriod.BIWEEKLY, anchor) == Period(D(2026, 1, 5), D(2026, 1, 18))
    assert period_containing(D(2026, 1, 19), TimesheetPeriod.BIWEEKLY, anchor) == Period(D(2026, 1, 19), D(2026, 2, 1))
    assert period_containing(D(2026, 1, 4), TimesheetPeriod.BIWEEKLY, anchor) == Period(D(2025, 12, 22), D(2026, 1, 4))


def test_a_new_york_week_across_the_march_change_is_167_hours_of_seven_local_days():
    """DST starts in New York on Sunday 2026-03-08 at 02:00 (clocks go to 03:00)."""
    ny = ZoneInfo("America/New_York")
    start, end = Period(D(2026, 3, 2), D(2026, 3, 8)).bounds(ny)

    assert start == datetime.datetime(2026, 3, 2, 5, 0, tzinfo=datetime.UTC)  # EST midnight
    assert end == datetime.datetime(2026, 3, 9, 4, 0, tzinfo=datetime.UTC)  # EDT midnight
    assert end - start == datetime.timedelta(hours=167)


def test_the_dst_week_counts_late_sunday_evening_on_sunday(as_employee, employee, project):
    # 23:30 on Sunday 2026-03-08 in New York (EDT, UTC-4) is 03:30Z on Monday the 9th
    sunday_night = datetime.datetime(2026, 3, 9, 3, 30, tzinfo=datetime.UTC)
    # 23:30 on Sunday 2026-03-01 (EST, UTC-5) is 04:30Z on Monday the 2nd: the week before
    week_before = datetime.datetime(2026, 3, 2, 4, 30, tzinfo=datetime.UTC)
    monday_morning = datetime.datetime(2026, 3, 2, 5, 0, tzinfo=datetime.UTC)  # 00:00 EST Monday
    for start in (sunday_night, week_before, monday_morning):
        TimeEntryFactory(
            employee=employee,
            project=project,
            start_time=start,
            end_time=start + datetime.timedelta(minutes=30),
            duration_seconds=1800,
        )
    sheet = TimesheetFactory(employee=employee)

    body = as_employee.get(f"/v1/timesheets/{sheet.pk}").json()

    days = {d["date"]: d["hours"] for d in body["days"]}
    assert days["2026-03-02"] == "0.50"
    assert days["2026-03-08"] == "0.50"
    assert body["totals"]["hours"] == "1.00"
    assert len(body["entries"]) == 2


def test_the_november_change_week_is_169_hours():
    start, end = Period(D(2026, 10, 26), D(2026, 11, 1)).bounds(ZoneInfo("America/New_York"))

    assert end - start == datetime.timedelta(hours=169)


def test_a_semi_monthly_organisation_opens_the_second_half_of_february(as_employee, organisation):
    TimesheetSettingsFactory(organisation=organisation, period=TimesheetPeriod.SEMI_MONTHLY)

    second_half = as_employee.post("/v1/timesheets", {"date": "2026-02-20"}, format="json")
    wrong_start = as_employee.post("/v1/timesheets", {"period_start": "2026-02-02"}, format="json")

    assert second_half.status_code == 201, second_half.json()
    assert (second_half.json()["period_start"], second_half.json()["period_end"]) == ("2026-02-16", "2026-02-28")
    assert len(second_half.json()["days"]) == 13
    assert wrong_start.status_code == 422


# ----------------------------------------------------------------------------- settings


def test_admins_set_the_period_type_and_the_automatic_lock(as_admin, as_employee):
    changed = as_admin.patch(
        "/v1/timesheet-settings", {"period": "biweekly", "anchor": "2026-01-05", "auto_lock_days": 5}, format="json"
    )
    refused = as_employee.patch("/v1/timesheet-settings", {"auto_lock_days": 1}, format="json")
    read = as_employee.get("/v1/timesheet-settings")

    assert changed.status_code == 200, changed.json()
    assert refused.status_code == 403
    assert {k: read.json()[k] for k in ("period", "anchor", "auto_lock_days")} == {
        "period": "biweekly",
        "anchor": "2026-01-05",
        "auto_lock_days": 5,
    }


def test_bi_weekly_needs_an_anchor(as_admin):
    response = as_admin.patch("/v1/timesheet-settings", {"period": "biweekly"}, format="json")

    assert response.status_code == 422
    assert "anchor" in response.json()["errors"]


def test_the_period_type_is_fixed_once_timesheets_exist(as_admin, employee):
    TimesheetFactory(employee=employee)

    response = as_admin.patch("/v1/timesheet-settings", {"period": "monthly"}, format="json")
    lock_only = as_admin.patch("/v1/timesheet-settings", {"auto_lock_days": 2}, format="json")

    assert response.status_code == 409
    assert lock_only.status_code == 200
