"""CSV import: every way to send the file, header and delimiter tolerance, BOM, dry run,
all-or-nothing with line-numbered errors, overlaps, permissions, idempotent replay and large
files through a job."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from integrations.models import OutboxEvent
from timetracking import importer
from timetracking.models import ImportJob, TimeEntry

from .conftest import token_client
from .factories import ProjectFactory, TimeEntryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_in_process")]

URL = "/v1/time-entries/import-csv"

GOOD = (
    "Date,Start,End,Project,Task,Notes,Tags,Billable,Employee Email\n"
    '2026-01-12,09:00,12:30,Website,Homepage,Layout,"Design, UI",yes,eli@example.test\n'
    "2026-01-12,13:00,,Website,,Review,,no,cleo@example.test\n"
)


@pytest.fixture
def csv_people(employee, colleague, task):
    return employee, colleague, task


def rows():
    return list(
        TimeEntry.objects.order_by("start_time").values_list(
            "employee__first_name",
            "start_time",
            "end_time",
            "duration_seconds",
            "task__name",
            "notes",
            "tags",
            "billable",
            "source",
        )
    )


def test_multipart_file_import(as_manager, csv_people):
    body = GOOD.replace("13:00,,", "13:00,14:15,")
    upload = SimpleUploadedFile("week.csv", body.encode(), content_type="text/csv")

    response = as_manager.post(URL, {"file": upload}, format="multipart")

    assert response.status_code == 201, response.json()
    assert response.json() == {
        "dry_run": False,
        "status": "completed",
        "total_rows": 2,
        "valid_rows": 2,
        "created": 2,
        "error_count": 0,
        "row_errors": [],
        "over_limit": [],
    }
    # New York is UTC-5 in January
    assert rows() == [
        (
            "Eli",
            datetime.datetime(2026, 1, 12, 14, 0, tzinfo=datetime.UTC),
            datetime.datetime(2026, 1, 12, 17, 30, tzinfo=datetime.UTC),
            12600,
            "Homepage",
            "Layout",
            "design,ui",
            True,
            "import",
        ),
        (
            "Cleo",
            datetime.datetime(2026, 1, 12, 18, 0, tzinfo=datetime.UTC),
            datetime.datetime(2026, 1, 12, 19, 15, tzinfo=datetime.UTC),
            4500,
            None,
            "Review",
            "",
            False,
            "import",
        ),
    ]
    assert list(OutboxEvent.objects.values_list("topic", "payload")) == [
        ("import.batch.completed", {"kind": "time_entries", "job_id": None, "created": 2, "total_rows": 2}),
    ]


@pytest.mark.parametrize("key", ["csv", "data"])
def test_json_body_import(as_employee, csv_people, key):
    text = "date;start;duration;project\n2026-01-12;09:00;1.5\n2026-01-13;09:00;1:45;Website\n"

    response = as_employee.post(URL, {key: text.replace("1.5\n", "1.5;Website\n")}, format="json")

    assert response.status_code == 201, response.json()
    assert [r[3] for r in rows()] == [5400, 6300]
    assert {r[0] for r in rows()} == {"Eli"}  # no employee column: yourself


def test_raw_text_csv_body_with_bom_and_odd_headers(as_employee, csv_people):
    text = "\ufeff  DATE ; Start-Time ;END;project name;TAGS\n2026-01-12;09:00;10:00;website;a\n"

    response = as_employee.generic("POST", URL, text.encode("utf-8"), content_type="text/csv")

    assert response.status_code == 201, response.json()
    assert rows()[0][6] == "a"


def test_bad_rows_are_listed_by_line_and_nothing_is_imported(as_employee, csv_people, organisation):
    ProjectFactory(client__organisation=organisation, name="Old", status="archived")
    text = (
        "date,start,end,project,task,billable,employee_email\n"
        "2026-01-12,09:00,10:00,Website,,,\n"
        "2026-13-12,09:00,10:00,Website,,,\n"
        "2026-01-12,9am,10:00,Nope,,maybe,\n"
        "\n"
        "2026-01-13,09:00,10:00,Old,,,\n"
        "2026-01-13,11:00,12:00,Website,Missing,,\n"
        "2026-01-14,09:00,10:00,Website,,,cleo@example.test\n"
        "2026-01-14,09:00,10:00,Website,,,nobody@example.test\n"
    )

    response = as_employee.post(URL, {"csv": text}, format="json")

    assert response.status_code == 422
    problem = response.json()
    assert problem["detail"] == "6 of 7 rows have errors; nothing was imported."
    assert (problem["total_rows"], problem["valid_rows"], problem["error_count"], problem["created"]) == (7, 1, 6, 0)
    assert [e["line"] for e in problem["row_errors"]] == [3, 4, 6, 7, 8, 9]
    reasons = {e["line"]: e["reason"] for e in problem["row_errors"]}
    assert reasons[3] == "date: use YYYY-MM-DD."
    assert (
        reasons[4] == 'project: no project named "Nope".; start: use HH:MM or HH:MM:SS.; billable: use true or false.'
    )
    assert reasons[6] == 'project: "Old" is archived and takes no new time.'
    assert reasons[7] == 'task: no task named "Missing" in this project.'
    # an employee may import only their own time; someone else and a stranger read the same
    assert reasons[8] == "employee_email: no employee cleo@example.test whose time you may record."
    assert reasons[9] == "employee_email: no employee nobody@example.test whose time you may record."
    assert problem["errors"]["line 3"] == ["date: use YYYY-MM-DD."]
    assert TimeEntry.objects.count() == 0
    assert OutboxEvent.objects.count() == 0


def test_the_error_count_matches_the_rows_listed(as_employee, csv_people):
    text = "date,start,end,project\n2026-01-12,09:00,10:00,Nope\n2026-01-12,09:00,10:00,Nope\n"

    problem = as_employee.post(URL, {"csv": text}, format="json").json()

    assert problem["error_count"] == 2
    assert [e["line"] for e in problem["row_errors"]] == [2, 3]


def test_overlaps_within_the_file_and_with_stored_entries(as_employee, employee, project):
    stored = TimeEntryFactory(
        employee=employee,
        project=project,
        start_time=datetime.datetime(2026, 1, 12, 20, 0, tzinfo=datetime.UTC),
        end_time=datetime.datetime(2026, 1, 12, 21, 0, tzinfo=datetime.UTC),
    )
    text = (
        "date,start,end,project\n"
        "2026-01-12,09:00,11:00,Website\n"
        "2026-01-12,10:30,11:30,Website\n"
        "2026-01-12,15:30,16:30,Website\n"
        "2026-01-12,12:00,13:00,Website\n"
    )

    problem = as_employee.post(URL, {"csv": text}, format="json").json()

    assert problem["row_errors"] == [
        {"line": 3, "reason": "overlaps line 2 of the same employee."},
        {"line": 4, "reason": f"overlaps stored entry {stored.pk} of the same employee."},
    ]


def test_an_end_before_the_start_is_the_next_day_only_when_overnight(as_employee, csv_people):
    """Issue 14 point 2: as on the pages, ``10:00 -> 09:00`` is never silently 23 hours."""
    backwards = "date,start,end,project\n2026-01-12,10:00,09:00,Website\n"
    text = "date,start,end,project,overnight\n2026-01-12,22:00,02:00,Website,true\n"

    refused = as_employee.post(URL, {"csv": backwards}, format="json")
    response = as_employee.post(URL, {"csv": text}, format="json")

    assert refused.status_code == 422
    assert refused.json()["row_errors"] == [
        {
            "line": 2,
            "reason": (
                "end: 09:00 is not after the start (10:00); set overnight to true if the entry ends the next day."
            ),
        }
    ]
    assert response.status_code == 201
    assert rows()[0][3] == 4 * 3600


def test_dry_run_reports_and_writes_nothing(as_employee, csv_people):
    good = as_employee.post(
        f"{URL}?dry_run=true", {"csv": "date,start,end,project\n2026-01-12,09:00,10:00,Website\n"}, format="json"
    )
    bad = as_employee.post(
        f"{URL}?dry_run=true", {"csv": "date,start,end,project\n2026-01-12,09:00,10:00,Nope\n"}, format="json"
    )

    assert good.status_code == 200
    assert good.json() == {
        "dry_run": True,
        "status": "validated",
        "total_rows": 1,
        "valid_rows": 1,
        "created": 0,
        "error_count": 0,
        "row_errors": [],
        "over_limit": [],
    }
    assert bad.status_code == 200
    assert bad.json()["status"] == "failed"
    assert bad.json()["row_errors"] == [{"line": 2, "reason": 'project: no project named "Nope".'}]
    assert TimeEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"csv": "date,start,project\n2026-01-12,09:00,Website\n"}, "Missing columns: end or duration."),
        ({"csv": "notes\nhello\n"}, "Missing columns: date, start, project, end or duration."),
        ({"csv": "date,start,end,project\n"}, "The file has a header but no rows."),
        ({"nothing": "here"}, None),
    ],
)
def test_unusable_files_are_a_422(as_employee, csv_people, payload, message):
    response = as_employee.post(URL, payload, format="json")

    assert response.status_code == 422
    if message:
        assert response.json()["errors"] == {"file": [message]}
    else:
        assert list(response.json()["errors"]) == ["file"]


def test_a_file_that_is_not_utf8_is_refused(as_employee, csv_people):
    upload = SimpleUploadedFile(
        "latin.csv", "date,start,end,project,notes\n2026-01-12,09:00,10:00,Website,café\n".encode("latin-1")
    )

    response = as_employee.post(URL, {"file": upload}, format="multipart")

    assert response.status_code == 422
    assert response.json()["errors"] == {"file": ["The file is not UTF-8 text."]}


def test_idempotent_replay_never_imports_twice(as_employee, csv_people):
    body = {"csv": "date,start,end,project\n2026-01-12,09:00,10:00,Website\n"}

    first = as_employee.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="import-1")
    replay = as_employee.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="import-1")
    different = as_employee.post(
        URL, {"csv": body["csv"] + "2026-01-13,09:00,10:00,Website\n"}, format="json", HTTP_IDEMPOTENCY_KEY="import-1"
    )

    assert first.status_code == 201
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert different.status_code == 422
    assert TimeEntry.objects.count() == 1


def test_a_large_file_runs_as_a_job_with_a_progress_url(
    as_employee, csv_people, settings, django_capture_on_commit_callbacks
):
    settings.TIMETRACKING_IMPORT_ASYNC_ROWS = 3
    lines = [f"2026-01-{day:02d},09:00,10:00,Website" for day in range(1, 6)]
    text = "date,start,end,project\n" + "\n".join(lines) + "\n"

    with django_capture_on_commit_callbacks(execute=True):
        response = as_employee.post(URL, {"csv": text}, format="json")
    job_url = response.json()["url"]
    job = as_employee.get(job_url)

    assert response.status_code == 202, response.json()
    assert response["Location"].endswith(job_url)
    assert job.status_code == 200
    body = job.json()
    assert (body["status"], body["progress"], body["total_rows"], body["created"], body["error_count"]) == (
        "completed",
        100,
        5,
        5,
        0,
    )
    assert TimeEntry.objects.count() == 5
    assert ImportJob.objects.get().source_text == ""


def test_a_large_file_with_bad_rows_fails_as_a_whole(
    as_employee, csv_people, settings, django_capture_on_commit_callbacks
):
    settings.TIMETRACKING_IMPORT_ASYNC_ROWS = 1
    text = "date,start,end,project\n2026-01-01,09:00,10:00,Website\n2026-01-02,09:00,10:00,Nope\n"

    with django_capture_on_commit_callbacks(execute=True):
        queued = as_employee.post(URL, {"csv": text}, format="json")
    job = as_employee.get(queued.json()["url"]).json()

    assert (job["status"], job["created"], job["error_count"]) == ("failed", 0, 1)
    assert job["row_errors"] == [{"line": 3, "reason": 'project: no project named "Nope".'}]
    assert job["detail"] == "1 of 2 rows have errors; nothing was imported."
    assert TimeEntry.objects.count() == 0


def test_import_jobs_are_seen_by_who_started_them(as_employee, colleague, csv_people, settings):
    settings.TIMETRACKING_IMPORT_ASYNC_ROWS = 0
    url = as_employee.post(
        URL, {"csv": "date,start,end,project\n2026-01-01,09:00,10:00,Website\n"}, format="json"
    ).json()["url"]

    assert token_client(colleague).get(url).status_code == 404
    assert as_employee.get(url).status_code == 200


def test_dst_local_times_use_the_offset_of_their_day(as_employee, csv_people):
    # 8 March 2026: New York moves from UTC-5 to UTC-4
    text = "date,start,end,project\n2026-03-07,09:00,10:00,Website\n2026-03-09,09:00,10:00,Website\n"

    as_employee.post(URL, {"csv": text}, format="json")

    assert [r[1].hour for r in rows()] == [14, 13]


def test_a_job_records_progress_on_the_way(as_employee, csv_people, settings, django_capture_on_commit_callbacks):
    settings.TIMETRACKING_IMPORT_ASYNC_ROWS = 10
    rows = importer.PROGRESS_EVERY + 1
    start = datetime.datetime(2026, 1, 1)
    lines = [
        f"{(start + datetime.timedelta(hours=2 * n)).strftime('%Y-%m-%d,%H:%M')},"
        f"{(start + datetime.timedelta(hours=2 * n, minutes=30)).strftime('%H:%M')},Website"
        for n in range(rows)
    ]
    text = "date,start,end,project\n" + "\n".join(lines) + "\n"

    with django_capture_on_commit_callbacks(execute=True):
        queued = as_employee.post(URL, {"csv": text}, format="json")
    job = as_employee.get(queued.json()["url"]).json()

    assert (job["status"], job["processed_rows"], job["created"]) == ("completed", rows, rows)
    assert TimeEntry.objects.count() == rows


def test_an_oversized_file_is_a_413_problem(as_manager, csv_people, settings):
    settings.UPLOAD_MAX_BYTES = 100
    upload = SimpleUploadedFile("week.csv", GOOD.encode() * 2, content_type="text/csv")

    response = as_manager.post(URL, {"file": upload}, format="multipart")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/payload-too-large")
    assert response.json()["errors"] == {"file": ["Larger than 100 bytes."]}
    assert TimeEntry.objects.count() == 0


def test_timetracker_format_imports(as_employee, csv_people, project, organisation):
    """TimeTracker's export (issue 13 point 8): ids, ISO 8601 times with or without an offset."""
    _employee, _colleague, task = csv_people
    text = (
        "project_id,start_time,end_time,task_id,notes,tags,billable\n"
        f'{project.pk},2026-01-12T14:00:00Z,2026-01-12T15:30:00Z,{task.pk},Layout,"a,b",true\n'
        f"{project.pk},2026-01-12T11:00:00-05:00,2026-01-12T12:00:00-05:00,,Review,,false\n"
        f"{project.pk},2026-01-13T09:00:00,2026-01-13T10:00:00,,Local,,\n"
    )

    response = as_employee.post(URL, {"csv": text}, format="json")

    assert response.status_code == 201, response.json()
    assert [(r[1], r[2], r[4], r[5], r[6], r[7]) for r in rows()] == [
        (
            datetime.datetime(2026, 1, 12, 14, 0, tzinfo=datetime.UTC),
            datetime.datetime(2026, 1, 12, 15, 30, tzinfo=datetime.UTC),
            "Homepage",
            "Layout",
            "a,b",
            True,
        ),
        (
            datetime.datetime(2026, 1, 12, 16, 0, tzinfo=datetime.UTC),
            datetime.datetime(2026, 1, 12, 17, 0, tzinfo=datetime.UTC),
            None,
            "Review",
            "",
            False,
        ),
        # naive: the employee's office time (New York, UTC-5 in January)
        (
            datetime.datetime(2026, 1, 13, 14, 0, tzinfo=datetime.UTC),
            datetime.datetime(2026, 1, 13, 15, 0, tzinfo=datetime.UTC),
            None,
            "Local",
            "",
            project.billable,
        ),
    ]


def test_timetracker_format_unknown_ids_are_row_errors(as_employee, csv_people, project, organisation):
    other = ProjectFactory(client__organisation=organisation, name="Other")
    _employee, _colleague, task = csv_people
    text = (
        "project_id,start_time,end_time,task_id\n"
        "999999,2026-01-12T14:00:00Z,2026-01-12T15:00:00Z,\n"
        f"{other.pk},2026-01-12T16:00:00Z,2026-01-12T17:00:00Z,{task.pk}\n"
        f"{project.pk},14:00,2026-01-12T19:00:00Z,\n"
    )

    response = as_employee.post(URL, {"csv": text}, format="json")

    assert response.status_code == 422
    reasons = {e["line"]: e["reason"] for e in response.json()["row_errors"]}
    assert reasons[2] == "project_id: no project 999999."
    assert reasons[3] == f"task_id: no task {task.pk} in this project."
    assert "date: use YYYY-MM-DD." in reasons[4]
