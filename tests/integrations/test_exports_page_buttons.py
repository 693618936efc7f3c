"""The Export… button of the timesheet approvals page and of the audit trail page (issue 17 point 7):
it opens the Exports page with the page's report and filters; the export posted from there holds
the rows the page's filters select, of this organisation only."""

from __future__ import annotations

import datetime
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from integrations.models import ReportExport
from organisations.choices import Role
from organisations.models import AuditEvent
from tests.timetracking.conftest import person
from tests.timetracking.factories import TimesheetFactory

from .exports_helpers import csv_rows

pytestmark = pytest.mark.django_db


def export_link(response) -> str:
    match = re.search(r'href="([^"]*)">Export…</a>', response.content.decode())
    assert match, "no Export… button"
    return html.unescape(match.group(1))


def post_export(client, committed, link: str) -> list[dict]:
    """Open the Exports page from the button, post its prefilled form, download the CSV."""
    page = client.get(link)
    assert page.status_code == 200
    form = page.context["form"]
    with committed():
        response = client.post(
            "/app/exports/",
            {"report": form.initial["report"], "format": "csv", "filters": form.initial["filters"], "delimiter": ","},
        )
    assert response.status_code == 302, response.content
    export = ReportExport.objects.latest("pk")
    assert export.status == "ready", export.error
    download = client.get(f"/app/exports/{export.pk}/download")
    return csv_rows(b"".join(download.streaming_content))


def test_the_approvals_page_exports_its_timesheets_with_its_filters(
    organisation, other_organisation, office, session_client, committed
):
    eli, cleo = person(organisation, office, name="Eli"), person(organisation, office, name="Cleo")
    morgan = person(organisation, office, Role.MANAGER, name="Morgan")
    week = datetime.date(2026, 3, 2)
    submitted = TimesheetFactory(employee=eli, status="submitted")
    TimesheetFactory(employee=eli, status="approved", period_start=week - datetime.timedelta(days=7))
    TimesheetFactory(employee=cleo, status="submitted")
    stranger = person(other_organisation, None, name="Stranger")
    TimesheetFactory(employee=stranger, status="submitted")
    client = session_client(morgan.membership)

    link = export_link(client.get(f"/app/time/approvals?employee_id={eli.pk}"))
    path, query = urlsplit(link).path, parse_qs(urlsplit(link).query)
    assert path == "/app/exports/"
    assert query == {"report": ["timesheets"], "status": ["submitted"], "employee_id": [str(eli.pk)]}
    assert [r["id"] for r in post_export(client, committed, link)] == [str(submitted.pk)]

    everything = export_link(client.get("/app/time/approvals?status=all"))
    assert parse_qs(urlsplit(everything).query) == {"report": ["timesheets"]}
    rows = post_export(client, committed, everything)
    # the manager's office's timesheets, never another organisation's
    assert {r["employee_id"] for r in rows} == {str(eli.pk), str(cleo.pk)}
    # a filter naming another organisation's employee selects nothing
    assert post_export(client, committed, f"/app/exports/?report=timesheets&employee_id={stranger.pk}") == []


def event(organisation, object_type: str, label: str = "Ada") -> AuditEvent:
    return AuditEvent.objects.create(
        organisation=organisation,
        source=AuditEvent.Source.API,
        actor_label=label,
        action=f"{object_type}.update",
        object_type=object_type,
        object_id="7",
    )


def test_the_audit_trail_page_lists_filters_and_exports(
    organisation, other_organisation, office, session_client, committed
):
    ada = person(organisation, office, Role.ADMIN, name="Ada")
    mine = event(organisation, "workspace")
    event(organisation, "office")
    event(other_organisation, "workspace", label="Rival")
    client = session_client(ada.membership)

    page = client.get("/app/audit?object_type=workspace")
    assert page.status_code == 200
    table = page.context["table"]
    assert [e.pk for e in table.pager.rows] == [mine.pk]
    assert b"Rival" not in page.content
    link = export_link(page)
    assert parse_qs(urlsplit(link).query) == {"report": ["audit_events"], "object_type": ["workspace"]}
    rows = post_export(client, committed, link)
    assert [r["id"] for r in rows] == [str(mine.pk)]
    assert "/app/audit" in {item["url"] for item in page.context["nav_items"]}


@pytest.mark.parametrize("role", [Role.MANAGER, Role.HR, Role.EMPLOYEE])
def test_the_audit_trail_page_is_for_owners_and_admins(organisation, office, session_client, role):
    member = person(organisation, office, role, name="Sam")
    client = session_client(member.membership)
    assert client.get("/app/audit").status_code == 403
    assert "/app/audit" not in {item["url"] for item in client.get("/app/exports/").context["nav_items"]}


def test_the_audit_trail_page_streams_its_csv(organisation, office, session_client):
    ada = person(organisation, office, Role.OWNER, name="Ada")
    event(organisation, "workspace")
    response = session_client(ada.membership).get("/app/audit?export=csv")
    assert response.status_code == 200
    assert len(csv_rows(b"".join(response.streaming_content))) == 1


def test_the_directory_download_is_the_hr_directory_export(
    organisation, other_organisation, office, session_client, committed
):
    """/app/hr/directory.csv is made from the hr_directory report: the same columns and rows as
    an export of that report with the same filters."""
    from tests.organisations.factories import OfficeFactory

    north = OfficeFactory(organisation=organisation, name="North")
    hana = person(organisation, office, Role.HR, name="Hana")
    person(organisation, office, name="Eli")
    person(organisation, north, name="Lou")
    person(other_organisation, None, name="Stranger")
    client = session_client(hana.membership)

    download = client.get(f"/app/hr/directory.csv?office_id={office.pk}&page=2")
    assert download.status_code == 200
    page_rows = csv_rows(download.content)
    exported = post_export(client, committed, f"/app/exports/?report=hr_directory&office_id={office.pk}")
    assert page_rows == exported
    assert list(page_rows[0]) == list(exported[0]) and "pay_rate" in page_rows[0]
    assert {r["first_name"] for r in page_rows} == {"Hana", "Eli"}  # the office's, never another organisation's
