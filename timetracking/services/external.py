"""Time entries owned by another system (the TrackTik connector, issue 19): upserted and removed
in bulk by ``(source, external_id)``, the CSV importer's path (``bulk_create``, one INSERT per
call) rather than one create per row. A row whose period is locked (approved timesheet, or the
automatic lock) is not written: it comes back ``flagged`` so the caller can put it up for review.

A page of rows costs a constant number of queries: the existing entries, the employees'
timezones and their timesheets (:meth:`PeriodLocks.zones_of` and :meth:`PeriodLocks.preload`,
cached across calls when the caller passes its ``locks``), one INSERT (``COPY`` on PostgreSQL),
one UPDATE, one DELETE, one INSERT of events and one audit row.
Overlaps with other entries are not refused: the other system is the record of the hours.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hr import selectors as hr_selectors
from integrations.outbox import record_event, record_events
from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from trackyoursheets.bulk import any_of, bulk_insert
from trackyoursheets.exceptions import NotPermitted

from .. import events, selectors
from ..choices import TimesheetStatus
from ..models import TimeEntry, TimeSettings, Timesheet, employee_timezone
from ..periods import local_date, period_containing
from .locks import PeriodLocks

__all__ = [
    "ExternalEntryRow",
    "ExternalSyncResult",
    "external_entries_remove",
    "external_entries_sync",
    "external_timesheets_approve",
]

#: the fields an upsert compares and writes
SYNCED = (
    "employee_id",
    "project_id",
    "task_id",
    "start_time",
    "end_time",
    "duration_seconds",
    "notes",
    "billable",
    "pay_code_hint",
)


@dataclass(frozen=True)
class ExternalEntryRow:
    external_id: str
    employee_id: int
    project_id: int
    task_id: int | None
    start_time: datetime.datetime
    end_time: datetime.datetime
    notes: str = ""
    billable: bool = True
    #: the code of our pay code this time is paid on (``TimeEntry.pay_code_hint``), "" for none
    pay_code_hint: str = ""


@dataclass
class ExternalSyncResult:
    #: external id -> entry id of every row now stored as given
    entries: dict[str, int] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: external id -> why it was not written (its period is locked)
    flagged: dict[str, str] = field(default_factory=dict)


def _require_whole_organisation(actor: Actor) -> None:
    """Another system's time is written for the whole organisation (owners, admins, its jobs)."""
    if not actor.sees_whole_organisation:
        raise NotPermitted(_("Only owners, admins and integrations write another system's time."))


def _lock_reason(locks: PeriodLocks, zones: dict, employee_id: int, instant: datetime.datetime) -> str | None:
    tz = zones.get(employee_id) or locks.zones_of([employee_id])[employee_id]
    found = locks.locked_period(employee_id, local_date(instant, tz), tz)
    if found is None:
        return None
    period, why = found
    return f"period {period.start.isoformat()} to {period.end.isoformat()} is locked ({why})"


def _employees(organisation, ids) -> dict:
    return {
        e.pk: e
        for e in hr_selectors.employee_queryset(organisation=organisation).filter(pk__in=ids).select_related("office")
    }


#: the columns of a new entry written by COPY (``trackyoursheets.bulk``)
_NEW_DEFAULTS = {"tags": "", "paid": False}


@transaction.atomic
def external_entries_sync(
    *,
    actor: Actor,
    source: str,
    rows: list[ExternalEntryRow],
    locks: PeriodLocks | None = None,
    time_settings: TimeSettings | None = None,
) -> ExternalSyncResult:
    """Create the rows not stored yet, update those that differ, leave the rest; a row whose old
    or new start falls in a locked period is flagged and not written. Durations follow the
    organisation's rounding. Records ``time.entry.created|updated`` events and one audit row.

    A caller writing many batches passes the same ``locks`` (timesheets and employees' timezones
    are read once per employee) and ``time_settings``; new entries are written by ``COPY`` on
    PostgreSQL (``trackyoursheets.bulk``)."""
    _require_whole_organisation(actor)
    organisation = actor.organisation
    result = ExternalSyncResult()
    if not rows:
        return result
    locks = locks or PeriodLocks(organisation)
    existing = {
        e.external_id: e
        # the exclusion is the unique index's own condition: PostgreSQL then uses that index
        for e in TimeEntry.objects.for_organisation(organisation)
        .filter(source=source, external_id__in=any_of([r.external_id for r in rows], "text"))
        .exclude(external_id="")
    }
    employee_ids = {r.employee_id for r in rows} | {e.employee_id for e in existing.values()}
    zones = locks.zones_of(employee_ids)
    locks.preload(employee_ids)
    settings = time_settings or selectors.time_settings_get(organisation=organisation)
    now = timezone.now()
    to_create: list[dict] = []
    to_update = []
    for row in rows:
        seconds = settings.round(int((row.end_time - row.start_time).total_seconds()))
        values = {
            "employee_id": row.employee_id,
            "project_id": row.project_id,
            "task_id": row.task_id,
            "start_time": row.start_time,
            "end_time": row.end_time,
            "duration_seconds": seconds,
            "notes": row.notes,
            "billable": row.billable,
            "pay_code_hint": row.pay_code_hint,
        }
        entry = existing.get(row.external_id)
        if entry is not None and all(getattr(entry, k) == v for k, v in values.items()):
            result.unchanged.append(row.external_id)
            result.entries[row.external_id] = entry.pk
            continue
        reason = _lock_reason(locks, zones, row.employee_id, row.start_time)
        if entry is not None and reason is None:
            reason = _lock_reason(locks, zones, entry.employee_id, entry.start_time)
        if reason is not None:
            result.flagged[row.external_id] = reason
            if entry is not None:
                result.entries[row.external_id] = entry.pk
            continue
        if entry is None:
            to_create.append(
                {
                    "organisation_id": organisation.pk,
                    "source": source,
                    "external_id": row.external_id,
                    "created_at": now,
                    "updated_at": now,
                    **_NEW_DEFAULTS,
                    **values,
                }
            )
        else:
            for key, value in values.items():
                setattr(entry, key, value)
            entry.updated_at = now
            to_update.append(entry)
    created: list[SimpleNamespace] = []
    if to_create:
        ids = bulk_insert(TimeEntry, to_create, returning_ids=True) or []
        # what entry_payload reads of a new entry, without building model instances
        created = [SimpleNamespace(pk=pk, **values) for pk, values in zip(ids, to_create, strict=True)]
    if to_update:
        TimeEntry.objects.bulk_update(to_update, [*SYNCED, "updated_at"])
    for new in created:
        result.created.append(new.external_id)
        result.entries[new.external_id] = new.pk
    for entry in to_update:
        result.updated.append(entry.external_id)
        result.entries[entry.external_id] = entry.pk
    record_events(
        organisation,
        [(events.ENTRY_CREATED, events.entry_payload(e)) for e in created]
        + [(events.ENTRY_UPDATED, events.entry_payload(e)) for e in to_update],
        actor=actor,
    )
    if created or to_update:
        audit_change(
            actor=actor,
            action="timeentry.sync",
            object_type=TimeEntry._meta.label,
            changes={"source": [None, source], "created": [None, len(created)], "updated": [None, len(to_update)]},
        )
    return result


@transaction.atomic
def external_entries_remove(
    *, actor: Actor, source: str, external_ids: list[str], locks: PeriodLocks | None = None
) -> ExternalSyncResult:
    """Delete the entries of ``external_ids`` (gone from the other system, or no longer approved
    there) unless their period is locked: those are flagged and stay. ``time.entry.deleted``
    events and one audit row."""
    _require_whole_organisation(actor)
    organisation = actor.organisation
    result = ExternalSyncResult()
    if not external_ids:
        return result
    locks = locks or PeriodLocks(organisation)
    found = list(TimeEntry.objects.for_organisation(organisation).filter(source=source, external_id__in=external_ids))
    zones = locks.zones_of({e.employee_id for e in found})
    locks.preload(zones)
    gone = []
    for entry in found:
        reason = _lock_reason(locks, zones, entry.employee_id, entry.start_time)
        if reason is not None:
            result.flagged[entry.external_id] = reason
            result.entries[entry.external_id] = entry.pk
        else:
            gone.append(entry)
    payloads = [(events.ENTRY_DELETED, events.entry_payload(e)) for e in gone]
    TimeEntry.objects.filter(pk__in=[e.pk for e in gone]).delete()
    result.removed = [e.external_id for e in gone]
    record_events(organisation, payloads, actor=actor)
    if gone:
        audit_change(
            actor=actor,
            action="timeentry.sync_remove",
            object_type=TimeEntry._meta.label,
            changes={"source": [None, source], "removed": [None, len(gone)]},
        )
    return result


@transaction.atomic
def external_timesheets_approve(*, actor: Actor, employee_days: dict[int, set[datetime.date]], label: str) -> int:
    """Trusting another system's approval (the TrackTik connector's ``trust_approval``): the
    timesheets of the periods holding ``employee_days`` are approved on its behalf (opened first
    when missing), with an audit row and ``time.timesheet.approved`` each. Only periods that have
    ended are approved, so the current period stays open for the shifts still to come. Returns
    how many timesheets were approved."""
    _require_whole_organisation(actor)
    organisation = actor.organisation
    settings = selectors.timesheet_settings_get(organisation=organisation)
    employees = _employees(organisation, set(employee_days))
    now = timezone.now()
    approved = 0
    for employee_id in sorted(employee_days):
        employee = employees.get(employee_id)
        if employee is None:
            continue
        today = now.astimezone(employee_timezone(employee, organisation)).date()
        periods = {period_containing(day, settings.period, settings.anchor) for day in employee_days[employee_id]}
        for period in sorted(periods, key=lambda p: p.start):
            if period.end >= today:
                continue
            sheet, _created = Timesheet.objects.get_or_create(
                organisation=organisation,
                employee=employee,
                period_start=period.start,
                defaults={"period_end": period.end},
            )
            if sheet.status == TimesheetStatus.APPROVED:
                continue
            before = audit_snapshot(sheet, only=("status",))
            sheet.status = TimesheetStatus.APPROVED
            sheet.decided_at = now
            sheet.decided_by = actor.membership
            sheet.decided_by_label = label[:300]
            sheet.save()
            audit_change(
                actor=actor, action="timesheet.approve", obj=sheet, before=before, after={"status": sheet.status}
            )
            record_event(organisation, events.TIMESHEET_APPROVED, events.timesheet_payload(sheet), actor=actor)
            approved += 1
    return approved
