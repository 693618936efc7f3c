"""Time imports as background jobs (issue 12 point 3): heartbeat, on_failure and the stale-job sweep."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from celery import shared_task
from django.core.management import call_command
from django.utils import timezone

from timetracking import importer
from timetracking.models import ImportJob, TimeEntry
from timetracking.tasks import time_entries_import_task
from trackyoursheets import jobs
from trackyoursheets.celery import app as celery_app

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_in_process")]

CSV = "date,start,end,project\n2026-01-12,09:00,10:00,Website\n"


@shared_task(name="tests.timetracking.test_jobs.import_job_fail_task")
def import_job_fail_task(job_id: int, organisation_id: int, reason: str) -> None:
    """Stands in for an app's service that fails a job and cleans up after it."""
    jobs.job_failed(ImportJob, job_id, f"cleaned up: {reason}", source_text="")


def make_job(organisation, employee, **fields) -> ImportJob:
    return ImportJob.objects.create(
        organisation=organisation,
        membership=employee.membership,
        source_text=CSV,
        total_rows=1,
        **fields,
    )


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def test_the_sweep_task_fails_a_running_import_whose_worker_died(organisation, employee, settings):
    settings.JOB_STALE_AFTER_SECONDS = 900
    dead = make_job(organisation, employee, status="running", started_at=ago(hours=1), heartbeat_at=ago(minutes=16))
    alive = make_job(organisation, employee, status="running", started_at=ago(hours=1), heartbeat_at=ago(minutes=1))
    done = make_job(organisation, employee, status="completed", heartbeat_at=ago(hours=2))

    result = celery_app.tasks["trackyoursheets.jobs.jobs_stale_sweep_task"].apply().get()

    assert result == {"failed": 1, "requeued": 0}
    dead.refresh_from_db()
    assert (dead.status, dead.progress) == ("failed", 100)
    assert dead.detail == "Its worker stopped responding (no sign of life for 15 minutes); start it again."
    assert dead.finished_at is not None
    assert ImportJob.objects.get(pk=alive.pk).status == "running"
    assert ImportJob.objects.get(pk=done.pk).status == "completed"


def test_a_job_running_since_before_heartbeats_is_judged_by_its_start(organisation, employee, settings):
    settings.JOB_STALE_AFTER_SECONDS = 60
    legacy = make_job(organisation, employee, status="running", started_at=ago(minutes=5))

    call_command("jobs_sweep")

    assert ImportJob.objects.get(pk=legacy.pk).status == "failed"


def crash(**kwargs):
    jobs.job_claim(ImportJob, kwargs["job_id"])
    raise RuntimeError("database went away")


def test_on_failure_marks_the_job_failed_with_a_readable_reason(organisation, employee, monkeypatch):
    job = make_job(organisation, employee)
    monkeypatch.setattr(importer, "import_job_run", crash)

    result = time_entries_import_task.apply(args=(job.pk, organisation.pk), throw=False)  # as a worker runs it

    assert result.failed()
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.detail == "The job failed unexpectedly: database went away"
    assert job.finished_at is not None


def test_an_eager_run_that_raises_also_marks_the_job_failed(organisation, employee, monkeypatch):
    job = make_job(organisation, employee)
    monkeypatch.setattr(importer, "import_job_run", crash)

    with pytest.raises(RuntimeError):
        time_entries_import_task.delay(job.pk, organisation.pk)

    assert ImportJob.objects.get(pk=job.pk).status == "failed"


def test_a_run_records_start_heartbeat_and_result(organisation, employee, project):
    job = make_job(organisation, employee)

    time_entries_import_task.apply(args=(job.pk, organisation.pk))

    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count, job.source_text) == ("completed", 1, 1, "")
    assert job.started_at is not None and job.heartbeat_at is not None and job.finished_at is not None
    assert TimeEntry.objects.count() == 1


def test_the_sweep_requeues_a_job_that_may_run_again(
    organisation, employee, project, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # ImportJob itself is never re-queued (see its docstring); this checks the mechanism with
    # a retry task and an attempts column borrowed for the test.
    settings.JOB_STALE_AFTER_SECONDS = 60
    retryable = dataclasses.replace(
        ImportJob.job_fields, attempts="error_count", retry_task="timetracking.tasks.time_entries_import_task"
    )
    monkeypatch.setattr(ImportJob, "job_fields", retryable)
    job = make_job(organisation, employee, status="running", heartbeat_at=ago(minutes=5), error_count=1)

    with django_capture_on_commit_callbacks(execute=True):
        result = jobs.jobs_stale_sweep()

    assert result == {"failed": 0, "requeued": 1}
    job.refresh_from_db()
    assert job.status == "completed"
    assert TimeEntry.objects.count() == 1


def test_the_sweep_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["jobs-stale-sweep"]

    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] <= settings.JOB_STALE_AFTER_SECONDS


def test_the_sweep_fails_through_the_apps_task_when_it_names_one(organisation, employee, settings, monkeypatch):
    settings.JOB_STALE_AFTER_SECONDS = 60
    with_service = dataclasses.replace(ImportJob.job_fields, fail_task=import_job_fail_task.name)
    monkeypatch.setattr(ImportJob, "job_fields", with_service)
    job = make_job(organisation, employee, status="running", heartbeat_at=ago(minutes=5))

    assert jobs.jobs_stale_sweep() == {"failed": 1, "requeued": 0}

    job.refresh_from_db()
    assert (job.status, job.source_text) == ("failed", "")
    assert job.detail.startswith("cleaned up: Its worker stopped responding")
