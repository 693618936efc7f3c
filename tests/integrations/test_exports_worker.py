"""Report exports through a REAL Celery worker (CI's PostgreSQL + Redis pass): the request
publishes the job to Redis, a worker subprocess writes the file and records
``report.export.ready``, which reaches a real receiver once; the file downloads by its signed
link."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from integrations.models import OutboxEvent, ReportExport
from tests.timetracking.conftest import person, token_client
from tests.timetracking.factories import TimeEntryFactory
from trackyoursheets.celery import app as celery_app

from .exports_helpers import csv_rows
from .processes import CeleryWorker, wait_until

#: the test process publishes to the broker; a worker subprocess consumes (see conftest._celery_mode)
CELERY_EAGER = False

pytestmark = [
    pytest.mark.requires_postgres,
    pytest.mark.requires_redis,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker():
    celery_app.control.purge()  # messages left by other tests (other databases) are not ours
    process = CeleryWorker(celery_app.conf.broker_url).start()
    yield process
    process.stop()


def test_a_worker_writes_the_export_and_the_webhook_fires_once(worker, receiver, api, organisation, office):
    response = api.post(
        "/v1/webhooks", {"url": receiver.url("/hook"), "topics": ["report.export.ready"]}, format="json"
    )
    assert response.status_code == 201
    eli = person(organisation, office, name="Eli")
    for _ in range(3):
        TimeEntryFactory(employee=eli)
    client = token_client(eli, ("time.read", "reports.export"))

    response = client.post("/v1/reports/export", {"report": "time_entries", "format": "csv"}, format="json")

    assert response.status_code == 202
    wait_until(
        lambda: ReportExport.objects.filter(pk=response.json()["id"], status="ready").exists(), 60, "export ready"
    )
    [request] = receiver.wait_for(1, timeout=30)
    assert request.json["data"]["rows"] == 3
    assert OutboxEvent.objects.filter(topic="report.export.ready").count() == 1
    download = APIClient().get(request.json["data"]["download_url"])
    assert download.status_code == 200
    assert len(csv_rows(b"".join(download.streaming_content))) == 3
