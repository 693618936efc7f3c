"""Report exports of time tracking (issue 17): each report × format through HTTP, checked against
the API's list; visibility: an employee's file holds their own time, a manager's their office's."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from organisations.choices import Role
from tests.organisations.factories import OfficeFactory
from tests.timetracking.conftest import person, token_client
from tests.timetracking.factories import ClientFactory, ProjectFactory, TimeEntryFactory, TimesheetFactory

from .exports_helpers import api_list, cell, csv_rows, download, export_and_wait, request_export, xlsx_rows, zip_files

SCOPES = ("time.read", "time.write", "reports.export")
START = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)


@pytest.fixture
def people(organisation):
    ny_office = OfficeFactory(organisation=organisation, name="New York", timezone="America/New_York")
    london_office = OfficeFactory(organisation=organisation, name="London", timezone="Europe/London")
    project = ProjectFactory(client=ClientFactory(organisation=organisation, name="Acme Corp"), name="Website")
    eli = person(organisation, ny_office, name="Eli")
    cleo = person(organisation, ny_office, name="Cleo")
    lou = person(organisation, london_office, name="Lou")
    morgan = person(organisation, ny_office, Role.MANAGER, name="Morgan")
    ada = person(organisation, None, Role.ADMIN, name="Ada")
    for n, who in enumerate([eli, eli, cleo, lou, lou]):
        TimeEntryFactory(
            employee=who,
            project=project,
            start_time=START + datetime.timedelta(hours=3 * n),
            end_time=START + datetime.timedelta(hours=3 * n, minutes=95),
            duration_seconds=95 * 60,
            billable=n % 2 == 0,
            notes=f'Work, "quoted" ; {n}',
        )
    TimesheetFactory(employee=eli)
    TimesheetFactory(employee=lou)
    return {"eli": eli, "cleo": cleo, "lou": lou, "morgan": morgan, "ada": ada}


def by_id(rows):
    return {str(r["id"]): r for r in rows}


@pytest.mark.parametrize("who", ["eli", "morgan", "ada"])
def test_time_entries_csv_equals_the_api_list_cell_by_cell(people, committed, who):
    client = token_client(people[who], SCOPES)
    export = export_and_wait(client, committed, {"report": "time_entries", "format": "csv"})
    assert export["status"] == "ready"
    listed = api_list(client, "/v1/time-entries")
    rows = csv_rows(download(client, export))
    assert export["rows"] == len(listed) == len(rows)
    assert {"eli": 2, "morgan": 3, "ada": 5}[who] == len(rows)
    api = by_id(listed)
    for row in rows:
        assert row.keys() == api[row["id"]].keys()
        assert row == {key: cell(value) for key, value in api[row["id"]].items()}


def test_filters_are_the_lists_and_a_bad_one_is_a_422(people, committed):
    client = token_client(people["ada"], SCOPES)
    export = export_and_wait(
        client, committed, {"report": "time_entries", "format": "csv", "filters": {"employee_id": people["lou"].pk}}
    )
    assert {r["employee_id"] for r in csv_rows(download(client, export))} == {str(people["lou"].pk)}
    bad = request_export(client, committed, {"report": "time_entries", "format": "csv", "filters": {"nope": 1}})
    assert bad.status_code == 422
    assert "filters.nope" in bad.json()["errors"]
    bad = request_export(
        client, committed, {"report": "time_entries", "format": "csv", "filters": {"start_date": "yesterday"}}
    )
    assert bad.status_code == 422


def test_csv_options_bom_and_semicolon(people, committed):
    client = token_client(people["eli"], SCOPES)
    export = export_and_wait(
        client, committed, {"report": "time_entries", "format": "csv", "bom": True, "delimiter": ";"}
    )
    data = download(client, export)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(data, ";")
    assert len(rows) == 2 and rows[0]["notes"].startswith('Work, "quoted" ;')


def test_time_entries_xlsx_is_typed(people, committed):
    client = token_client(people["eli"], SCOPES)
    export = export_and_wait(client, committed, {"report": "time_entries", "format": "xlsx"})
    rows = xlsx_rows(download(client, export))
    api = by_id(api_list(client, "/v1/time-entries"))
    assert len(rows) == 2
    for row in rows:
        expected = api[str(row["id"])]
        assert row["duration_seconds"] == expected["duration_seconds"] == 5700
        assert Decimal(str(row["duration_hours"])).quantize(Decimal("0.01")) == Decimal(expected["duration_hours"])
        assert row["start_time"] == datetime.datetime.fromisoformat(expected["start_time"].replace("Z", ""))
        assert row["billable"] is expected["billable"]
        assert row["notes"] == expected["notes"]


def test_time_entries_pdf_is_the_time_deck(people, committed):
    client = token_client(people["ada"], SCOPES)
    export = export_and_wait(client, committed, {"report": "time_entries", "format": "pdf"})
    data = download(client, export)
    assert data.startswith(b"%PDF")
    assert export["content_type"] == "application/pdf"


def test_timesheets_csv_and_xlsx_match_the_list(people, committed):
    client = token_client(people["morgan"], SCOPES)
    listed = api_list(client, "/v1/timesheets")
    export = export_and_wait(client, committed, {"report": "timesheets", "format": "csv"})
    rows = csv_rows(download(client, export))
    assert len(rows) == len(listed) == 1  # the manager's office: Eli's, not Lou's (London)
    api = by_id(listed)
    for row in rows:
        expected = api[row["id"]]
        totals = expected.pop("totals")
        assert row == {
            **{k: cell(v) for k, v in expected.items()},
            **{f"totals_{k}": cell(v) for k, v in totals.items()},
        }
    export = export_and_wait(client, committed, {"report": "timesheets", "format": "xlsx"})
    assert [r["id"] for r in xlsx_rows(download(client, export))] == [int(r["id"]) for r in rows]


def test_tracked_hours_needs_group_by_and_matches_the_report(people, committed):
    client = token_client(people["ada"], SCOPES)
    bad = request_export(client, committed, {"report": "tracked_hours", "format": "csv"})
    assert bad.status_code == 422 and "filters.group_by" in bad.json()["errors"]
    report = client.get("/v1/reports/tracked-hours", {"group_by": "employee"}).json()
    export = export_and_wait(
        client, committed, {"report": "tracked_hours", "format": "csv", "filters": {"group_by": "employee"}}
    )
    rows = csv_rows(download(client, export))
    assert len(rows) == len(report["rows"]) == 3
    for row, expected in zip(rows, report["rows"], strict=True):
        for key, value in expected.items():
            assert row[key] == cell(value)
    for fmt in ("xlsx", "pdf"):
        export = export_and_wait(
            client, committed, {"report": "tracked_hours", "format": fmt, "filters": {"group_by": "project"}}
        )
        assert export["status"] == "ready" and export["size"] > 0


def test_a_zip_bundle_has_a_manifest(people, committed):
    client = token_client(people["ada"], SCOPES)
    export = export_and_wait(
        client,
        committed,
        {
            "report": "month_end",
            "format": "zip",
            "filters": {"start_date": "2026-03-01", "end_date": "2026-03-31"},
            "parts": [
                {"report": "time_entries", "format": "csv"},
                {"report": "timesheets", "format": "xlsx", "filters": {}},
                {"report": "time_entries", "format": "pdf"},
            ],
        },
    )
    assert export["status"] == "ready"
    files = zip_files(download(client, export))
    import json

    manifest = json.loads(files.pop("manifest.json"))
    assert [f["file"] for f in manifest["files"]] == sorted(files)
    assert manifest["files"][0]["rows"] == 5
    assert manifest["files"][0]["filters"] == {"start_date": "2026-03-01", "end_date": "2026-03-31"}
    import hashlib

    for entry in manifest["files"]:
        assert hashlib.sha256(files[entry["file"]]).hexdigest() == entry["sha256"]
