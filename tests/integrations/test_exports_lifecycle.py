"""The life of a report export (issue 17): queued -> running -> ready | failed | expired, the
signed download link, deletion, expiry by the beat task, ``report.export.ready`` delivered once
to a real receiver, and another tenant's exports (404, never data)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.exports import tasks
from integrations.exports.services import export_storage
from integrations.models import OutboxEvent, ReportExport
from organisations.choices import MembershipStatus, Role
from tests.organisations.factories import MembershipFactory
from tests.timetracking.conftest import person, token_client
from tests.timetracking.factories import TimeEntryFactory

from .exports_helpers import csv_rows, download, export_and_wait, request_export

pytestmark = pytest.mark.django_db
SCOPES = ("time.read", "reports.export", "webhooks.manage")


@pytest.fixture
def eli(organisation, office):
    employee = person(organisation, office, name="Eli")
    for _ in range(3):
        TimeEntryFactory(employee=employee)
    return employee


def test_a_ready_export_reports_its_file(eli, committed):
    client = token_client(eli, SCOPES)
    response = request_export(client, committed, {"report": "time_entries", "format": "csv"})
    assert response.status_code == 202
    assert response["Location"].endswith(f"/v1/reports/exports/{response.json()['id']}")
    assert response.json()["status"] == "queued"
    export = client.get(f"/v1/reports/exports/{response.json()['id']}").json()
    assert export["status"] == "ready"
    assert export["progress"] == {"done": 3, "total": 3, "percent": 100}
    assert export["rows"] == 3
    data = download(client, export)
    assert export["size"] == len(data)
    import hashlib

    assert export["checksum"] == hashlib.sha256(data).hexdigest()
    assert export["expires_at"] > timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    listed = client.get("/v1/reports/exports").json()
    assert [row["id"] for row in listed["results"]] == [export["id"]]


def test_the_signed_link_needs_no_token_and_cannot_be_forged(eli, committed):
    client = token_client(eli, SCOPES)
    export = export_and_wait(client, committed, {"report": "time_entries", "format": "csv"})
    anonymous = APIClient()
    response = anonymous.get(export["download_url"])
    assert response.status_code == 200
    assert len(csv_rows(b"".join(response.streaming_content))) == 3
    forged = export["download_url"].replace("signature=", "signature=x")
    assert anonymous.get(forged).status_code == 404
    assert anonymous.get(f"/v1/reports/exports/{export['id']}/download").status_code == 401


def test_a_failing_job_is_failed_with_a_reason_and_leaves_no_file(
    eli, organisation, django_capture_on_commit_callbacks, settings, tmp_path
):
    # a directory of its own: another pytest-xdist worker's exports land in the shared var/private
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    client = token_client(eli, SCOPES)
    with django_capture_on_commit_callbacks(execute=False):  # queued, not run yet
        response = client.post("/v1/reports/export", {"report": "time_entries", "format": "csv"}, format="json")
    eli.membership.status = MembershipStatus.DEACTIVATED
    eli.membership.save(update_fields=["status"])
    before = _stored_files()
    tasks.report_export_run_task.apply(args=(response.json()["id"],))
    export = ReportExport.objects.get(pk=response.json()["id"])
    assert export.status == "failed"
    assert "no longer active" in export.error
    assert export.file.name == "" and _stored_files() == before
    assert not OutboxEvent.objects.filter(topic="report.export.ready").exists()


def test_a_storage_failure_fails_the_job(eli, committed, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(blocker)}},
    }
    client = token_client(eli, SCOPES)
    export = export_and_wait(client, committed, {"report": "time_entries", "format": "csv"})
    assert export["status"] == "failed" and export["error"]
    assert export["download_url"] is None
    assert client.get(f"/v1/reports/exports/{export['id']}/download").status_code == 409


def _stored_files() -> set[str]:
    storage = export_storage()
    try:
        directories, _files = storage.listdir("exports")
    except FileNotFoundError:
        return set()
    found = set()
    for directory in directories:
        found |= {f"{directory}/{name}" for name in storage.listdir(f"exports/{directory}")[1]}
    return found


def test_delete_removes_the_file(eli, committed):
    client = token_client(eli, SCOPES)
    export = export_and_wait(client, committed, {"report": "time_entries", "format": "csv"})
    name = ReportExport.objects.get(pk=export["id"]).file.name
    assert export_storage().exists(name)
    with committed():
        assert client.delete(f"/v1/reports/exports/{export['id']}").status_code == 204
    assert not export_storage().exists(name)
    assert client.get(f"/v1/reports/exports/{export['id']}").status_code == 404


def test_expired_exports_lose_their_file(eli, committed):
    client = token_client(eli, SCOPES)
    export = export_and_wait(client, committed, {"report": "time_entries", "format": "csv"})
    name = ReportExport.objects.get(pk=export["id"]).file.name
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4), tick=False):
        assert tasks.report_exports_expire_task.apply().get() == 1
        detail = client.get(f"/v1/reports/exports/{export['id']}").json()
        assert detail["status"] == "expired" and detail["download_url"] is None
        assert client.get(f"/v1/reports/exports/{export['id']}/download").status_code == 410
        assert APIClient().get(export["download_url"]).status_code == 404
    assert not export_storage().exists(name)


def test_report_export_ready_is_delivered_once(eli, organisation, committed, receiver, make_api_client):
    owner_api = make_api_client(organisation)
    response = owner_api.post(
        "/v1/webhooks", {"url": receiver.url("/hook"), "topics": ["report.export.ready"]}, format="json"
    )
    assert response.status_code == 201
    client = token_client(eli, SCOPES)
    export = export_and_wait(client, committed, {"report": "time_entries", "format": "csv"})
    [request] = receiver.wait_for(1)
    data = request.json["data"]
    assert request.json["topic"] == "report.export.ready"
    assert data["id"] == export["id"] and data["rows"] == 3 and data["format"] == "csv"
    assert data["report"] == "time_entries" and data["size"] == export["size"]
    assert data["download_url"] == export["download_url"]
    assert data["expires_at"] == export["expires_at"]
    # the job running again (a redelivered message) changes nothing and emits nothing
    tasks.report_export_run_task.apply(args=(export["id"],))
    assert OutboxEvent.objects.filter(topic="report.export.ready").count() == 1
    assert len(receiver.requests) == 1
    anonymous = APIClient().get(data["download_url"])
    assert anonymous.status_code == 200


def test_another_tenants_export_is_404(eli, committed, other_api, other_organisation):
    client = token_client(eli, SCOPES)
    export = export_and_wait(client, committed, {"report": "time_entries", "format": "csv"})
    for method, suffix in (("get", ""), ("get", "/download"), ("delete", "")):
        assert getattr(other_api, method)(f"/v1/reports/exports/{export['id']}{suffix}").status_code == 404
    assert other_api.get("/v1/reports/exports").json()["results"] == []
    # and an export of the other tenant holds none of this one's time
    theirs = export_and_wait(other_api, committed, {"report": "time_entries", "format": "csv"})
    assert theirs["rows"] == 0


def test_a_colleague_sees_only_their_own_exports(eli, organisation, office, committed):
    client = token_client(eli, SCOPES)
    export = export_and_wait(client, committed, {"report": "time_entries", "format": "csv"})
    colleague = token_client(person(organisation, office, name="Cleo"), SCOPES)
    assert colleague.get(f"/v1/reports/exports/{export['id']}").status_code == 404
    assert colleague.get("/v1/reports/exports").json()["results"] == []
    admin = token_client(MembershipFactory(organisation=organisation, role=Role.ADMIN), SCOPES)
    assert admin.get(f"/v1/reports/exports/{export['id']}").status_code == 200


def test_exporting_needs_the_reports_scope(eli, committed):
    client = token_client(eli, ("time.read",))
    response = request_export(client, committed, {"report": "time_entries", "format": "csv"})
    assert response.status_code == 403 and "reports.export" in response.json()["detail"]
    client = token_client(eli, ("reports.export",))
    response = request_export(client, committed, {"report": "time_entries", "format": "csv"})
    assert response.status_code == 403 and "time.read" in response.json()["detail"]


def test_an_idempotent_retry_queues_one_export(eli, committed):
    client = token_client(eli, SCOPES)
    body = {"report": "time_entries", "format": "csv"}
    first = request_export(client, committed, body, HTTP_IDEMPOTENCY_KEY="export-once")
    again = request_export(client, committed, body, HTTP_IDEMPOTENCY_KEY="export-once")
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert ReportExport.objects.count() == 1
