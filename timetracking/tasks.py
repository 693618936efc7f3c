"""Celery tasks of time tracking (STYLE §5): thin, ids only, idempotent."""

from __future__ import annotations

from celery import shared_task
from celery.utils.log import get_task_logger

from organisations.models import Organisation
from trackyoursheets.jobs import JobTask

from . import importer
from .services import reminders

logger = get_task_logger(__name__)


@shared_task(acks_late=True, ignore_result=True, base=JobTask, job_model="timetracking.ImportJob")
def time_entries_import_task(job_id: int, organisation_id: int) -> None:
    """Run a large CSV import (a second run of a finished job does nothing). An unexpected
    failure marks the job failed (``JobTask.on_failure``); a dead worker's job is failed by the
    stale-job sweep."""
    job = importer.import_job_run(job_id=job_id, organisation_id=organisation_id)
    logger.info("Time import %s: %s, %s created, %s bad rows", job.pk, job.status, job.created_count, job.error_count)


@shared_task(acks_late=True, ignore_result=True)
def timesheet_reminders_task() -> None:
    """Beat (``CELERY_BEAT_SCHEDULE["timesheet-reminders"]``): remind employees whose timesheet is
    still open two days after the period ended; safe to run any number of times (one email per
    timesheet at most)."""
    for organisation in Organisation.objects.filter(is_active=True).order_by("pk").iterator():
        sent = reminders.timesheet_reminders_send(organisation=organisation)
        if sent:
            logger.info("Timesheet reminders: %s sent for organisation %s", sent, organisation.pk)
