"""Time tracking (issue 7): clients, projects, tasks, time entries and running timers, the
organisation's time settings (overlap and rounding rules), employees' contract rates and
CSV import jobs.

Instants are stored in UTC. A day (for filters, the week grid and the summary report) is
the span between two local midnights in the employee's office timezone, or the
organisation's when the employee has no office, so a day across a DST change has 23 or 25
hours (:func:`local_day_bounds`). Time belongs to an :class:`hr.models.Employee`.
"""

from .catalogue import Client, Contract, ContractQuerySet, Project, RateChange, RateChangeQuerySet, Task, TimeSettings
from .common import (
    HOURS,
    RATE,
    TAG_MAX_LENGTH,
    employee_timezone,
    local_day_bounds,
    normalise_tags,
    own_or_office,
    round_duration,
    tag_list,
)
from .entries import ImportJob, ImportJobQuerySet, TimeEntry, TimeEntryQuerySet
from .expenses import (
    DESCRIPTION_MAX_LENGTH,
    EXCHANGE_RATE,
    REFERENCE_MAX_LENGTH,
    Expense,
    ExpenseCategory,
    ExpenseCategoryQuerySet,
    ExpenseQuerySet,
)
from .requests import TimeRequest, TimeRequestQuerySet
from .timesheets import REASON_MAX_LENGTH, Timesheet, TimesheetQuerySet, TimesheetSettings
from .viewers import ProjectViewer, ProjectViewerQuerySet

__all__ = [
    "RATE",
    "HOURS",
    "TAG_MAX_LENGTH",
    "normalise_tags",
    "tag_list",
    "round_duration",
    "local_day_bounds",
    "employee_timezone",
    "own_or_office",
    "TimeSettings",
    "Client",
    "Project",
    "Task",
    "Contract",
    "ContractQuerySet",
    "TimeEntry",
    "TimeEntryQuerySet",
    "ImportJob",
    "ImportJobQuerySet",
    "Timesheet",
    "TimesheetQuerySet",
    "TimesheetSettings",
    "REASON_MAX_LENGTH",
    "RateChange",
    "RateChangeQuerySet",
    "TimeRequest",
    "TimeRequestQuerySet",
    "ProjectViewer",
    "ProjectViewerQuerySet",
    "Expense",
    "ExpenseQuerySet",
    "ExpenseCategory",
    "ExpenseCategoryQuerySet",
    "DESCRIPTION_MAX_LENGTH",
    "REFERENCE_MAX_LENGTH",
    "EXCHANGE_RATE",
]
