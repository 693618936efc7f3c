"""Celery tasks of report exports (issue 17 point 5): thin, ids only.

``report_export_run_task`` writes one export (a second run finds it claimed and does nothing);
``report_exports_expire_task`` (beat) deletes the files of expired exports."""

from __future__ import annotations

from celery import shared_task

from trackyoursheets.jobs import JobTask

from . import services


@shared_task(
    base=JobTask,
    job_model="integrations.ReportExport",
    name="integrations.exports.tasks.report_export_run_task",
    acks_late=True,
    ignore_result=True,
)
def report_export_run_task(job_id: int) -> None:
    services.export_run(job_id)


@shared_task(name="integrations.exports.tasks.report_exports_expire_task", ignore_result=True)
def report_exports_expire_task() -> int:
    return services.export_expire_sweep()
