"""CSV import of time entries (issue 7 point 4): one implementation for the API, the page and the
Celery task.

Columns (header names are matched case-insensitively, spaces and hyphens count as ``_``):

=================  ===========================================================================
``date``           the local day, ``YYYY-MM-DD`` (required)
``start``          local start time ``HH:MM`` or ``HH:MM:SS`` (required)
``end``            local end time; earlier than ``start`` means the next day
``duration``       instead of ``end``: hours (``1.5``), ``H:MM`` or ``H:MM:SS``
``project``        a project's name (required; not archived)
``task``           a task's name in that project
``notes``          free text
``tags``           comma-separated (quote the cell when the delimiter is ``,``)
``billable``       true/false, yes/no, 1/0; empty: the project's default
``employee_email`` the employee (alias ``email``); empty: the importing person themselves
=================  ===========================================================================

Local times are in the employee's office timezone (else the organisation's). The file is
UTF-8, with or without a byte-order mark, delimited by ``,`` or ``;`` (whichever the header
uses more). The import is all or nothing: every row is validated first (fields, permissions,
overlaps with each other and with stored entries) and nothing is written unless every row is
good. One pass: rows stream into the database (one ``COPY`` on PostgreSQL) inside a
transaction that is rolled back when any row is bad; only three integers per good row are
kept (for the overlap check), so memory grows little with the file.
"""

from __future__ import annotations

import csv
import datetime
import re
import zoneinfo
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from organisations.actors import Actor, AuditContext, system_actor
from organisations.audit import audit_change
from trackyoursheets import jobs
from trackyoursheets.celery import app as celery_app
from trackyoursheets.exceptions import DomainError

from . import events, representation, selectors
from .choices import EntrySource, ProjectStatus
from .models import TAG_MAX_LENGTH, ImportJob, TimeEntry, TimeSettings, normalise_tags

__all__ = ["COLUMNS", "ImportReport", "decode_csv", "count_rows", "validate", "import_csv", "import_job_run"]

IMPORT_TASK = "timetracking.tasks.time_entries_import_task"

#: canonical column -> accepted header spellings (after normalising): the local day, then the time
#: entry's columns as declared in timetracking/representation.py
COLUMNS: dict[str, tuple[str, ...]] = {"date": ("date", "day"), **representation.csv_columns()}
ALIASES = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
TRUE = {"true", "yes", "y", "1", "t"}
FALSE = {"false", "no", "n", "0", "f"}
TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
BATCH = 5000
PROGRESS_EVERY = 5000
MAX_DURATION = datetime.timedelta(hours=24)


def async_threshold() -> int:
    """Files with more data rows than this go to a Celery task (202 with a progress URL)."""
    return int(getattr(django_settings, "TIMETRACKING_IMPORT_ASYNC_ROWS", 5000))


@dataclass
class ImportReport:
    dry_run: bool
    total_rows: int = 0
    valid_rows: int = 0
    created: int = 0
    row_errors: list[dict] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.row_errors:
            return "failed"
        return "validated" if self.dry_run else "completed"

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "status": self.status,
            "total_rows": self.total_rows,
            "valid_rows": self.valid_rows,
            "created": self.created,
            "error_count": len(self.row_errors),
            "row_errors": self.row_errors,
        }


# =============================================================================
# Reading the file
# =============================================================================


def decode_csv(data: bytes | str) -> str:
    """The text of an upload: UTF-8 with or without a BOM; anything else is a 422."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"file": _("The file is not UTF-8 text.")}) from None
    else:
        text = data
    return text.removeprefix("\ufeff")


def _delimiter(text: str) -> str:
    header = next((line for line in _lines(text) if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


def _header_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` (with their endings), one at a time: ``io.StringIO`` would copy the
    whole file into a buffer of four bytes per character."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        stop = end if stop == -1 else stop + 1
        yield text[start:stop]
        start = stop


def _reader(text: str) -> tuple[csv.reader, dict[str, int]]:
    """A CSV reader positioned after the header, and canonical column -> index."""
    reader = csv.reader(_lines(text), delimiter=_delimiter(text))
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)
    if header is None:
        raise ValidationError({"file": _("The file is empty.")})
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        column = ALIASES.get(_header_key(name))
        if column is not None and column not in index:
            index[column] = position
    missing = [c for c in ("date", "start", "project") if c not in index]
    if "end" not in index and "duration" not in index:
        missing.append("end or duration")
    if missing:
        raise ValidationError({"file": _("Missing columns: %(names)s.") % {"names": ", ".join(missing)}})
    return reader, index


def _rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: cell}) for every non-blank data row; the header is line 1."""
    reader, index = _reader(text)
    line = reader.line_num
    for cells in reader:
        row_line, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        yield row_line, {column: (cells[i].strip() if i < len(cells) else "") for column, i in index.items()}


def count_rows(text: str) -> int:
    return sum(1 for _row in _rows(text))


# =============================================================================
# Validating rows
# =============================================================================


@dataclass
class _Lookups:
    actor: Actor
    projects: dict[str, object]
    tasks: dict[tuple[int, str], object]
    employees: dict[str, object]
    own: object | None
    zones: dict[int, zoneinfo.ZoneInfo]
    settings: TimeSettings


def _lookups(actor: Actor) -> _Lookups:
    projects = {p.name.lower(): p for p in selectors.project_list(actor=actor)}
    tasks = {(t.project_id, t.name.lower()): t for t in selectors.task_list(actor=actor).select_related(None)}
    employees: dict[str, object] = {}
    for employee in selectors.time_employee_list(actor=actor).select_related("office", "membership__user"):
        for email in (employee.email, employee.membership.user.email if employee.membership_id else ""):
            if email:
                employees.setdefault(email.lower(), employee)
    org_tz = zoneinfo.ZoneInfo(actor.organisation.timezone or "UTC")
    zones = defaultdict(lambda: org_tz)
    for employee in employees.values():
        if employee.office_id:
            zones[employee.pk] = zoneinfo.ZoneInfo(employee.office.timezone)
    return _Lookups(
        actor=actor,
        projects=projects,
        tasks=tasks,
        employees=employees,
        own=selectors.actor_employee(actor=actor),
        zones=zones,
        settings=selectors.time_settings_get(organisation=actor.organisation),
    )


def _parse_time(text: str) -> datetime.time | None:
    match = TIME.match(text)
    if not match:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return datetime.time(hour, minute, second)


def _parse_duration(text: str) -> datetime.timedelta | None:
    match = TIME.match(text)
    if match:
        return datetime.timedelta(hours=int(match[1]), minutes=int(match[2]), seconds=int(match[3] or 0))
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return datetime.timedelta(seconds=int(value * 3600))


@dataclass
class _Row:
    employee_id: int
    project_id: int
    task_id: int | None
    start: datetime.datetime
    end: datetime.datetime
    duration: int
    notes: str
    tags: str
    billable: bool


def _check_row(lookups: _Lookups, cells: dict[str, str]) -> tuple[_Row | None, list[str]]:
    errors: list[str] = []
    email = cells.get("employee_email", "")
    if email:
        employee = lookups.employees.get(email.lower())
        if employee is None:
            errors.append(_("employee_email: no employee %(email)s whose time you may record.") % {"email": email})
    else:
        employee = lookups.own
        if employee is None:
            errors.append(_("employee_email: required (you have no employee record of your own)."))
    project = lookups.projects.get(cells["project"].lower()) if cells["project"] else None
    if not cells["project"]:
        errors.append(_("project: required."))
    elif project is None:
        errors.append(_('project: no project named "%(name)s".') % {"name": cells["project"]})
    elif project.status == ProjectStatus.ARCHIVED:
        errors.append(_('project: "%(name)s" is archived and takes no new time.') % {"name": project.name})
    task = None
    if cells.get("task") and project is not None:
        task = lookups.tasks.get((project.pk, cells["task"].lower()))
        if task is None:
            errors.append(_('task: no task named "%(name)s" in this project.') % {"name": cells["task"]})
    day = None
    match = DATE.match(cells["date"])
    if match:
        try:
            day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            day = None
    if day is None:
        errors.append(_("date: use YYYY-MM-DD."))
    start_time = _parse_time(cells["start"])
    if start_time is None:
        errors.append(_("start: use HH:MM or HH:MM:SS."))
    end_time = _parse_time(cells["end"]) if cells.get("end") else None
    duration = None
    if cells.get("end"):
        if end_time is None:
            errors.append(_("end: use HH:MM or HH:MM:SS."))
    elif cells.get("duration"):
        duration = _parse_duration(cells["duration"])
        if duration is None or duration <= datetime.timedelta(0):
            errors.append(_("duration: use hours (1.5), H:MM or H:MM:SS, more than zero."))
            duration = None
    else:
        errors.append(_("end: give an end time or a duration."))
    billable_text = cells.get("billable", "").lower()
    if billable_text and billable_text not in TRUE | FALSE:
        errors.append(_("billable: use true or false."))
    tags = normalise_tags(cells.get("tags", ""))
    if any(len(t) > TAG_MAX_LENGTH for t in tags.split(",")):
        errors.append(_("tags: a tag has at most %(max)s characters.") % {"max": TAG_MAX_LENGTH})
    if errors or employee is None or project is None or day is None or start_time is None:
        return None, errors

    tz = lookups.zones[employee.pk]
    start = datetime.datetime.combine(day, start_time, tzinfo=tz).astimezone(datetime.UTC)
    if end_time is not None:
        end_day = day if end_time > start_time else day + datetime.timedelta(days=1)
        end = datetime.datetime.combine(end_day, end_time, tzinfo=tz).astimezone(datetime.UTC)
    else:
        end = start + duration
    if end <= start:
        return None, [_("end: must be after the start.")]
    if end - start > MAX_DURATION:
        return None, [_("end: an entry lasts at most 24 hours.")]
    billable = project.billable if not billable_text else billable_text in TRUE
    seconds = lookups.settings.round(int((end - start).total_seconds()))
    return (
        _Row(
            employee_id=employee.pk,
            project_id=project.pk,
            task_id=task.pk if task else None,
            start=start,
            end=end,
            duration=seconds,
            notes=cells.get("notes", ""),
            tags=tags,
            billable=billable,
        ),
        [],
    )


FAR = 2**62  # a running timer's end, in epoch seconds


def _check_overlaps(lookups: _Lookups, intervals: dict, add_error: Callable, stored_up_to=None) -> None:
    """Rows of one employee that overlap each other or a stored entry of theirs. ``intervals`` holds
    ``start, end, line`` triplets (epoch seconds) per employee in compact arrays; the rows this
    import has just written (ids above ``stored_up_to``) are not "stored entries"."""
    if lookups.settings.allow_overlapping or not intervals:
        return
    low = min(min(values[0::3]) for values in intervals.values())
    high = max(max(values[1::3]) for values in intervals.values())
    stored = TimeEntry.objects.filter(
        employee_id__in=list(intervals), start_time__lt=datetime.datetime.fromtimestamp(high, datetime.UTC)
    ).filter(Q(end_time__isnull=True) | Q(end_time__gt=datetime.datetime.fromtimestamp(low, datetime.UTC)))
    if stored_up_to is not None:
        stored = stored.filter(pk__lte=stored_up_to)
    for employee_id, start, end, pk in stored.values_list("employee_id", "start_time", "end_time", "pk").iterator(
        chunk_size=5000
    ):
        intervals[employee_id].extend((int(start.timestamp()), int(end.timestamp()) if end else FAR, -pk))
    for values in intervals.values():
        rows = sorted(zip(values[0::3], values[1::3], values[2::3], strict=True))
        latest_end, latest_ref = None, None
        for start, end, ref in rows:
            if latest_end is not None and start < latest_end:
                if ref > 0:
                    other = (
                        (_("line %(n)s") % {"n": latest_ref})
                        if latest_ref > 0
                        else (_("stored entry %(id)s") % {"id": -latest_ref})
                    )
                    add_error(ref, _("overlaps %(other)s of the same employee.") % {"other": other})
                elif latest_ref > 0:
                    add_error(latest_ref, _("overlaps stored entry %(id)s of the same employee.") % {"id": -ref})
            if latest_end is None or end > latest_end:
                latest_end, latest_ref = end, ref


COPY_COLUMNS = (
    "organisation_id",
    "employee_id",
    "project_id",
    "task_id",
    "start_time",
    "end_time",
    "duration_seconds",
    "notes",
    "tags",
    "billable",
    "paid",
    "source",
    "external_id",
    "created_at",
    "updated_at",
)


class _Sink:
    """Where good rows go while the file is read: ``COPY`` on PostgreSQL (several times faster than
    INSERT), ``bulk_create`` elsewhere, in batches of ``BATCH`` rows, so memory stays bounded and
    the connection is free between batches (for progress updates). The caller's transaction makes
    it all or nothing."""

    def __init__(self, organisation_id: int, written_at: datetime.datetime) -> None:
        self.organisation_id = organisation_id
        self.written_at = written_at
        self.count = 0
        self.batch: list[tuple] = []

    def add(self, row: _Row) -> None:
        self.count += 1
        self.batch.append(
            (
                self.organisation_id,
                row.employee_id,
                row.project_id,
                row.task_id,
                row.start,
                row.end,
                row.duration,
                row.notes,
                row.tags,
                row.billable,
                False,
                EntrySource.IMPORT,
                "",
                self.written_at,
                self.written_at,
            )
        )
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        if connection.vendor == "postgresql":
            table = TimeEntry._meta.db_table
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
                    for values in self.batch:
                        copy.write_row(values)
        else:
            TimeEntry.objects.bulk_create(TimeEntry(**dict(zip(COPY_COLUMNS, v, strict=True))) for v in self.batch)
        self.batch = []


def _process(actor: Actor, text: str, *, write: bool, progress: Callable[[int], None] | None = None) -> ImportReport:
    """One pass over the file: check every row and, while every row so far is good, stream it
    into the database (inside the caller's transaction, which is rolled back if any row turns
    out bad). Memory stays small: only bad rows' reasons and three integers per good row (for
    the overlap check) are kept, never the rows themselves."""
    lookups = _lookups(actor)
    report = ImportReport(dry_run=not write)
    problems: dict[int, list[str]] = defaultdict(list)
    intervals: dict[int, array] = defaultdict(lambda: array("q"))
    written_at = timezone.now()
    stored_up_to = TimeEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    sink = _Sink(actor.organisation.pk, written_at) if write else None
    for line, cells in _rows(text):
        report.total_rows += 1
        row, errors = _check_row(lookups, cells)
        if errors:
            problems[line].extend(errors)
        else:
            intervals[row.employee_id].extend((int(row.start.timestamp()), int(row.end.timestamp()), line))
            if sink is not None and not problems:
                sink.add(row)
        if progress is not None and report.total_rows % PROGRESS_EVERY == 0:
            progress(report.total_rows)
    if sink is not None and not problems:
        sink.flush()
    if report.total_rows == 0:
        raise ValidationError({"file": _("The file has a header but no rows.")})
    _check_overlaps(lookups, intervals, lambda line, reason: problems[line].append(reason), stored_up_to)
    report.row_errors = [{"line": line, "reason": "; ".join(problems[line])} for line in sorted(problems)]
    report.valid_rows = report.total_rows - len(problems)
    if write and not problems:
        report.created = sink.count
    return report


def validate(actor: Actor, text: str, *, progress: Callable[[int], None] | None = None) -> ImportReport:
    """Check every row, write nothing; the report lists each bad row once with its line and reasons."""
    return _process(actor, text, write=False, progress=progress)


def _failed(report: ImportReport) -> DomainError:
    count = len(report.row_errors)
    return DomainError(
        _("%(bad)s of %(total)s rows have errors; nothing was imported.") % {"bad": count, "total": report.total_rows},
        errors={f"line {e['line']}": [e["reason"]] for e in report.row_errors},
        **{k: v for k, v in report.as_dict().items() if k not in ("status", "dry_run")},
    )


def import_csv(
    *, actor: Actor, text: str, dry_run: bool = False, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Check every row and (unless a dry run) insert them in one transaction that is rolled back
    unless every row is good; record one ``import.batch.completed`` event. Bad rows: a 422
    listing each."""
    if dry_run:
        report = validate(actor, text, progress=progress)
        report.dry_run = True
        return report
    with transaction.atomic():
        report = _process(actor, text, write=True, progress=progress)
        if report.row_errors:
            raise _failed(report)
        audit_change(
            actor=actor,
            action="timeentry.import",
            object_type=TimeEntry._meta.label,
            changes={"created": [None, report.created]},
        )
        record_event(
            actor.organisation,
            events.IMPORT_BATCH_COMPLETED,
            events.import_payload(kind="time_entries", created=report.created, total_rows=report.total_rows),
            actor=actor,
        )
    return report


# =============================================================================
# Large files: a job and a Celery task
# =============================================================================


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
        "error_count": len(report.row_errors),
        "row_errors": report.row_errors,
        "source_text": "",
    }
    if succeeded:
        jobs.job_succeeded(ImportJob, job.pk, detail=detail, **result)
    else:
        jobs.job_failed(ImportJob, job.pk, detail, **result)
    job.refresh_from_db()
    return job
