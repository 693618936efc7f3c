"""The Exports pages (issue 17 point 7): request from a list's Export button with its filters,
the progress JSON, the history with its download link, delete; another member's export is a 404."""

from __future__ import annotations

import pytest

from integrations.models import ReportExport
from tests.timetracking.conftest import person
from tests.timetracking.factories import TimeEntryFactory

from .exports_helpers import csv_rows

pytestmark = pytest.mark.django_db


def test_request_follow_download_and_delete(organisation, office, session_client, committed):
    eli = person(organisation, office, name="Eli")
    TimeEntryFactory(employee=eli)
    TimeEntryFactory(employee=eli, billable=False)
    client = session_client(eli.membership)
    entries = client.get("/app/time/entries?billable=true")
    assert entries.status_code == 200
    assert b"/app/exports/?report=time_entries" in entries.content
    page = client.get("/app/exports/?report=time_entries&billable=true&page=2")
    assert page.status_code == 200
    assert "billable=true" in page.content.decode() and "page=2" not in page.content.decode()
    with committed():
        response = client.post(
            "/app/exports/",
            {"report": "time_entries", "format": "csv", "filters": "billable=true", "delimiter": ","},
        )
    export = ReportExport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/app/exports/{export.pk}"
    assert client.get(f"/app/exports/{export.pk}/status").json() == {
        "status": "ready",
        "done": 1,
        "total": 1,
        "percent": 100,
    }
    detail = client.get(f"/app/exports/{export.pk}")
    assert b"Download" in detail.content and export.checksum.encode() in detail.content
    download = client.get(f"/app/exports/{export.pk}/download")
    assert len(csv_rows(b"".join(download.streaming_content))) == 1
    listed = client.get("/app/exports/")
    assert f"/app/exports/{export.pk}/download".encode() in listed.content
    other = person(organisation, office, name="Cleo")
    client.logout()
    other_client = session_client(other.membership)
    assert other_client.get(f"/app/exports/{export.pk}").status_code == 404
    assert other_client.get(f"/app/exports/{export.pk}/download").status_code == 404
    other_client.logout()
    client = session_client(eli.membership)
    with committed():
        assert client.post(f"/app/exports/{export.pk}/delete").status_code == 302
    assert not ReportExport.objects.exists()


def test_a_bad_filter_is_shown_on_the_form(organisation, office, session_client):
    eli = person(organisation, office, name="Eli")
    client = session_client(eli.membership)
    response = client.post("/app/exports/", {"report": "time_entries", "format": "csv", "filters": "nope=1"})
    assert response.status_code == 200
    assert b"Unknown query parameter" in response.content
    assert not ReportExport.objects.exists()


def test_the_admin_lists_and_deletes_exports(admin_client, organisation, office, session_client, committed):
    eli = person(organisation, office, name="Eli")
    TimeEntryFactory(employee=eli)
    with committed():
        session_client(eli.membership).post("/app/exports/", {"report": "time_entries", "format": "csv"})
    export = ReportExport.objects.get()
    assert admin_client.get("/admin/integrations/reportexport/").status_code == 200
    assert admin_client.get(f"/admin/integrations/reportexport/{export.pk}/change/").status_code == 200
    with committed():
        response = admin_client.post(f"/admin/integrations/reportexport/{export.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ReportExport.objects.exists()
