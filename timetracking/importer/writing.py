"""Writing a checked file: good rows stream into the database (``trackyoursheets.bulk.copy_rows``:
one ``COPY`` per batch on PostgreSQL, ``bulk_create`` elsewhere) inside a transaction that is
rolled back when any row is bad; the report, the audit row and the event."""

from __future__ import annotations

import datetime
from array import array
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from organisations.actors import Actor
from organisations.audit import audit_change
from trackyoursheets.bulk import copy_rows
from trackyoursheets.exceptions import DomainError
from trackyoursheets.limits import capped

from .. import events, selectors
from ..choices import EntrySource
from ..models import TimeEntry
from ..periods import local_date
from ..services.locks import PeriodLocks, period_locked_error
from .limits import FileLimits
from .parsing import _check_overlaps, _check_row, _lookups, _Row, _rows

BATCH = 5000
#: rows in a locked period kept for the refusal (all are counted)
LOCKED_KEPT = 100
PROGRESS_EVERY = 5000


def async_threshold() -> int:
    """Files with more data rows than this go to a Celery task (202 with a progress URL)."""
    return int(getattr(django_settings, "TIMETRACKING_IMPORT_ASYNC_ROWS", 5000))


@dataclass
class ImportReport:
    dry_run: bool
    total_rows: int = 0
    valid_rows: int = 0
    created: int = 0
    #: the first MAX_ERRORS bad rows (trackyoursheets.limits.capped); error_count counts them all
    row_errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    #: rows in a locked period (issue 15 point 2): (line, the 409 of its period)
    locked: list[tuple[int, DomainError]] = field(default_factory=list)
    locked_count: int = 0
    #: days and weeks over a contract's hours limit, with the file's lines in each (refused rows,
    #: or accepted and flagged when the organisation's ``over_limit`` is ``flag``)
    over_limit: list[dict] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.error_count or self.row_errors:
            return "failed"
        return "validated" if self.dry_run else "completed"

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "status": self.status,
            "total_rows": self.total_rows,
            "valid_rows": self.valid_rows,
            "created": self.created,
            "error_count": max(self.error_count, len(self.row_errors)),
            "row_errors": self.row_errors,
            "over_limit": self.over_limit,
        }


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
        copy_rows(TimeEntry, COPY_COLUMNS, self.batch)
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
    locks = PeriodLocks(actor.organisation)
    limits = FileLimits(actor.organisation, selectors.timesheet_settings_get(organisation=actor.organisation))
    for line, cells in _rows(text):
        report.total_rows += 1
        row, errors = _check_row(lookups, cells)
        if not errors:
            tz = lookups.zones[row.employee_id]
            found = locks.locked_period(row.employee_id, local_date(row.start, tz), tz)
            if found is not None:
                refusal = period_locked_error(row.employee_id, *found)
                report.locked_count += 1
                if len(report.locked) < LOCKED_KEPT:
                    report.locked.append((line, refusal))
                errors = [refusal.detail]
        if errors:
            problems[line].extend(errors)
        else:
            intervals[row.employee_id].extend((int(row.start.timestamp()), int(row.end.timestamp()), line))
            limits.add(row, lookups.zones[row.employee_id], line)
            if sink is not None and not problems:
                sink.add(row)
        if progress is not None and report.total_rows % PROGRESS_EVERY == 0:
            progress(report.total_rows)
    if sink is not None and not problems:
        sink.flush()
    if report.total_rows == 0:
        raise ValidationError({"file": _("The file has a header but no rows.")})
    _check_overlaps(lookups, intervals, lambda line, reason: problems[line].append(reason), stored_up_to)
    breaches = limits.breaches(stored_up_to)
    report.over_limit, _count = capped([breach.as_dict() for breach in breaches])
    if limits.refuses:  # each row in a day or week over a limit is refused, as a single entry would be
        for breach in breaches:
            for line in breach.lines:
                problems[line].append(breach.reason)
    report.row_errors, report.error_count = capped(
        [{"line": line, "reason": "; ".join(problems[line])} for line in sorted(problems)]
    )
    report.valid_rows = report.total_rows - len(problems)
    if write and not problems:
        report.created = sink.count
    return report


def validate(actor: Actor, text: str, *, progress: Callable[[int], None] | None = None) -> ImportReport:
    """Check every row, write nothing; the report lists each bad row once with its line and reasons."""
    return _process(actor, text, write=False, progress=progress)


def _failed(report: ImportReport) -> DomainError:
    if report.locked:  # a row in a locked period refuses the whole file with the period's 409
        line, refusal = report.locked[0]
        lines, _count = capped([{"line": n, "reason": r.detail} for n, r in report.locked])
        return type(refusal)(
            _("Line %(line)s: %(detail)s Nothing was imported.") % {"line": line, "detail": refusal.detail},
            errors={f"line {e['line']}": [e["reason"]] for e in lines},
            code="period_locked",
            locked_period=refusal.extra["locked_period"],
            locked_rows=report.locked_count,
            # the shape of a failed import too (the import page previews the bad rows from it)
            **{k: v for k, v in report.as_dict().items() if k not in ("status", "dry_run")},
        )
    count = report.error_count
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
