"""Celery tasks of payroll (STYLE §5): thin, ids only, idempotent.

The services never import this module: it registers the processing of a queued statement
with :func:`payroll.services.on_batch_queued` when it is imported (``PayrollConfig.ready``
imports it), and the services call what is registered after commit.

A statement import is a background job (:mod:`trackyoursheets.jobs`, ``ImportBatch.job_fields``):
the stale-job sweep re-queues a batch whose worker died with :func:`import_batch_process_task`
and, once its attempts are used up, fails it with :func:`import_batch_fail_task`.
"""

from __future__ import annotations

from celery import shared_task
from celery.utils.log import get_task_logger

from trackyoursheets.jobs import JobTask, failure_reason

from . import services

logger = get_task_logger(__name__)


class ImportBatchTask(JobTask):
    """A task that processes one batch: when it fails for good the batch is failed through the
    service (its half-written rows and per-carrier children removed), not just marked failed."""

    job_model = "payroll.ImportBatch"
    job_id_arg = "batch_id"

    def mark_job_failed(self, exc, args, kwargs) -> None:
        batch_id = kwargs.get("batch_id", args[0] if args else None)
        organisation_id = kwargs.get("organisation_id", args[1] if len(args) > 1 else None)
        if batch_id is not None and organisation_id is not None:
            try:
                services.import_batch_fail(
                    batch_id=batch_id, organisation_id=organisation_id, reason=failure_reason(exc)
                )
            except Exception:  # the original failure is what gets reported
                logger.exception("Could not fail import %s through the service", batch_id)
        super().mark_job_failed(exc, args, kwargs)  # a no-op once the batch has failed


@shared_task(acks_late=True, ignore_result=True, base=ImportBatchTask)
def import_batch_process_task(batch_id: int, organisation_id: int) -> None:
    """Read, normalise, match and deduplicate one uploaded statement (idempotent: a batch that
    is no longer queued is left alone). An unexpected failure fails the batch (``on_failure``);
    a dead worker's batch is re-queued, then failed, by the stale-job sweep."""
    batch = services.import_batch_process(batch_id=batch_id, organisation_id=organisation_id)
    if batch is not None:
        logger.info("Import %s: %s (%s rows)", batch.pk, batch.status, batch.total_rows)


@shared_task(acks_late=True, ignore_result=True)
def import_batch_fail_task(batch_id: int, organisation_id: int, reason: str) -> None:
    """Fail a batch that is still queued or processing (the stale-job sweep's ``fail_task``):
    its rows and per-carrier children are removed, so nothing of it is half-imported."""
    services.import_batch_fail(batch_id=batch_id, organisation_id=organisation_id, reason=reason)


@services.on_batch_queued
def _enqueue_import_batch_process(batch_id: int, organisation_id: int) -> None:
    """Process a committed upload: in a worker when there is a broker, else in this process."""
    import_batch_process_task.apply_async(args=(batch_id, organisation_id), retry=False)
