"""Outbox topics of the timetracking app, registered in the outbox catalogue (``integrations/outbox.py``)
from ``apps.py``, and their payloads (ids and non-personal data).

A CSV import records one ``import.batch.completed`` event (the catalogue's import topic) with its
counts instead of one ``time.entry.created`` per row.
"""

from __future__ import annotations

from integrations.outbox import IMPORT_BATCH_COMPLETED, SHARED_TOPICS

__all__ = [
    "TOPICS",
    "ENTRY_CREATED",
    "ENTRY_UPDATED",
    "ENTRY_DELETED",
    "TIMER_STARTED",
    "TIMER_STOPPED",
    "PROJECT_CREATED",
    "PROJECT_UPDATED",
    "PROJECT_ARCHIVED",
    "IMPORT_BATCH_COMPLETED",
    "TIMESHEET_SUBMITTED",
    "TIMESHEET_APPROVED",
    "TIMESHEET_REJECTED",
    "TIMESHEET_REOPENED",
    "TIME_REQUEST_CREATED",
    "TIME_REQUEST_APPROVED",
    "TIME_REQUEST_REJECTED",
    "time_request_payload",
    "EXPENSE_SUBMITTED",
    "EXPENSE_APPROVED",
    "EXPENSE_REJECTED",
    "EXPENSE_REIMBURSED",
    "expense_payload",
    "TASK_CREATED",
    "TASK_UPDATED",
    "TASK_COMPLETED",
    "entry_payload",
    "project_payload",
    "import_payload",
    "timesheet_payload",
    "task_payload",
]

ENTRY_CREATED = "time.entry.created"
ENTRY_UPDATED = "time.entry.updated"
ENTRY_DELETED = "time.entry.deleted"
TIMER_STARTED = "time.timer.started"
TIMER_STOPPED = "time.timer.stopped"
PROJECT_CREATED = "time.project.created"
PROJECT_UPDATED = "time.project.updated"
PROJECT_ARCHIVED = "time.project.archived"
TIMESHEET_SUBMITTED = "time.timesheet.submitted"
TIMESHEET_APPROVED = "time.timesheet.approved"
TIMESHEET_REJECTED = "time.timesheet.rejected"
TIMESHEET_REOPENED = "time.timesheet.reopened"
TIME_REQUEST_CREATED = "time.request.created"
TIME_REQUEST_APPROVED = "time.request.approved"
TIME_REQUEST_REJECTED = "time.request.rejected"
TASK_CREATED = "time.task.created"
EXPENSE_SUBMITTED = "time.expense.submitted"
EXPENSE_APPROVED = "time.expense.approved"
EXPENSE_REJECTED = "time.expense.rejected"
EXPENSE_REIMBURSED = "time.expense.reimbursed"
TASK_UPDATED = "time.task.updated"
TASK_COMPLETED = "time.task.completed"

TOPICS: dict[str, str] = {
    ENTRY_CREATED: "A time entry was created (with an end time).",
    ENTRY_UPDATED: "A time entry changed (times, project, task, notes, tags, billable or paid).",
    ENTRY_DELETED: "A time entry was deleted.",
    TIMER_STARTED: "An employee started a timer (a running time entry).",
    TIMER_STOPPED: "A running timer was stopped; the entry has its end time.",
    PROJECT_CREATED: "A time-tracking project was created.",
    PROJECT_UPDATED: "A project changed (name, client, rate, estimate, budget, status or billable).",
    PROJECT_ARCHIVED: "A project was archived; it takes no new time.",
    TIMESHEET_SUBMITTED: "An employee's timesheet was submitted for approval.",
    TIMESHEET_APPROVED: "A timesheet was approved; its period's time is locked (and payable).",
    TIMESHEET_REJECTED: "A submitted timesheet was rejected (the reason is on the timesheet, not in the event).",
    TIMESHEET_REOPENED: "An approved timesheet was reopened by an owner or admin; its time is editable again.",
    TIME_REQUEST_CREATED: "An employee asked to add time for a past interval (a manual time request).",
    TIME_REQUEST_APPROVED: "A time request was approved; its time entry (source request) was created.",
    TIME_REQUEST_REJECTED: "A time request was rejected (the reason is on the request, not in the event).",
    TASK_CREATED: "A task was created in a project.",
    TASK_UPDATED: "A task changed (name, description, status, priority, assignee, estimate or rate).",
    TASK_COMPLETED: "A task moved to status done (recorded instead of time.task.updated for that change).",
    EXPENSE_SUBMITTED: "An expense claim was submitted for approval.",
    EXPENSE_APPROVED: "An expense claim was approved; it is due for reimbursement.",
    EXPENSE_REJECTED: "An expense claim was rejected (the reason is on the expense, not in the event).",
    EXPENSE_REIMBURSED: "An approved expense claim was reimbursed (by an admin or a payroll run).",
    # the CSV import's one event; payroll's statement imports record it too (the lead moves
    # this registration to payroll with the imports, issue 12 point 1)
    IMPORT_BATCH_COMPLETED: SHARED_TOPICS[IMPORT_BATCH_COMPLETED],
}


def _instant(value) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def entry_payload(entry) -> dict:
    return {
        "id": entry.pk,
        "employee_id": entry.employee_id,
        "project_id": entry.project_id,
        "task_id": entry.task_id,
        "start_time": _instant(entry.start_time),
        "end_time": _instant(entry.end_time),
        "duration_seconds": entry.duration_seconds,
        "tags": entry.tags,
        "billable": entry.billable,
        "paid": entry.paid,
        "source": entry.source,
    }


def project_payload(project) -> dict:
    return {
        "id": project.pk,
        "client_id": project.client_id,
        "name": project.name,
        "status": project.status,
        "billable": project.billable,
        "estimated_hours": str(project.estimated_hours) if project.estimated_hours is not None else None,
    }


def import_payload(*, kind: str, created: int, total_rows: int, job_id: int | None = None) -> dict:
    return {"kind": kind, "job_id": job_id, "created": created, "total_rows": total_rows}


def timesheet_payload(timesheet) -> dict:
    """Ids, dates and the status only: no names, no reasons (free text may be personal)."""
    return {
        "id": timesheet.pk,
        "employee_id": timesheet.employee_id,
        "period_start": timesheet.period_start.isoformat(),
        "period_end": timesheet.period_end.isoformat(),
        "status": timesheet.status,
    }


def time_request_payload(request) -> dict:
    """Ids, instants and the status only: no reasons or notes (free text may be personal)."""
    return {
        "id": request.pk,
        "employee_id": request.employee_id,
        "project_id": request.project_id,
        "task_id": request.task_id,
        "start_time": _instant(request.start_time),
        "end_time": _instant(request.end_time),
        "status": request.status,
        "time_entry_id": request.time_entry_id,
    }


def task_payload(task) -> dict:
    """Ids, name, status and estimate; no rate (a webhook receiver is not a rate reader)."""
    return {
        "id": task.pk,
        "project_id": task.project_id,
        "name": task.name,
        "status": task.status,
        "priority": int(task.priority),
        "assignee_id": task.assignee_id,
        "estimated_hours": str(task.estimated_hours) if task.estimated_hours is not None else None,
    }


def expense_payload(expense) -> dict:
    """Ids and the status only: no amount, description, reason or receipt."""
    return {
        "id": expense.pk,
        "employee_id": expense.employee_id,
        "category_id": expense.category_id,
        "project_id": expense.project_id,
        "client_id": expense.client_id,
        "status": expense.status,
    }
