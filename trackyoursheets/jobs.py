"""The background-job base (issue 12 point 3; STYLE §5.6-5.7): progress, failure and the stale-job sweep.

A long job (a large import, an export, a TrackTik sync) is a row that a Celery task updates
and clients poll. Every job model declares where its state lives in :class:`JobFields`
(``job_fields``), so the helpers here work for new tables built on :class:`BackgroundJob`
and for older ones that keep their own column names and status values (``timetracking.ImportJob``
keeps ``pending``/``completed``, which its API publishes):

- :func:`job_claim` queued -> running (once: a redelivered message finds it claimed);
- :func:`job_progress` rows done (and total) plus the heartbeat, optionally through another
  connection so pollers see it while the job's own transaction is open;
- :func:`job_succeeded` / :func:`job_failed` the end, with a readable reason;
- :class:`JobTask` a Celery ``Task`` base whose ``on_failure`` marks the job row failed;
- :func:`jobs_stale_sweep` (beat: :func:`jobs_stale_sweep_task`; command ``jobs_sweep``)
  fails jobs left ``running`` with no heartbeat for ``JOB_STALE_AFTER_SECONDS`` (a dead
  worker), or re-queues them when their ``JobFields.retry_task`` says the job can safely run
  again, up to ``JOB_MAX_ATTEMPTS``.

Imports no app: job models are found through the app registry by their ``job_fields``.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from celery import Task, current_app, shared_task
from celery.exceptions import Retry, SoftTimeLimitExceeded, TimeLimitExceeded
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = [
    "BackgroundJob",
    "JobFields",
    "JobStatus",
    "JobTask",
    "failure_reason",
    "job_claim",
    "job_failed",
    "job_models",
    "job_progress",
    "job_succeeded",
    "jobs_stale_sweep",
    "jobs_stale_sweep_task",
]

logger = logging.getLogger(__name__)

MAX_REASON = 2000


class JobStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Queued")
    RUNNING = "running", gettext_lazy("Running")
    SUCCEEDED = "succeeded", gettext_lazy("Succeeded")
    FAILED = "failed", gettext_lazy("Failed")


@dataclass(frozen=True)
class JobFields:
    """Where a job model keeps its state: field names and the status values it uses.

    ``started_at``/``finished_at``/``attempts`` may be ``None`` for a model without them.
    ``retry_task`` names the Celery task (called with ``(job_id, organisation_id)``) that the
    sweep re-queues a stale job with; leave it ``None`` unless running the job twice is safe.
    ``fail_task`` names a task (called with ``(job_id, organisation_id, reason)``) that fails a
    stale job through the app's service (e.g. to remove half-written rows) instead of the
    sweep's plain status update.
    """

    status: str = "status"
    queued: str = JobStatus.QUEUED
    running: str = JobStatus.RUNNING
    succeeded: str = JobStatus.SUCCEEDED
    failed: str = JobStatus.FAILED
    done: str = "progress_done"
    total: str | None = "progress_total"
    error: str = "error"
    started_at: str | None = "started_at"
    finished_at: str | None = "finished_at"
    heartbeat_at: str = "heartbeat_at"
    attempts: str | None = "attempts"
    retry_task: str | None = None
    fail_task: str | None = None

    @property
    def unfinished(self) -> tuple[str, str]:
        return (self.queued, self.running)


class BackgroundJob(models.Model):
    """Abstract base of a job table (combine with ``TenantModel``): status, progress, error and
    the started/finished/heartbeat timestamps the helpers and the stale-job sweep use."""

    status = models.CharField(
        gettext_lazy("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress_done = models.PositiveIntegerField(gettext_lazy("done"), default=0)
    progress_total = models.PositiveIntegerField(gettext_lazy("total"), default=0)
    error = models.TextField(gettext_lazy("why it failed"), blank=True)
    attempts = models.PositiveSmallIntegerField(gettext_lazy("attempts"), default=0)
    started_at = models.DateTimeField(gettext_lazy("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(gettext_lazy("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        gettext_lazy("last heartbeat"),
        null=True,
        blank=True,
        help_text=gettext_lazy("Last sign of life of its worker."),
    )

    job_fields = JobFields()

    class Meta:
        abstract = True

    @property
    def progress_percent(self) -> int:
        if self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)


# =============================================================================
# Helpers: every state change is a conditional UPDATE, so two workers (or a worker and the
# sweep) never overwrite each other's outcome
# =============================================================================


def _has_field(model, name: str | None) -> bool:
    if not name:
        return False
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _stamp(model, values: dict, now: datetime.datetime) -> dict:
    if _has_field(model, "updated_at"):
        values["updated_at"] = now
    return values


def job_claim(model, pk: int, **filters) -> bool:
    """Queued -> running (with its start, first heartbeat and attempt count); False when the job
    is not queued any more (a redelivered message, a second worker)."""
    fields: JobFields = model.job_fields
    now = timezone.now()
    values = {fields.status: fields.running, fields.heartbeat_at: now}
    if fields.started_at:
        values[fields.started_at] = now
    if fields.attempts:
        values[fields.attempts] = F(fields.attempts) + 1
    claimed = model._default_manager.filter(pk=pk, **{fields.status: fields.queued}, **filters)
    return bool(claimed.update(**_stamp(model, values, now)))


def job_progress(model, pk: int, *, done: int, total: int | None = None, connection=None) -> None:
    """Record progress and a heartbeat. With ``connection`` (e.g. a second PostgreSQL
    connection) pollers see it while the job's own transaction is still open."""
    fields: JobFields = model.job_fields
    now = timezone.now()
    values = {fields.done: done, fields.heartbeat_at: now}
    if total is not None and fields.total:
        values[fields.total] = total
    _stamp(model, values, now)
    if connection is None:
        model._default_manager.filter(pk=pk).update(**values)
        return
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name).column for name in values]
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s",
            [*values.values(), pk],
        )


def _finish(model, pk: int, status: str, values: dict) -> bool:
    fields: JobFields = model.job_fields
    now = timezone.now()
    values = {**values, fields.status: status}
    if fields.finished_at:
        values[fields.finished_at] = now
    unfinished = model._default_manager.filter(pk=pk, **{f"{fields.status}__in": fields.unfinished})
    return bool(unfinished.update(**_stamp(model, values, now)))


def job_succeeded(model, pk: int, **values) -> bool:
    """Running -> succeeded, with any result fields given (False: it had already finished)."""
    return _finish(model, pk, model.job_fields.succeeded, values)


def job_failed(model, pk: int, reason: str, **values) -> bool:
    """Queued/running -> failed with a readable reason (False: it had already finished)."""
    fields: JobFields = model.job_fields
    return _finish(model, pk, fields.failed, {fields.error: reason[:MAX_REASON], **values})


def failure_reason(exc: BaseException) -> str:
    """What a person reading the job sees about an unexpected failure."""
    if isinstance(exc, (SoftTimeLimitExceeded, TimeLimitExceeded)):
        return _("The job took longer than the time limit and was stopped.")
    detail = str(exc).strip() or type(exc).__name__
    return _("The job failed unexpectedly: %(detail)s") % {"detail": detail}


# =============================================================================
# Celery
# =============================================================================


class JobTask(Task):
    """Base of a task that runs one job row: when it fails for good (an exception that is not
    retried, a time limit) ``on_failure`` marks the row failed with a readable reason.

    ``@shared_task(base=JobTask, job_model="app_label.Model")``; the job id is the ``job_id``
    keyword or the first positional argument.
    """

    job_model: str = ""
    job_id_arg: str = "job_id"

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except Retry:
            raise
        except Exception as exc:
            # eager mode (no broker) with propagation skips on_failure: mark the row here
            if self.request.is_eager:
                self.mark_job_failed(exc, args, kwargs)
            raise

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        self.mark_job_failed(exc, args, kwargs)
        super().on_failure(exc, task_id, args, kwargs, einfo)

    def mark_job_failed(self, exc, args, kwargs) -> None:
        job_id = kwargs.get(self.job_id_arg, args[0] if args else None)
        if not self.job_model or job_id is None:
            return
        try:
            job_failed(apps.get_model(self.job_model), job_id, failure_reason(exc))
        except Exception:  # the original failure is what gets reported
            logger.exception("Could not mark %s %s failed", self.job_model, job_id)


def job_models() -> list:
    """Every installed model that declares ``job_fields``."""
    return [model for model in apps.get_models() if isinstance(getattr(model, "job_fields", None), JobFields)]


def _stale(model, cutoff: datetime.datetime):
    fields: JobFields = model.job_fields
    silent = Q(**{f"{fields.heartbeat_at}__lt": cutoff})
    # a job claimed before it had a heartbeat column: its last update is its last sign of life
    for fallback in (fields.started_at, "updated_at"):
        if _has_field(model, fallback):
            silent |= Q(**{f"{fields.heartbeat_at}__isnull": True, f"{fallback}__lt": cutoff})
            break
    return model._default_manager.filter(silent, **{fields.status: fields.running})


def jobs_stale_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Fail (or re-queue, where safe) every job left running with no heartbeat for
    ``JOB_STALE_AFTER_SECONDS``; returns ``{"failed": n, "requeued": n}``."""
    now = now or timezone.now()
    stale_after = settings.JOB_STALE_AFTER_SECONDS
    cutoff = now - datetime.timedelta(seconds=stale_after)
    counts = {"failed": 0, "requeued": 0}
    for model in job_models():
        fields: JobFields = model.job_fields
        columns = ["pk", "organisation_id"] if _has_field(model, "organisation") else ["pk"]
        for job in _stale(model, cutoff).values(*columns):
            if _requeue(model, job, cutoff):
                counts["requeued"] += 1
                continue
            reason = _("Its worker stopped responding (no sign of life for %(minutes)s minutes); start it again.") % {
                "minutes": max(1, round(stale_after / 60))
            }
            if fields.fail_task:
                _enqueue(fields.fail_task, job["pk"], job.get("organisation_id"), reason)
                counts["failed"] += 1
                continue
            still_stale = _stale(model, cutoff).filter(pk=job["pk"])
            failed = still_stale.update(
                **_stamp(
                    model,
                    {
                        fields.status: fields.failed,
                        fields.error: reason,
                        **({fields.finished_at: now} if fields.finished_at else {}),
                    },
                    now,
                )
            )
            if failed:
                counts["failed"] += 1
                logger.warning("Failed stale job %s %s", model._meta.label, job["pk"])
    return counts


def _enqueue(task_name: str, *args) -> None:
    task = current_app.tasks.get(task_name)
    if task is not None:  # honours eager mode (no broker: runs in-process)
        task.apply_async(args=args)
    else:
        current_app.send_task(task_name, args=args)


def _requeue(model, job: dict, cutoff) -> bool:
    """Re-queue a stale job whose task may run twice safely, while it has attempts left."""
    fields: JobFields = model.job_fields
    if not fields.retry_task or not fields.attempts:
        return False
    max_attempts = settings.JOB_MAX_ATTEMPTS
    with transaction.atomic():
        requeued = (
            _stale(model, cutoff)
            .filter(pk=job["pk"], **{f"{fields.attempts}__lt": max_attempts})
            .update(**_stamp(model, {fields.status: fields.queued, fields.heartbeat_at: None}, timezone.now()))
        )
        if requeued:
            transaction.on_commit(lambda: _enqueue(fields.retry_task, job["pk"], job.get("organisation_id")))
    if requeued:
        logger.warning("Re-queued stale job %s %s", model._meta.label, job["pk"])
    return bool(requeued)


@shared_task(name="trackyoursheets.jobs.jobs_stale_sweep_task", ignore_result=True)
def jobs_stale_sweep_task() -> dict[str, int]:
    """Beat: the stale-job sweep (``CELERY_BEAT_SCHEDULE["jobs-stale-sweep"]``)."""
    return jobs_stale_sweep()
