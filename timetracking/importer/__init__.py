"""CSV import of time entries (issue 7 point 4): one implementation for the API, the page and the
Celery task.

Columns (header names are matched case-insensitively, spaces and hyphens count as ``_``):

=================  ===========================================================================
``date``           the local day, ``YYYY-MM-DD`` (required)
``start``          local start time ``HH:MM`` or ``HH:MM:SS`` (required)
``end``            local end time, after ``start`` (or earlier, with ``overnight`` true)
``duration``       instead of ``end``: hours (``1.5``), ``H:MM`` or ``H:MM:SS``
``project``        a project's name (required; not archived)
``task``           a task's name in that project
``notes``          free text
``tags``           comma-separated (quote the cell when the delimiter is ``,``)
``billable``       true/false, yes/no, 1/0; empty: the project's default
``employee_email`` the employee (alias ``email``); empty: the importing person themselves
``project_id``     instead of ``project``: the project's id (TimeTracker's export)
``task_id``        instead of ``task``: the task's id, in that project
``overnight``      true: the entry ends the next day (its ``end`` is earlier than ``start``)
=================  ===========================================================================

TimeTracker's export (``project_id,start_time,end_time,task_id,notes,tags,billable``) imports
as is: a ``start_time``/``end_time`` that is an ISO 8601 date and time carries its own day (no
``date`` column needed); with an offset (or ``Z``) it is that instant, without one it is local.

Local times are in the employee's office timezone (else the organisation's). The file is
UTF-8, with or without a byte-order mark, delimited by ``,`` or ``;`` (whichever the header
uses more). The import is all or nothing: every row is validated first (fields, permissions,
overlaps with each other and with stored entries) and nothing is written unless every row is
good. One pass: rows stream into the database (one ``COPY`` on PostgreSQL) inside a
transaction that is rolled back when any row is bad; only three integers per good row are
kept (for the overlap check), so memory grows little with the file.

The package, by concern: :mod:`.parsing` (reading the file, checking rows and overlaps),
:mod:`.writing` (streaming good rows into the database, the report, audit and event) and
:mod:`.jobs` (large files as a background job run by a Celery task).
"""

from __future__ import annotations

from .jobs import IMPORT_TASK, import_job_create, import_job_run, job_actor
from .parsing import COLUMNS, count_rows, decode_csv
from .writing import BATCH, COPY_COLUMNS, PROGRESS_EVERY, ImportReport, async_threshold, import_csv, validate

__all__ = [
    "BATCH",
    "COLUMNS",
    "COPY_COLUMNS",
    "IMPORT_TASK",
    "PROGRESS_EVERY",
    "ImportReport",
    "async_threshold",
    "count_rows",
    "decode_csv",
    "import_csv",
    "import_job_create",
    "import_job_run",
    "job_actor",
    "validate",
]
