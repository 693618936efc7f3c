"""Large files: an :class:`~timetracking.models.ImportJob` (a background job,
:mod:`trackyoursheets.jobs`) run by ``timetracking.tasks.time_entries_import_task``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from organisations.actors import Actor, AuditContext, system_actor
from organisations.audit import audit_change
from trackyoursheets import jobs
from trackyoursheets.celery import app as celery_app
from trackyoursheets.exceptions import DomainError

from ..models import ImportJob
from .writing import ImportReport, import_csv

IMPORT_TASK = "timetracking.tasks.time_entries_import_task"


@transaction.atomic
def import_job_create(*, actor: Actor, text: str, total_rows: int, dry_run: bool, filename: str = "") -> ImportJob:
    """Store the file and enqueue its import after commit (the task reloads the job by id)."""
    job = ImportJob.objects.create(
        organisation=actor.organisation,
        membership=actor.membership,
        actor_label=actor.label,
        dry_run=dry_run,
        filename=filename[:255],
        source_text=text,
        total_rows=total_rows,
    )
    audit_change(actor=actor, action="timeentry.import_queued", obj=job, changes={"total_rows": [None, total_rows]})
    # found by name in the Celery registry (apps.py loads the tasks), since the task imports this module
    task = celery_app.tasks[IMPORT_TASK]
    transaction.on_commit(lambda: task.delay(job.pk, actor.organisation.pk))
    return job


def job_actor(job: ImportJob) -> Actor:
    """The actor a job runs as: the member who started it, or the organisation (an OAuth client)."""
    if job.membership is None:
        return system_actor(job.organisation)
    return Actor(
        organisation=job.organisation,
        user=job.membership.user,
        membership=job.membership,
        scopes=frozenset({"time.read", "time.write"}),
        kind="system",
        audit=AuditContext(),  # a task: audited as "system", naming the member who started it
    )


def import_job_run(*, job_id: int, organisation_id: int) -> ImportJob:
    """Run a pending job once (a second run of a finished job does nothing)."""
    claimed = jobs.job_claim(ImportJob, job_id, organisation_id=organisation_id)
    job = ImportJob.objects.select_related("organisation", "membership__user").get(
        pk=job_id, organisation_id=organisation_id
    )
    if not claimed:
        return job
    actor = job_actor(job)

    # progress goes through a second connection (PostgreSQL), so pollers see it while the import's
    # own transaction is still open; SQLite has one writer, so there it lands at commit
    side = connections.create_connection(DEFAULT_DB_ALIAS) if connection.vendor == "postgresql" else None

    def progress(rows: int) -> None:  # also the job's heartbeat (the stale-job sweep reads it)
        jobs.job_progress(ImportJob, job.pk, done=rows, connection=side or connection)

    try:
        report = import_csv(actor=actor, text=job.source_text, dry_run=job.dry_run, progress=progress)
        succeeded = not report.row_errors
        detail = ""
    except DomainError as error:
        report = ImportReport(
            dry_run=job.dry_run,
            total_rows=error.extra.get("total_rows", 0),
            valid_rows=error.extra.get("valid_rows", 0),
            row_errors=error.extra.get("row_errors", []),
            error_count=error.extra.get("error_count", 0),
        )
        succeeded, detail = False, error.detail
    except ValidationError as error:
        report = ImportReport(dry_run=job.dry_run)
        succeeded, detail = False, "; ".join(error.messages)
    finally:
        if side is not None:
            side.close()
    result = {
        "processed_rows": report.total_rows,
        "created_count": report.created,
        "error_count": max(report.error_count, len(report.row_errors)),
        "row_errors": report.row_errors,
        "source_text": "",
    }
    if succeeded:
        jobs.job_succeeded(ImportJob, job.pk, detail=detail, **result)
    else:
        jobs.job_failed(ImportJob, job.pk, detail, **result)
    job.refresh_from_db()
    return job
