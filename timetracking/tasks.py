"""Celery tasks of time tracking (STYLE §5): thin, ids only, idempotent."""

from __future__ import annotations

from celery import shared_task
from celery.utils.log import get_task_logger

from trackyoursheets.jobs import JobTask

from . import importer

logger = get_task_logger(__name__)


@shared_task(acks_late=True, ignore_result=True, base=JobTask, job_model="timetracking.ImportJob")
def time_entries_import_task(job_id: int, organisation_id: int) -> None:
    """Run a large CSV import (a second run of a finished job does nothing). An unexpected
    failure marks the job failed (``JobTask.on_failure``); a dead worker's job is failed by the
    stale-job sweep."""
    job = importer.import_job_run(job_id=job_id, organisation_id=organisation_id)
    logger.info("Time import %s: %s, %s created, %s bad rows", job.pk, job.status, job.created_count, job.error_count)
