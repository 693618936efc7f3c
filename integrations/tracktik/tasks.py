"""Celery tasks of the TrackTik connector: thin, they call the sync services."""

from __future__ import annotations

from celery import shared_task
from celery.utils.log import get_task_logger

from trackyoursheets.jobs import JobTask

from . import services

logger = get_task_logger(__name__)


@shared_task(base=JobTask, job_model="tracktik.TracktikSyncRun")
def tracktik_sync_task(job_id: int, organisation_id: int) -> None:
    """Run one queued sync; an unexpected error marks the run failed (``JobTask``)."""
    run = services.sync_run_execute(run_id=job_id, organisation_id=organisation_id)
    logger.info("TrackTik sync %s: %s", run.pk, run.status)


@shared_task
def tracktik_sync_due_task() -> int:
    """Beat: start the syncs whose connection's schedule has come round."""
    return services.sync_due_start()
