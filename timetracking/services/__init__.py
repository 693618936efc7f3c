"""Writes of time tracking (issue 7): settings, clients, projects, tasks, contracts, time
entries, timers and bulk actions. CSV imports live in :mod:`timetracking.importer`.

Every service is keyword-only, runs in one transaction, ``full_clean()``s what it saves and
records its outbox event in that same transaction (STYLE §2.2).

Rules enforced here:

- who may write: clients, projects, tasks and contracts need an owner, admin or manager (a
  manager's contracts only for their office's employees); time is recorded by the employee
  themselves, a manager for their office, or the whole organisation (owners, admins, OAuth);
- an archived project takes no new time; a task must belong to the entry's project;
- an entry typed as local clock times ends after it starts unless it is explicitly overnight
  (:func:`time_entry_span`; API clients send instants, whose end must follow their start);
- one employee's entries may not overlap unless the organisation allows it (409);
- at most one running timer per employee (a partial unique constraint: a concurrent second
  start loses with a 409, never two running timers);
- ``duration_seconds`` is derived: end - start, rounded by the organisation's rule (an
  aligned duration is never rounded).
"""

from .bulk import BulkResult, register_paid_guard, time_entries_mark_paid, time_entry_bulk
from .corrections import WeekCell, parse_duration, time_entry_span, week_grid_save
from .entries import (
    time_entry_create,
    time_entry_delete,
    time_entry_update,
    timer_start,
    timer_stop,
)
from .expenses import (
    expense_approve,
    expense_category_create,
    expense_category_update,
    expense_create,
    expense_delete,
    expense_mark_reimbursed,
    expense_receipt_set,
    expense_reject,
    expense_submit,
    expense_update,
    mark_reimbursed,
)
from .external import (
    ExternalEntryRow,
    ExternalSyncResult,
    external_entries_remove,
    external_entries_sync,
    external_timesheets_approve,
)
from .limits import HoursLimitExceeded, check_hours_limits, over_limit_spans
from .locks import PeriodLocks, ensure_time_unlocked
from .rates import rate_change_create, rate_change_delete
from .reference import (
    client_create,
    client_delete,
    client_update,
    contract_create,
    contract_delete,
    contract_update,
    project_archive,
    project_create,
    project_update,
    task_create,
    task_delete,
    task_update,
    time_settings_update,
)
from .requests import time_request_approve, time_request_cancel, time_request_create, time_request_reject
from .timesheets import (
    BulkApproveResult,
    can_approve,
    can_reopen,
    register_reopen_guard,
    timesheet_approve,
    timesheet_bulk_approve,
    timesheet_open,
    timesheet_reject,
    timesheet_reopen,
    timesheet_settings_update,
    timesheet_submit,
    timesheet_unsubmit,
)
from .viewers import project_viewer_create, project_viewer_delete, project_viewer_update

__all__ = [
    "ExternalEntryRow",
    "ExternalSyncResult",
    "external_entries_remove",
    "external_entries_sync",
    "external_timesheets_approve",
    "project_viewer_create",
    "project_viewer_update",
    "project_viewer_delete",
    "time_settings_update",
    "client_create",
    "client_update",
    "client_delete",
    "project_create",
    "project_update",
    "project_archive",
    "task_create",
    "task_update",
    "task_delete",
    "contract_create",
    "contract_update",
    "contract_delete",
    "time_entry_create",
    "time_entry_update",
    "time_entry_delete",
    "timer_start",
    "timer_stop",
    "time_entry_bulk",
    "time_entries_mark_paid",
    "register_paid_guard",
    "time_entry_span",
    "week_grid_save",
    "WeekCell",
    "parse_duration",
    "BulkResult",
    "PeriodLocks",
    "ensure_time_unlocked",
    "BulkApproveResult",
    "can_approve",
    "register_reopen_guard",
    "timesheet_open",
    "timesheet_submit",
    "timesheet_unsubmit",
    "timesheet_approve",
    "timesheet_reject",
    "timesheet_reopen",
    "timesheet_bulk_approve",
    "timesheet_settings_update",
    "can_reopen",
    "HoursLimitExceeded",
    "check_hours_limits",
    "over_limit_spans",
    "time_request_create",
    "time_request_approve",
    "time_request_reject",
    "time_request_cancel",
    "rate_change_create",
    "rate_change_delete",
    "expense_category_create",
    "expense_category_update",
    "expense_create",
    "expense_update",
    "expense_delete",
    "expense_receipt_set",
    "expense_submit",
    "expense_approve",
    "expense_reject",
    "expense_mark_reimbursed",
    "mark_reimbursed",
]
