"""Celery tasks of payroll (STYLE §5): thin, ids only, idempotent.

The services never import this module: it registers the processing of a queued statement
with :func:`payroll.services.on_batch_queued` when it is imported (``PayrollConfig.ready``
imports it), and the services call what is registered after commit.
"""

from __future__ import annotations

from celery import shared_task
from celery.utils.log import get_task_logger

from . import services

logger = get_task_logger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def import_batch_process_task(batch_id: int, organisation_id: int) -> None:
    """Read, normalise, match and deduplicate one uploaded statement (idempotent: a batch that
    is no longer queued or processing is left alone; a half-done run starts over)."""
    batch = services.import_batch_process(batch_id=batch_id, organisation_id=organisation_id)
    if batch is not None:
        logger.info("Import %s: %s (%s rows)", batch.pk, batch.status, batch.total_rows)


@services.on_batch_queued
def _enqueue_import_batch_process(batch_id: int, organisation_id: int) -> None:
    """Process a committed upload: in a worker when there is a broker, else in this process."""
    import_batch_process_task.apply_async(args=(batch_id, organisation_id), retry=False)
