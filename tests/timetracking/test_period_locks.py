"""Period locks (issue 15 point 2): once a timesheet is approved, every write that touches the
employee's time in that period is refused with a 409 naming the period — REST create, update and
delete, bulk actions, the CSV import (the whole file), timers, GraphQL, pages and the admin — and
the organisation's automatic lock does the same N days after a period ends, timesheet or not."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from organisations.models import Organisation
from timetracking.models import TimeEntry
from timetracking.services.locks import PeriodLocks

from .conftest import token_client
from .factories import TimeEntryFactory, TimesheetFactory, TimesheetSettingsFactory

pytestmark = pytest.mark.django_db

# the week of Monday 2026-03-02 in New York (the employee's office)
IN_WEEK = datetime.datetime(2026, 3, 4, 14, 0, tzinfo=datetime.UTC)
NEXT_WEEK = datetime.datetime(2026, 3, 10, 14, 0, tzinfo=datetime.UTC)


def at(instant: datetime.datetime, hours: int = 1) -> dict:
    return {"start_time": instant.isoformat(), "end_time": (instant + datetime.timedelta(hours=hours)).isoformat()}


@pytest.fixture
def approved(employee):
    return TimesheetFactory(employee=employee, status="approved")


@pytest.fixture
def locked_entry(employee, project, approved):
    return TimeEntryFactory(
        employee=employee, project=project, start_time=IN_WEEK, end_time=IN_WEEK + datetime.timedelta(hours=1)
    )


def assert_locked(response, period_start="2026-03-02"):
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "period_locked"
    assert body["locked_period"]["period_start"] == period_start
    assert period_start in body["detail"]


# ----------------------------------------------------------------------------- REST


def test_creating_time_in_an_approved_period_is_a_409_naming_it(as_employee, employee, project, approved):
    response = as_employee.post("/v1/time-entries", {"project_id": project.pk, **at(IN_WEEK)}, format="json")

    assert_locked(response)
    assert response.json()["locked_period"] == {
        "employee_id": employee.pk,
        "period_start": "2026-03-02",
        "period_end": "2026-03-08",
        "reason": "approved",
    }
    assert TimeEntry.objects.count() == 0


def test_the_next_period_stays_open(as_employee, project, approved):
    response = as_employee.post("/v1/time-entries", {"project_id": project.pk, **at(NEXT_WEEK)}, format="json")

    assert response.status_code == 201, response.json()


def test_a_colleague_in_the_same_week_is_not_locked(as_manager, colleague, project, approved):
    response = as_manager.post(
        "/v1/time-entries", {"employee_id": colleague.pk, "project_id": project.pk, **at(IN_WEEK)}, format="json"
    )

    assert response.status_code == 201, response.json()


def test_updating_and_deleting_a_locked_entry_are_409s(as_employee, locked_entry):
    update = as_employee.patch(f"/v1/time-entries/{locked_entry.pk}", {"notes": "Changed"}, format="json")
    delete = as_employee.delete(f"/v1/time-entries/{locked_entry.pk}")

    assert_locked(update)
    assert_locked(delete)
    locked_entry.refresh_from_db()
    assert locked_entry.notes == "Worked"


def test_moving_an_open_entry_into_a_locked_period_is_a_409(as_employee, employee, project, approved):
    entry = TimeEntryFactory(
        employee=employee, project=project, start_time=NEXT_WEEK, end_time=NEXT_WEEK + datetime.timedelta(hours=1)
    )

    response = as_employee.patch(f"/v1/time-entries/{entry.pk}", at(IN_WEEK), format="json")

    assert_locked(response)


def test_reopening_unlocks_the_period(admin, as_employee, project, approved):
    reopened = token_client(admin).post(f"/v1/timesheets/{approved.pk}/reopen", {"reason": "Fix"}, format="json")
    response = as_employee.post("/v1/time-entries", {"project_id": project.pk, **at(IN_WEEK)}, format="json")

    assert reopened.status_code == 200
    assert response.status_code == 201, response.json()


# ----------------------------------------------------------------------------- bulk, import, timers


def test_a_bulk_action_touching_a_locked_entry_changes_nothing(as_admin, employee, project, locked_entry):
    free = TimeEntryFactory(
        employee=employee, project=project, start_time=NEXT_WEEK, end_time=NEXT_WEEK + datetime.timedelta(hours=1)
    )

    response = as_admin.post(
        "/v1/time-entries/bulk",
        {"entry_ids": [free.pk, locked_entry.pk], "action": "set_paid", "value": True},
        format="json",
    )

    assert_locked(response)
    assert list(TimeEntry.objects.order_by("id").values_list("paid", flat=True)) == [False, False]


def test_a_csv_file_with_one_row_in_a_locked_period_imports_nothing(as_employee, project, approved):
    body = (
        "Date,Start,End,Project\n"
        "2026-03-10,09:00,10:00,Website\n"  # open week
        "2026-03-04,09:00,10:00,Website\n"  # approved week
    )

    response = as_employee.post("/v1/time-entries/import-csv", {"csv": body}, format="json")

    assert_locked(response)
    errors = response.json()["errors"]
    assert list(errors) == ["line 3"]
    assert "2026-03-02 to 2026-03-08" in errors["line 3"][0]
    assert response.json()["locked_rows"] == 1
    assert TimeEntry.objects.count() == 0


def test_starting_a_timer_in_a_locked_period_is_a_409(as_employee, employee, project):
    today = timezone.now().astimezone(datetime.UTC).date()
    monday = today - datetime.timedelta(days=today.weekday())
    # today's week in New York (the timesheet covers the current local week; a few days of margin)
    TimesheetFactory(
        employee=employee,
        status="approved",
        period_start=monday - datetime.timedelta(days=7),
        period_end=monday + datetime.timedelta(days=13),
    )

    response = as_employee.post("/v1/timer/start", {"project_id": project.pk}, format="json")

    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "period_locked"
    assert TimeEntry.objects.count() == 0


def test_stopping_a_timer_that_started_in_a_locked_period_is_a_409(as_employee, employee, project):
    TimeEntryFactory(employee=employee, project=project, start_time=IN_WEEK, end_time=None, duration_seconds=None)
    TimesheetFactory(employee=employee, status="approved")

    response = as_employee.post("/v1/timer/stop", {}, format="json")

    assert_locked(response)
    assert TimeEntry.objects.get().end_time is None


# ----------------------------------------------------------------------------- GraphQL, pages, admin


def test_graphql_mutations_on_a_locked_period_are_409_problems(as_employee, gql, project, locked_entry):
    create = gql(
        as_employee,
        "mutation($input: TimeEntryInput!) { createTimeEntry(input: $input) { databaseId } }",
        {
            "input": {
                "projectId": str(project.pk),
                "startTime": "2026-03-05T14:00:00Z",
                "endTime": "2026-03-05T15:00:00Z",
            }
        },
    ).json()
    delete = gql(
        as_employee, "mutation($id: ID!) { deleteTimeEntry(id: $id) { deletedId } }", {"id": str(locked_entry.pk)}
    ).json()

    for body in (create, delete):
        assert body["errors"][0]["extensions"]["status"] == 409, body
        assert body["errors"][0]["extensions"]["code"] == "period_locked"
    assert TimeEntry.objects.count() == 1


def test_the_pages_refuse_edits_and_deletes_of_a_locked_entry(session_client, employee, locked_entry):
    browser = session_client(employee.membership)

    edited = browser.post(
        f"/app/time/entries/{locked_entry.pk}/edit", {"notes": "Changed", "billable": "on"}, follow=True
    )
    deleted = browser.post(f"/app/time/entries/{locked_entry.pk}/delete", follow=True)

    assert "2026-03-02" in edited.content.decode()
    assert "2026-03-02" in deleted.content.decode()
    locked_entry.refresh_from_db()
    assert locked_entry.notes == "Worked"


@pytest.fixture
def superuser_client(client, db):
    user = get_user_model().objects.create_superuser("root@example.test", "pw-123456789")
    client.force_login(user)
    return client


def test_the_admin_refuses_to_change_or_delete_a_locked_entry(superuser_client, locked_entry):
    url = f"/admin/timetracking/timeentry/{locked_entry.pk}/change/"
    change = superuser_client.post(url, {"notes": "Changed", "tags": "", "billable": "on", "paid": "on"})
    delete = superuser_client.post(
        f"/admin/timetracking/timeentry/{locked_entry.pk}/delete/", {"post": "yes"}, follow=True
    )

    assert change.status_code == 200  # the form again, with the error
    assert "2026-03-02" in change.content.decode()
    assert "2026-03-02" in delete.content.decode()
    locked_entry.refresh_from_db()
    assert (locked_entry.notes, locked_entry.paid) == ("Worked", False)
    assert TimeEntry.objects.filter(pk=locked_entry.pk).exists()


def test_every_timesheet_admin_page_answers(superuser_client, approved, organisation):
    settings = TimesheetSettingsFactory(organisation=organisation)
    assert superuser_client.get("/admin/timetracking/timesheet/").status_code == 200
    assert superuser_client.get(f"/admin/timetracking/timesheet/{approved.pk}/change/").status_code == 200
    assert superuser_client.get("/admin/timetracking/timesheetsettings/").status_code == 200
    assert superuser_client.get(f"/admin/timetracking/timesheetsettings/{settings.pk}/change/").status_code == 200


# ----------------------------------------------------------------------------- automatic lock


def test_periods_lock_automatically_n_days_after_they_end(as_employee, organisation, project):
    TimesheetSettingsFactory(organisation=organisation, auto_lock_days=3)
    today = timezone.now().date()
    long_ago = datetime.datetime.combine(today - datetime.timedelta(days=30), datetime.time(15), tzinfo=datetime.UTC)
    recent = datetime.datetime.combine(today - datetime.timedelta(days=1), datetime.time(15), tzinfo=datetime.UTC)

    old = as_employee.post("/v1/time-entries", {"project_id": project.pk, **at(long_ago)}, format="json")
    fresh = as_employee.post("/v1/time-entries", {"project_id": project.pk, **at(recent)}, format="json")

    assert old.status_code == 409, old.json()
    assert old.json()["locked_period"]["reason"] == "auto"
    assert fresh.status_code == 201, fresh.json()


def test_the_automatic_lock_counts_days_after_the_periods_last_day(as_employee, organisation, employee, project):
    """The week of 2026-03-02 ends on Sunday 2026-03-08; with 3 days it locks from 2026-03-12 (local)."""
    TimesheetSettingsFactory(organisation=organisation, auto_lock_days=3)
    ny = ZoneInfo("America/New_York")
    organisation = Organisation.objects.get(pk=organisation.pk)
    before = PeriodLocks(organisation, now=datetime.datetime(2026, 3, 11, 23, 59, tzinfo=ny))
    after = PeriodLocks(organisation, now=datetime.datetime(2026, 3, 12, 0, 0, tzinfo=ny))

    assert before.locked_period(employee.pk, datetime.date(2026, 3, 8), ny) is None
    assert after.locked_period(employee.pk, datetime.date(2026, 3, 8), ny)[1] == "auto"


def test_the_import_page_lists_the_rows_in_a_locked_period(session_client, employee, project, approved):
    body = "Date,Start,End,Project\n2026-03-04,09:00,10:00,Website\n"
    browser = session_client(employee.membership)

    page = browser.post("/app/time/import", {"csv_text": body, "commit": "1"})

    assert page.status_code == 200
    assert "2026-03-02 to 2026-03-08" in page.content.decode()
    assert TimeEntry.objects.count() == 0


def test_reopening_lifts_the_automatic_lock_of_that_period_only(admin, as_employee, organisation, project, approved):
    """The approved week of 2026-03-02 has long ended: with an automatic lock, reopening its
    timesheet opens that week for new time, not the week before (no timesheet)."""
    TimesheetSettingsFactory(organisation=organisation, auto_lock_days=3)
    reopened = token_client(admin).post(f"/v1/timesheets/{approved.pk}/reopen", {"reason": "Fix"}, format="json")
    week_before = IN_WEEK - datetime.timedelta(days=7)

    inside = as_employee.post("/v1/time-entries", {"project_id": project.pk, **at(IN_WEEK)}, format="json")
    before = as_employee.post("/v1/time-entries", {"project_id": project.pk, **at(week_before)}, format="json")

    assert reopened.status_code == 200, reopened.json()
    assert inside.status_code == 201, inside.json()
    assert_locked(before, period_start="2026-02-23")
    assert before.json()["locked_period"]["reason"] == "auto"
