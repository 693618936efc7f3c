"""Statement imports as background jobs (issue 12 point 3): heartbeat and attempts, the stale-job
sweep (re-queue, then fail through the service) and a failed task failing its batch."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from integrations.models import OutboxEvent
from organisations.actors import system_actor
from payroll import services
from payroll.models import ImportBatch, ImportRow
from payroll.tasks import import_batch_process_task
from trackyoursheets.celery import app as celery_app

from .factories import _Upload

pytestmark = pytest.mark.django_db

STATEMENT = (
    "Policy Number,Producer Code,Premium,Commission,Date\n"
    "POL-1001,A-100,1000.00,100.00,2026-01-15\n"
    "POL-2002,B-200,500.00,50.00,2026-01-16\n"
)
STALE = "Its worker stopped responding (no sign of life for 15 minutes); start it again."


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def queued(organisation, carrier) -> ImportBatch:
    """An upload whose processing has not started (its after-commit task never ran)."""
    return services.import_batch_create(
        actor=system_actor(organisation), upload=_Upload(STATEMENT, "statement.csv"), carrier=carrier
    )


def left_running(organisation, carrier, *, attempts: int, heartbeat: datetime.datetime) -> ImportBatch:
    """A batch whose worker died half-way: processing, rows written, no recent heartbeat."""
    batch = queued(organisation, carrier)
    import_batch_process_task.apply(args=(batch.pk, organisation.pk))
    ImportBatch.objects.filter(pk=batch.pk).update(
        status="processing", rows_processed=1, completed_at=None, attempts=attempts, heartbeat_at=heartbeat
    )
    return batch


def test_a_run_claims_the_batch_and_records_progress_and_heartbeat(organisation, carrier, book):
    batch = queued(organisation, carrier)
    assert (batch.status, batch.attempts, batch.heartbeat_at) == ("queued", 0, None)

    import_batch_process_task.apply(args=(batch.pk, organisation.pk))

    batch.refresh_from_db()
    assert (batch.status, batch.attempts, batch.rows_processed, batch.total_rows) == ("review", 1, 2, 2)
    assert batch.heartbeat_at is not None and batch.completed_at is not None


def test_a_second_message_for_a_batch_in_progress_does_nothing(organisation, carrier, book):
    batch = left_running(organisation, carrier, attempts=1, heartbeat=timezone.now())

    import_batch_process_task.apply(args=(batch.pk, organisation.pk))

    batch.refresh_from_db()
    assert (batch.status, batch.attempts, batch.rows_processed) == ("processing", 1, 1)
    assert ImportRow.objects.filter(batch=batch).count() == 2


def test_the_sweep_requeues_a_batch_whose_worker_died_and_it_is_processed_again(
    organisation, carrier, book, settings, api, django_capture_on_commit_callbacks
):
    settings.JOB_STALE_AFTER_SECONDS = 900
    dead = left_running(organisation, carrier, attempts=1, heartbeat=ago(minutes=16))
    alive = left_running(organisation, carrier, attempts=1, heartbeat=ago(minutes=1))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("jobs_sweep")

    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.total_rows, dead.matched_rows) == ("review", 2, 2, 2)
    assert dead.failure_reason == ""
    # started again from scratch: the first run's rows are gone, not duplicates of the second's
    assert sorted(ImportRow.objects.filter(batch=dead).values_list("status", flat=True)) == ["matched", "matched"]
    body = api.get(f"/v1/imports/{dead.pk}").json()
    assert (body["status"], body["progress"]["percent"]) == ("review", 100)
    assert ImportBatch.objects.get(pk=alive.pk).status == "processing"


def test_the_sweep_fails_a_batch_out_of_attempts_through_the_service(organisation, carrier, book, settings, api):
    settings.JOB_STALE_AFTER_SECONDS = 900
    settings.JOB_MAX_ATTEMPTS = 3
    batch = left_running(organisation, carrier, attempts=3, heartbeat=ago(hours=1))
    events_before = OutboxEvent.objects.filter(topic="import.batch.completed").count()

    result = celery_app.tasks["trackyoursheets.jobs.jobs_stale_sweep_task"].apply().get()

    assert result == {"failed": 1, "requeued": 0}
    batch.refresh_from_db()
    assert (batch.status, batch.failure_reason, batch.total_rows) == ("failed", STALE, 0)
    assert batch.completed_at is not None
    assert not ImportRow.objects.filter(batch=batch).exists()  # nothing of it is half-imported
    assert OutboxEvent.objects.filter(topic="import.batch.completed").count() == events_before + 1
    body = api.get(f"/v1/imports/{batch.pk}").json()
    assert (body["status"], body["failure_reason"], body["progress"]["percent"]) == ("failed", STALE, 100)


def test_a_statement_that_vanished_fails_the_batch_with_a_readable_reason(organisation, carrier, book):
    batch = queued(organisation, carrier)
    services.batch_file(batch).unlink()

    import_batch_process_task.apply(args=(batch.pk, organisation.pk))

    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.failure_reason == (
        "An unexpected error stopped the import; nothing was imported. Upload the statement again."
    )


def test_a_task_failure_fails_the_batch_through_the_service(organisation, carrier, book):
    batch = left_running(organisation, carrier, attempts=1, heartbeat=timezone.now())

    # a message the task cannot run (as from an older worker): the task fails as a worker runs it
    result = import_batch_process_task.apply(args=(batch.pk, organisation.pk, "surplus"), throw=False)

    assert result.failed()
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.failure_reason.startswith("The job failed unexpectedly: ")
    assert "positional argument" in batch.failure_reason
    assert not ImportRow.objects.filter(batch=batch).exists()


def test_a_split_statement_left_running_is_processed_again_with_new_children(
    organisation, book, settings, django_capture_on_commit_callbacks
):
    settings.JOB_STALE_AFTER_SECONDS = 900
    batch = services.import_batch_create(
        actor=system_actor(organisation),
        upload=_Upload(
            "Carrier,Policy Number,Producer Code,Commission,Date\n"
            "Acme Mutual,POL-1001,A-100,100.00,2026-01-15\n"
            "Zenith Life,Z-1,B-200,50.00,2026-01-16\n",
            "statement.csv",
        ),
    )
    import_batch_process_task.apply(args=(batch.pk, organisation.pk))
    first_children = set(ImportBatch.objects.filter(parent=batch).values_list("pk", flat=True))
    assert len(first_children) == 2
    # the worker died before the end: parent and children processing, silent for an hour
    ImportBatch.objects.filter(pk=batch.pk).update(status="processing", attempts=1, heartbeat_at=ago(hours=1))
    ImportBatch.objects.filter(parent=batch).update(status="processing", heartbeat_at=ago(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("jobs_sweep")

    batch.refresh_from_db()
    assert (batch.status, batch.attempts, batch.total_rows) == ("split", 2, 2)
    children = ImportBatch.objects.filter(parent=batch)
    assert sorted(c.status for c in children) == ["review", "review"]
    assert not first_children & {c.pk for c in children}
    assert ImportRow.objects.filter(organisation=organisation).count() == 2
