"""Pages under /app/time/: the timer, entries with inline edit and delete, a manual entry, the
CSV upload preview, the manager's project page; tenancy and roles."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from organisations.models import AuditEvent
from timetracking.models import TimeEntry

from .factories import ProjectFactory, TimeEntryFactory

pytestmark = pytest.mark.django_db


def test_the_timer_page_starts_and_stops_a_timer(session_client, employee, project, task):
    browser = session_client(employee.membership)

    page = browser.get("/app/time/")
    browser.post("/app/time/timer/start", {"project_id": project.pk, "task_id": task.pk, "notes": "Go"})
    running = browser.get("/app/time/")
    stopped = browser.post("/app/time/timer/stop", follow=True)

    assert page.status_code == 200
    assert "data-project-picker" in page.content.decode()
    assert "Start timer" in page.content.decode()
    assert "data-timer-start" in running.content.decode()
    assert "Stop timer" in running.content.decode()
    entry = TimeEntry.objects.get()
    assert (entry.source, entry.task_id, entry.end_time is not None) == ("timer", task.pk, True)
    assert "Timer stopped" in stopped.content.decode()
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "timeentry.timer_start",
        "timeentry.timer_stop",
    ]


def test_entries_are_listed_edited_and_deleted_inline(session_client, employee, project):
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0, second=0)
    entry = TimeEntryFactory(
        employee=employee,
        project=project,
        start_time=now - datetime.timedelta(hours=2),
        end_time=now - datetime.timedelta(hours=1),
        notes="Before <b>edit</b>",
    )
    browser = session_client(employee.membership)

    html = browser.get("/app/time/").content.decode()
    browser.post(
        f"/app/time/entries/{entry.pk}/edit",
        {"notes": "After", "tags": "X, y", "project_id": project.pk, "billable": "on"},
    )
    entry.refresh_from_db()
    deleted = browser.post(f"/app/time/entries/{entry.pk}/delete", follow=True)

    assert "Before &lt;b&gt;edit&lt;/b&gt;" in html  # user content is escaped
    assert (entry.notes, entry.tags) == ("After", "x,y")
    assert "Entry deleted." in deleted.content.decode()
    assert TimeEntry.objects.count() == 0


def test_a_manual_entry_and_its_overlap_message(session_client, employee, project):
    browser = session_client(employee.membership)
    body = {
        "project_id": project.pk,
        "date": "2026-01-12",
        "start": "09:00",
        "end": "10:30",
        "notes": "Call",
        "billable": "on",
    }

    browser.post("/app/time/entries/add", body)
    again = browser.post("/app/time/entries/add", body, follow=True)

    entry = TimeEntry.objects.get()
    assert (entry.start_time, entry.duration_seconds) == (
        datetime.datetime(2026, 1, 12, 14, 0, tzinfo=datetime.UTC),
        5400,
    )
    html = again.content.decode()
    # in the reader's words and zone: the project and local times, no internal id, no UTC (issue 14)
    assert (
        f"This entry overlaps another entry of the same person: {project.name} on Mon 12 Jan 2026 from 09:00 to "
        "10:30 (America/New_York)."
    ) in html
    assert f"entry {entry.pk}" not in html and "Z" not in html.split("overlaps another entry")[1][:120]


def test_someone_elses_entry_is_404_on_the_pages(session_client, employee, colleague, project):
    theirs = TimeEntryFactory(employee=colleague, project=project)
    browser = session_client(employee.membership)

    assert browser.post(f"/app/time/entries/{theirs.pk}/edit", {"notes": "x"}).status_code == 404
    assert browser.post(f"/app/time/entries/{theirs.pk}/delete").status_code == 404
    assert TimeEntry.objects.filter(pk=theirs.pk, notes="Worked").exists()


def test_csv_upload_previews_errors_before_committing(session_client, employee, project):
    browser = session_client(employee.membership)
    bad = SimpleUploadedFile("t.csv", b"date,start,end,project\n2026-01-12,09:00,10:00,Nope\n")
    good = SimpleUploadedFile("t.csv", b"date,start,end,project\n2026-01-12,09:00,10:00,Website\n")

    preview_bad = browser.post("/app/time/import", {"file": bad}).content.decode()
    preview_good = browser.post("/app/time/import", {"file": good}).content.decode()
    assert TimeEntry.objects.count() == 0
    committed = browser.post(
        "/app/time/import",
        {"commit": "1", "csv_text": "date,start,end,project\n2026-01-12,09:00,10:00,Website\n"},
        follow=True,
    )

    assert "no project named &quot;Nope&quot;" in preview_bad
    assert "Import 1 entry" not in preview_bad
    assert "Import 1 entry" in preview_good
    assert "Imported 1 entries." in committed.content.decode()
    assert TimeEntry.objects.count() == 1


def test_the_project_page_is_for_managers(session_client, employee, manager, project, task):
    TimeEntryFactory(
        employee=employee,
        project=project,
        task=task,
        duration_seconds=5400,
        start_time=datetime.datetime(2026, 3, 3, 14, 0, tzinfo=datetime.UTC),
        end_time=datetime.datetime(2026, 3, 3, 15, 30, tzinfo=datetime.UTC),
    )

    as_manager = session_client(manager.membership).get(f"/app/time/projects/{project.pk}")
    listing = session_client(manager.membership).get("/app/time/projects")

    assert as_manager.status_code == 200
    html = as_manager.content.decode()
    assert 'id="project-hours-chart"' in html
    assert 'id="project-chart-data"' in html
    assert "1.50" in html and "15% used" in html
    assert "vendor/chartjs/chart.min." in html
    assert project.name in listing.content.decode()


def test_an_employee_cannot_open_the_project_pages(session_client, employee, project):
    browser = session_client(employee.membership)

    assert browser.get(f"/app/time/projects/{project.pk}").status_code == 403
    assert browser.get("/app/time/projects").status_code == 403


def test_another_tenants_project_page_is_404(session_client, manager, other_organisation):
    theirs = ProjectFactory(client__organisation=other_organisation)

    assert session_client(manager.membership).get(f"/app/time/projects/{theirs.pk}").status_code == 404


def test_a_member_without_an_employee_record_is_told_so(session_client, organisation, make_member):
    html = session_client(make_member(organisation)).get("/app/time/").content.decode()

    assert "You have no employee record" in html


def test_the_time_pages_need_a_login(client):
    response = client.get("/app/time/")

    assert response.status_code == 302
    assert response["Location"].startswith("/app/login")


def test_demo_seed_is_idempotent(organisation, employee, colleague):
    from timetracking import demo
    from timetracking.models import Client, Project, Task

    demo.seed(organisation)
    counts = (Client.objects.count(), Project.objects.count(), Task.objects.count(), TimeEntry.objects.count())
    demo.seed(organisation)

    assert counts == (2, 3, 5, 10)
    assert (Client.objects.count(), Project.objects.count(), Task.objects.count(), TimeEntry.objects.count()) == counts


def test_the_demo_prices_northwinds_week_at_two_rates(organisation, employee, colleague, make_api_client):
    """The demo's dated rate: Northwind Dental bills 85.00 until the demo week's Wednesday and 90.00
    from Thursday, so each employee's Tuesday (2 h) and Friday (3 h) on its project make 440.00."""
    from timetracking import demo
    from timetracking.models import RateChange

    demo.seed(organisation)
    demo.seed(organisation)
    body = make_api_client(organisation).get("/v1/reports/tracked-hours?group_by=project").json()

    assert RateChange.objects.filter(organisation=organisation).count() == 1
    audit = next(row for row in body["rows"] if row["project_name"] == "Practice cover audit")
    assert (audit["billable_hours"], audit["amount"]) == ("10.00", "880.00")


def test_an_oversized_csv_upload_is_a_clear_message_on_the_import_page(session_client, employee, project, settings):
    settings.UPLOAD_MAX_BYTES = 100
    big = SimpleUploadedFile("t.csv", b"date,start,end,project\n" + b"2026-01-12,09:00,10:00,Website\n" * 10)

    page = session_client(employee.membership).post("/app/time/import", {"file": big}, follow=True)

    assert f"The file is {big.size} bytes; the largest accepted is 100 bytes." in page.content.decode()
    assert TimeEntry.objects.count() == 0


def test_the_time_links_follow_the_roles_the_pages_declare(session_client, employee, manager):
    as_employee = session_client(employee.membership).get("/app/time/").content.decode()
    as_manager = session_client(manager.membership).get("/app/time/").content.decode()

    assert 'href="/app/time/projects"' not in as_employee
    assert 'href="/app/time/projects"' in as_manager
    assert 'href="/app/time/import"' in as_employee
