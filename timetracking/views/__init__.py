"""Pages of time tracking under ``/app/time/`` (issue 7 point 10, issue 14 point 2).

- ``time:timer``    the timer (project/task pickers, a running clock), today's and this week's
  entries with inline edit and delete, and a form for a manual entry (``entries``);
- ``time:entries``  every past entry: filters, pages, totals, inline edit and delete (``entries``);
- ``time:week``     the editable week grid: durations per project/task and day, daily and weekly
  totals (``week``);
- ``time:import``   CSV upload: a preview of every bad row before anything is committed;
- ``time:projects`` / ``time:project``  for managers and up: hours against the estimate (``projects``).

Thin views: reads through selectors, writes through services (which write the audit row,
source "page", in the change's transaction: issue 12). Times are shown and typed in the
reader's timezone (their own setting, by default their office's: issue 14 point 3).
"""

from .base import MANAGERS, TIME_LINKS, TimePage, format_seconds
from .entries import (
    EntryAddPage,
    EntryDeletePage,
    EntryEditPage,
    EntryListView,
    TimerStartPage,
    TimerStopPage,
    TimerView,
)
from .projects import ImportPage, ProjectDetailView, ProjectListView
from .week import WeekView

__all__ = [
    "MANAGERS",
    "TIME_LINKS",
    "EntryAddPage",
    "EntryDeletePage",
    "EntryEditPage",
    "EntryListView",
    "ImportPage",
    "ProjectDetailView",
    "ProjectListView",
    "TimePage",
    "TimerStartPage",
    "TimerStopPage",
    "TimerView",
    "WeekView",
    "format_seconds",
]
