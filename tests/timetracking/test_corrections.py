"""Time people can correct (issue 14 points 2 and 3): the overnight rule on pages, REST and
GraphQL alike; every past entry listed, filtered, totalled, edited and deleted; the editable week
grid; the reader's own timezone on the time pages."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest

from organisations.models import AuditEvent
from timetracking.models import TimeEntry

from .factories import ProjectFactory, TaskFactory, TimeEntryFactory

pytestmark = pytest.mark.django_db

NY = zoneinfo.ZoneInfo("America/New_York")


def local(day: str, clock: str, tz=NY) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=tz).astimezone(datetime.UTC)


def listed(html: str) -> tuple[int, str, int]:
    """(entries in the filtered list, their total duration, rows on this page) of the entries table."""
    count = re.search(r'class="muted table-count">(\d+) entries', html)
    total = re.search(r'data-label="Total duration" class="num">([^<]*)<', html)
    return int(count[1]), total[1] if total else "", html.count('/edit">')


def office_today(tz=NY) -> datetime.date:
    return datetime.datetime.now(tz).date()


# =============================================================================
# An end before the start
# =============================================================================


def test_an_end_before_the_start_is_refused_unless_overnight(session_client, employee, project):
    browser = session_client(employee.membership)
    body = {"project_id": project.pk, "date": "2026-01-12", "start": "10:00", "end": "09:00", "billable": "on"}

    refused = browser.post("/app/time/entries/add", body, follow=True)
    nothing = TimeEntry.objects.count()
    overnight = browser.post("/app/time/entries/add", {**body, "start": "22:00", "end": "06:00", "overnight": "on"})

    assert nothing == 0  # today's "10:00 -> 09:00 saves 23 hours" is gone
    assert "The end (09:00) is not after the start (10:00). Tick “Overnight” if the entry ends the next day." in (
        refused.content.decode()
    )
    assert overnight.status_code == 302
    entry = TimeEntry.objects.get()
    assert (entry.start_time, entry.end_time, entry.duration_seconds) == (
        local("2026-01-12", "22:00"),
        local("2026-01-13", "06:00"),
        8 * 3600,
    )


def test_overnight_with_an_end_after_the_start_is_refused(session_client, employee, project):
    browser = session_client(employee.membership)
    body = {"project_id": project.pk, "date": "2026-01-12", "start": "09:00", "end": "10:00", "overnight": "on"}

    response = browser.post("/app/time/entries/add", body, follow=True)

    assert TimeEntry.objects.count() == 0
    assert "An overnight entry ends the next day: its end (10:00) must be earlier than its start (09:00)." in (
        response.content.decode()
    )


def test_editing_an_entry_to_end_before_it_starts_is_refused(session_client, employee, project):
    entry = TimeEntryFactory(
        employee=employee,
        project=project,
        start_time=local("2026-01-12", "09:00"),
        end_time=local("2026-01-12", "10:00"),
    )
    browser = session_client(employee.membership)
    body = {"project_id": project.pk, "date": "2026-01-12", "start": "10:00", "end": "09:00", "notes": "x"}

    browser.post(f"/app/time/entries/{entry.pk}/edit", body)

    entry.refresh_from_db()
    assert (entry.start_time, entry.end_time, entry.notes) == (
        local("2026-01-12", "09:00"),
        local("2026-01-12", "10:00"),
        "Worked",
    )


def test_the_api_refuses_an_end_before_the_start_and_takes_an_overnight_span_as_instants(as_employee, project):
    backwards = {"project_id": project.pk, "start_time": "2026-01-12T15:00:00Z", "end_time": "2026-01-12T14:00:00Z"}
    overnight = {"project_id": project.pk, "start_time": "2026-01-13T03:00:00Z", "end_time": "2026-01-13T11:00:00Z"}

    refused = as_employee.post("/v1/time-entries", backwards, format="json")
    created = as_employee.post("/v1/time-entries", overnight, format="json")

    assert refused.status_code == 422
    assert refused.json()["errors"] == {"end_time": ["The end time must be after the start time."]}
    assert (created.status_code, created.json()["duration_seconds"]) == (201, 8 * 3600)


def test_graphql_refuses_an_end_before_the_start(gql, as_employee, project):
    created = gql(
        as_employee,
        "mutation($input: TimeEntryInput!) { createTimeEntry(input: $input) { databaseId } }",
        {
            "input": {
                "projectId": str(project.pk),
                "startTime": "2026-01-12T15:00:00Z",
                "endTime": "2026-01-12T14:00:00Z",
            }
        },
    ).json()

    assert TimeEntry.objects.count() == 0
    assert "The end time must be after the start time." in str(created["errors"])


# =============================================================================
# Every past entry
# =============================================================================


def test_all_entries_lists_filters_pages_and_totals(session_client, employee, organisation, project):
    other = ProjectFactory(client__organisation=organisation, name="Other work")
    start = local("2025-11-03", "09:00")
    for n in range(30):
        TimeEntryFactory(
            employee=employee, project=project, start_time=start + datetime.timedelta(days=n), notes=f"Row {n}"
        )
    TimeEntryFactory(employee=employee, project=other, start_time=local("2025-10-01", "09:00"))
    browser = session_client(employee.membership)

    first = browser.get("/app/time/entries").content.decode()
    second = browser.get("/app/time/entries?page=2").content.decode()
    filtered = browser.get(f"/app/time/entries?project_id={other.pk}").content.decode()
    dated = browser.get("/app/time/entries?start_date=2025-11-03&end_date=2025-11-05").content.decode()
    csv = b"".join(browser.get(f"/app/time/entries?project_id={other.pk}&export=csv").streaming_content).decode()

    # the totals row sums the whole filtered list, not only the page shown
    assert listed(first) == (31, "31:00", 25) and listed(second) == (31, "31:00", 6)
    assert "page 2 of 2" in second and "Row 0" in second and "Row 29" in first and "Total (all 31)" in first
    assert listed(filtered) == (1, "1:00", 1)
    assert 'value="2025-11-03"' in dated  # the filter's date round-trips as ISO
    assert listed(dated) == (3, "3:00", 3)
    # the export is the time_entries report's file of the current filter (issue 17 point 7):
    # the API's columns, instants in UTC
    header, *rows = (line.split(",") for line in csv.splitlines())
    assert header[:3] == ["id", "employee_id", "user_id"] and len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["project_id"] == str(other.pk) and row["duration_hours"] == "1.00" and row["billable"] == "true"
    assert row["start_time"].endswith("Z")
    assert datetime.datetime.fromisoformat(row["start_time"]) == local("2025-10-01", "09:00")


def test_last_months_entry_is_edited_and_deleted_from_the_list(session_client, employee, project, task):
    last_month = (office_today().replace(day=1) - datetime.timedelta(days=3)).isoformat()
    entry = TimeEntryFactory(
        employee=employee, project=project, start_time=local(last_month, "09:00"), end_time=local(last_month, "10:00")
    )
    doomed = TimeEntryFactory(
        employee=employee, project=project, start_time=local(last_month, "11:00"), end_time=local(last_month, "12:00")
    )
    browser = session_client(employee.membership)
    body = {
        "project_id": project.pk,
        "task_id": task.pk,
        "date": last_month,
        "start": "08:30",
        "end": "10:15",
        "notes": "Corrected",
        "next": "/app/time/entries?page=1",
    }

    saved = browser.post(f"/app/time/entries/{entry.pk}/edit", body)
    deleted = browser.post(f"/app/time/entries/{doomed.pk}/delete", {"next": "/app/time/entries?page=1"})

    entry.refresh_from_db()
    assert (entry.start_time, entry.end_time, entry.duration_seconds, entry.notes, entry.task_id) == (
        local(last_month, "08:30"),
        local(last_month, "10:15"),
        6300,
        "Corrected",
        task.pk,
    )
    assert saved["Location"] == deleted["Location"] == "/app/time/entries?page=1"
    assert not TimeEntry.objects.filter(pk=doomed.pk).exists()


def test_an_unchanged_inline_edit_keeps_a_timers_seconds(session_client, employee, project):
    entry = TimeEntryFactory(
        employee=employee,
        project=project,
        start_time=local("2026-01-12", "09:00") + datetime.timedelta(seconds=17),
        end_time=local("2026-01-12", "09:40") + datetime.timedelta(seconds=41),
    )
    browser = session_client(employee.membership)
    body = {"project_id": project.pk, "date": "2026-01-12", "start": "09:00", "end": "09:40", "notes": "Worked"}

    browser.post(f"/app/time/entries/{entry.pk}/edit", {**body, "tags": entry.tags, "billable": "on"})

    before = (entry.start_time, entry.end_time)
    entry.refresh_from_db()
    assert (entry.start_time, entry.end_time) == before


def test_a_manager_sees_their_offices_entries_with_the_person(session_client, manager, employee, project):
    TimeEntryFactory(employee=employee, project=project, start_time=local("2026-01-12", "09:00"))
    browser = session_client(manager.membership)

    html = browser.get(f"/app/time/entries?employee_id={employee.pk}").content.decode()

    assert listed(html) == (1, "1:00", 1)
    assert 'data-label="Person"><div class="cell">' + str(employee) in html


# =============================================================================
# The week grid
# =============================================================================


def test_the_week_grid_creates_changes_and_deletes_by_duration(session_client, employee, organisation, project):
    monday = datetime.date(2026, 1, 12)
    kept = TimeEntryFactory(
        employee=employee,
        project=project,
        start_time=local("2026-01-12", "09:00"),
        end_time=local("2026-01-12", "10:00"),
    )
    removed = TimeEntryFactory(
        employee=employee,
        project=project,
        start_time=local("2026-01-13", "09:00"),
        end_time=local("2026-01-13", "10:00"),
    )
    other = ProjectFactory(client__organisation=organisation, name="Other work")
    task = TaskFactory(project=other, name="Design")
    browser = session_client(employee.membership)
    row = f"cell-{project.pk}-0"
    page = browser.get("/app/time/week?week=2026-01-14").content.decode()

    unchanged = browser.post(
        "/app/time/week", {"week": "2026-01-12", f"{row}-0": "1:00", f"{row}-1": "1:00"}, follow=True
    )
    audits = AuditEvent.objects.count()
    saved = browser.post(
        "/app/time/week",
        {
            "week": monday.isoformat(),
            f"{row}-0": "2:30",  # longer: the cell's entry ends later
            f"{row}-1": "",  # emptied: its entry is deleted
            "new_project_id": other.pk,
            "new_task_id": task.pk,
            "new-2": "1.5",  # a new row: an entry at 09:00
        },
        follow=True,
    )

    assert f'name="{row}-0" value="1:00"' in page
    assert "Nothing to save: the week is unchanged." in unchanged.content.decode()
    assert "Week saved: 1 entries added, 1 changed, 1 deleted." in saved.content.decode()
    assert audits == 0
    kept.refresh_from_db()
    assert (kept.end_time, kept.duration_seconds) == (local("2026-01-12", "11:30"), 9000)
    assert not TimeEntry.objects.filter(pk=removed.pk).exists()
    new = TimeEntry.objects.get(project=other)
    assert (new.task_id, new.start_time, new.duration_seconds) == (task.pk, local("2026-01-14", "09:00"), 5400)
    totals = re.search(r'<tr class="week-totals">(.*?)</tr>', saved.content.decode(), re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', totals) == [
        "2:30",
        "0:00",
        "1:30",
        "0:00",
        "0:00",
        "0:00",
        "0:00",
        "4:00",
    ]


def test_a_bad_duration_in_the_week_grid_saves_nothing(session_client, employee, project):
    browser = session_client(employee.membership)
    row = f"cell-{project.pk}-0"

    response = browser.post(
        "/app/time/week", {"week": "2026-01-12", f"{row}-0": "2:00", f"{row}-1": "lots"}, follow=True
    )

    assert TimeEntry.objects.count() == 0
    assert "“lots” is not a duration: type hours and minutes (1:30) or hours (1.5)." in response.content.decode()


# =============================================================================
# The reader's timezone
# =============================================================================


def test_a_member_sets_their_timezone_and_the_time_pages_follow_it(session_client, employee, project):
    TimeEntryFactory(
        employee=employee,
        project=project,
        start_time=local("2026-01-12", "09:00"),
        end_time=local("2026-01-12", "10:00"),
    )
    browser = session_client(employee.membership)

    default = browser.get("/app/settings/me").content.decode()
    before = browser.get("/app/time/entries").content.decode()
    browser.post("/app/settings/me", {"timezone": "Europe/London"})
    after = browser.get("/app/time/entries").content.decode()
    browser.post(
        "/app/time/entries/add",
        {"project_id": project.pk, "date": "2026-01-13", "start": "09:00", "end": "10:00"},
    )

    assert "Your office&#x27;s: America/New_York" in default or "Your office's: America/New_York" in default
    assert "Times in America/New_York" in before and 'data-label="From"><div class="cell">09:00<' in before
    assert "Times in Europe/London" in after and 'data-label="From"><div class="cell">14:00<' in after
    employee.membership.refresh_from_db()
    assert employee.membership.timezone == "Europe/London"
    typed = TimeEntry.objects.get(start_time__date=datetime.date(2026, 1, 13))
    assert typed.start_time == local("2026-01-13", "09:00", zoneinfo.ZoneInfo("Europe/London"))
    assert AuditEvent.objects.filter(action="membership.timezone").count() == 1


def test_an_unknown_timezone_is_refused(session_client, employee):
    browser = session_client(employee.membership)

    response = browser.post("/app/settings/me", {"timezone": "Mars/Olympus"})

    employee.membership.refresh_from_db()
    assert response.status_code == 200
    assert employee.membership.timezone == ""
