"""The CSV time import applies the contract hours limits like a single entry (issue 15 point 5):
refused, the whole file with the rows named, or accepted and reported when the organisation
flags; the file's rows count together with the stored time of the same week."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from timetracking.models import TimeEntry

from .factories import ContractFactory, ProjectFactory, TimeEntryFactory

pytestmark = pytest.mark.django_db

URL = "/v1/time-entries/import-csv"
# 2026-01-12 is a Monday; the employee's office is in New York
FILE = "date,start,end,project\n2026-01-12,09:00,13:00,Website\n2026-01-13,09:00,13:00,Website\n"


def test_a_file_over_the_daily_limit_is_refused_with_the_rows_named(as_employee, employee, project):
    ContractFactory(employee=employee, daily_hours_limit=Decimal("6"))
    text = FILE + "2026-01-13,14:00,17:00,Website\n"

    response = as_employee.post(URL, {"csv": text}, format="json")

    assert response.status_code == 422, response.json()
    body = response.json()
    assert [e["line"] for e in body["row_errors"]] == [3, 4]
    assert "over the daily limit of 6.00 hours" in body["row_errors"][0]["reason"]
    assert "2026-01-13" in body["row_errors"][0]["reason"]
    assert not TimeEntry.objects.exists()


def test_stored_time_counts_towards_the_weekly_limit(as_employee, employee, project):
    ContractFactory(employee=employee, project=project, weekly_hours_limit=Decimal("10"))
    start = datetime.datetime(2026, 1, 14, 14, tzinfo=datetime.UTC)  # Wednesday of the same week
    TimeEntryFactory(employee=employee, project=project, start_time=start, end_time=start + datetime.timedelta(hours=3))

    response = as_employee.post(URL, {"csv": FILE}, format="json")

    assert response.status_code == 422, response.json()
    reasons = [e["reason"] for e in response.json()["row_errors"]]
    assert len(reasons) == 2
    assert "to 11.00 hours in the week 2026-01-12 to 2026-01-18" in reasons[0]
    assert TimeEntry.objects.count() == 1


def test_within_the_limits_or_another_projects_limit_the_file_is_imported(as_employee, employee, project):
    ContractFactory(employee=employee, weekly_hours_limit=Decimal("8"), daily_hours_limit=Decimal("4"))
    ContractFactory(employee=employee, project=ProjectFactory(client=project.client), daily_hours_limit=Decimal("1"))

    response = as_employee.post(URL, {"csv": FILE}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["over_limit"] == []
    assert TimeEntry.objects.count() == 2


def test_a_flagging_organisation_imports_and_reports_the_time_over_the_limit(as_employee, as_admin, employee, project):
    as_admin.patch("/v1/timesheet-settings", {"over_limit": "flag"}, format="json")
    contract = ContractFactory(employee=employee, weekly_hours_limit=Decimal("6"))

    response = as_employee.post(URL, {"csv": FILE}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["over_limit"] == [
        {
            "employee_id": employee.pk,
            "contract_id": contract.pk,
            "limit": "weekly",
            "from": "2026-01-12",
            "to": "2026-01-18",
            "hours": "8.00",
            "limit_hours": "6.00",
            "lines": [2, 3],
        }
    ]
    assert TimeEntry.objects.count() == 2


def test_the_import_page_previews_time_over_a_limit(session_client, as_admin, employee, project):
    ContractFactory(employee=employee, daily_hours_limit=Decimal("3"))
    browser = session_client(employee.membership)

    refused = browser.post("/app/time/import", {"file": SimpleUploadedFile("t.csv", FILE.encode())}).content.decode()
    as_admin.patch("/v1/timesheet-settings", {"over_limit": "flag"}, format="json")
    flagged = browser.post("/app/time/import", {"file": SimpleUploadedFile("t.csv", FILE.encode())}).content.decode()

    assert "over the daily limit of 3.00 hours" in refused
    assert "Import 2 entries" not in refused
    assert "flags it on the timesheets" in flagged
    assert "2026-01-12: 4.00 hours, over the daily limit of 3.00 hours (line 2)" in flagged
    assert "Import 2 entries" in flagged
