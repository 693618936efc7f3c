"""Approved TrackTik shifts → time entries, twenty pages (``BATCH_SHIFTS``) per transaction: each
shift's fingerprint (a hash of TrackTik's values and our ids for its records) is compared with
our copy's, and only new or changed shifts are parsed and go to the bulk time-entry service
(``timetracking.services.external_entries_sync``: ``COPY`` of the new entries on PostgreSQL).
Pages are read a few at a time by a small thread pool while a batch is written. A batch costs a constant
number of queries, whatever the number of shifts in it."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from timetracking import services as tt_services
from trackyoursheets import jobs
from trackyoursheets.bulk import any_of, bulk_insert

from ..choices import ShiftState
from ..client import TracktikClient, TracktikError
from ..models import TracktikPayCode, TracktikPosition, TracktikShift, TracktikSite, TracktikSyncRun
from .pay_codes import pay_code_hint, shift_pay_code
from .reference import SOURCE, SyncContext, position_upsert, ref_id, site_upsert, task_for
from .sessions import WorkedTime, instant, worked_time

#: removals are chunked so a full resync of many shifts never builds one huge query
REMOVE_CHUNK = 500
#: shifts written per transaction (twenty pages of 100): fewer commits and statements per shift
BATCH_SHIFTS = 2000
SHIFT_PARAMS = {"status": "APPROVED", "include": "employee,position,client", "sort": "startedOn"}


@dataclass
class ParsedShift:
    tracktik_id: int
    employee_id: int
    site: object
    position: object
    start: datetime.datetime
    end: datetime.datetime
    hours: Decimal
    holiday: bool
    worked: WorkedTime
    fingerprint: str
    pay_code: TracktikPayCode | None = None


@dataclass
class ShiftRefs:
    """A shift's records as ours: the employee's id, the site and the position."""

    employee_id: int
    site: TracktikSite
    position: TracktikPosition | None
    pay_code: TracktikPayCode | None = None


def resolve(ctx: SyncContext, row: dict) -> ShiftRefs | None:
    """Our employee, site and position of a shift (a site or position given in full by
    ``include`` and not seen before is created); ``None`` (a record error) when unknown."""
    sid = row.get("id")
    employee_ref = row.get("employee")
    employee_id = ctx.employees.get(str(ref_id(employee_ref)))
    if employee_id is None:
        ctx.error("shift", sid, f"Unknown TrackTik employee {ref_id(employee_ref)}.")
        return None
    client_ref = row.get("client")
    if client_ref is None and isinstance(row.get("position"), dict):
        client_ref = row["position"].get("client")
    site = ctx.sites.get(ref_id(client_ref))
    if site is None and isinstance(client_ref, dict):
        site = site_upsert(ctx, client_ref)
    if site is None:
        ctx.error("shift", sid, f"Unknown TrackTik client/site {ref_id(client_ref)}.")
        return None
    position_ref = row.get("position")
    position = ctx.positions.get(ref_id(position_ref))
    if position is None and isinstance(position_ref, dict) and position_ref.get("id") is not None:
        position = position_upsert(ctx, position_ref)
    pay_code = shift_pay_code(ctx, row, ctx.sessions.get(ref_id(sid)))
    return ShiftRefs(employee_id, site, position, pay_code)


def fingerprint(ctx: SyncContext, row: dict, refs: ShiftRefs) -> str:
    """What the shift's entry and our copy are made of, hashed from TrackTik's own values (no
    parsing): an unchanged shift is recognised without building anything."""
    sid = ref_id(row.get("id"))
    sessions = ctx.sessions.get(sid)
    sessions_key = (tuple(sessions.worked), sessions.unpaid_break_seconds) if sessions is not None else None
    key = (
        f"2|{refs.employee_id}|{refs.site.pk}|{refs.position.pk if refs.position else ''}|{row.get('startedOn')}"
        f"|{row.get('endedOn')}|{row.get('hoursCount')}|{bool(row.get('holiday') or row.get('isHoliday'))}"
        f"|{sessions_key}|{pay_code_hint(refs.pay_code)}"
    )
    return hashlib.sha256(key.encode()).hexdigest()


def parse_shift(ctx: SyncContext, row: dict, refs: ShiftRefs, print_: str, tz=datetime.UTC) -> ParsedShift | None:
    sid = row.get("id")
    start, end = instant(row.get("startedOn"), tz), instant(row.get("endedOn"), tz)
    if start is None or end is None or end <= start:
        ctx.error("shift", sid, "The shift has no valid start and end (startedOn, endedOn).")
        return None
    try:
        hours = Decimal(str(row["hoursCount"])).quantize(Decimal("0.01"))
    except (KeyError, ArithmeticError, ValueError):
        hours = (Decimal(int((end - start).total_seconds())) / 3600).quantize(Decimal("0.01"))
    holiday = bool(row.get("holiday") or row.get("isHoliday"))
    worked = worked_time(ctx.sessions.get(int(sid)), start, end)
    if worked is None:
        ctx.error("shift", sid, "The unpaid breaks of the shift leave no worked time.")
        return None
    return ParsedShift(
        tracktik_id=int(sid),
        employee_id=refs.employee_id,
        site=refs.site,
        position=refs.position,
        start=start,
        end=end,
        hours=hours,
        holiday=holiday,
        worked=worked,
        fingerprint=print_,
        pay_code=refs.pay_code,
    )


def _mirror_values(shift: ParsedShift) -> dict:
    return {
        "employee_id": shift.employee_id,
        "site_id": shift.site.pk,
        "position_id": shift.position.pk if shift.position else None,
        "start": shift.start,
        "end": shift.end,
        "hours": shift.hours,
        "holiday": shift.holiday,
        "clock_in": shift.worked.clock_in,
        "clock_out": shift.worked.clock_out,
        "worked_hours": _hours(shift.worked.net_seconds),
        "unpaid_break_hours": _hours(shift.worked.break_seconds),
        "pay_code_id": shift.pay_code.pk if shift.pay_code else None,
    }


def _hours(seconds: int) -> Decimal:
    return (Decimal(seconds) / 3600).quantize(Decimal("0.01"))


def _notes(shift: ParsedShift) -> str:
    notes = f"TrackTik shift {shift.tracktik_id}"
    worked = shift.worked
    if worked.clock_in is not None:
        notes += f"; clocked in {worked.clock_in:%Y-%m-%d %H:%M}, out {worked.clock_out:%Y-%m-%d %H:%M} UTC"
    if worked.break_seconds:
        notes += f"; {worked.break_seconds // 60} min unpaid break deducted"
    if worked.shortened:
        notes += " (the entry is shortened to the net worked time)"
    return notes


MIRROR_FIELDS = (
    "employee_id",
    "site_id",
    "position_id",
    "start",
    "end",
    "hours",
    "holiday",
    "clock_in",
    "clock_out",
    "worked_hours",
    "unpaid_break_hours",
    "pay_code_id",
    "fingerprint",
    "state",
)


def sync_shifts(client: TracktikClient, ctx: SyncContext, window: datetime.date | None) -> set[int]:
    """The approved shifts from ``window`` on, read ahead of the writes (a few pages at once,
    ``TracktikClient.concurrent_pages``) and written ``BATCH_SHIFTS`` at a time, each batch in
    its own transaction with the run's progress; returns the ids of the shifts TrackTik listed.
    When reading a page fails, what was read before it is written before the error goes on."""
    params = dict(SHIFT_PARAMS)
    if window is not None:
        params["startedOn:gte"] = window.isoformat()
    seen: set[int] = set()
    pending: list[dict] = []
    progress = {"done": 0, "total": 0}

    def flush() -> None:
        if pending:
            sync_shift_page(ctx, pending, seen, progress=progress)
            pending.clear()

    try:
        with contextlib.closing(client.concurrent_pages("/shifts", params)) as pages:
            for page in pages:
                pending.extend(page.rows)
                progress["done"] += len(page.rows)
                progress["total"] = max(page.total, progress["done"])
                if len(pending) >= BATCH_SHIFTS:
                    flush()
    except TracktikError:
        flush()
        raise
    flush()
    return seen


@transaction.atomic
def sync_shift_page(ctx: SyncContext, rows: list[dict], seen: set[int], *, progress: dict | None = None) -> None:
    """Some pages: compare each shift's fingerprint with our copy's, parse and write the new and
    changed ones in bulk, update our copies (and the run's progress, in the same transaction)."""
    org = ctx.actor.organisation
    ids = []
    for row in rows:
        if row.get("id") is not None:
            ids.append(int(row["id"]))
    seen.update(ids)
    stored = {
        tracktik_id: (print_, state)
        for tracktik_id, print_, state in TracktikShift.objects.for_organisation(org)
        .filter(tracktik_id__in=any_of(ids, "bigint"))
        .order_by()
        .values_list("tracktik_id", "fingerprint", "state")
    }
    to_write: list[ParsedShift] = []
    for row in rows:
        if row.get("id") is None:
            continue
        refs = resolve(ctx, row)
        if refs is None:
            continue
        print_ = fingerprint(ctx, row, refs)
        if stored.get(int(row["id"])) == (print_, ShiftState.SYNCED):
            ctx.counts["unchanged"] += 1
            continue
        shift = parse_shift(ctx, row, refs, print_)
        if shift is not None:
            to_write.append(shift)
    if to_write:
        _write(ctx, to_write, stored)
    if progress is not None:
        jobs.job_progress(TracktikSyncRun, ctx.run_id, done=progress["done"], total=progress["total"])


def _write(ctx: SyncContext, to_write: list[ParsedShift], stored: dict) -> None:
    org = ctx.actor.organisation
    entry_rows = [
        tt_services.ExternalEntryRow(
            external_id=str(s.tracktik_id),
            employee_id=s.employee_id,
            project_id=s.site.project_id,
            task_id=task_for(ctx, s.site, s.position),
            start_time=s.worked.entry_start,
            end_time=s.worked.entry_end,
            notes=_notes(s),
            pay_code_hint=pay_code_hint(s.pay_code),
        )
        for s in to_write
    ]
    result = tt_services.external_entries_sync(
        actor=ctx.actor, source=SOURCE, rows=entry_rows, locks=ctx.locks, time_settings=ctx.time_settings
    )
    ctx.counts["created"] += len(result.created)
    ctx.counts["updated"] += len(result.updated)
    ctx.counts["unchanged"] += len(result.unchanged)
    ctx.counts["flagged"] += len(result.flagged)
    changed_ids = [s.tracktik_id for s in to_write if s.tracktik_id in stored]
    mirror = {}
    if changed_ids:
        copies = TracktikShift.objects.for_organisation(org).filter(tracktik_id__in=any_of(changed_ids, "bigint"))
        mirror = {m.tracktik_id: m for m in copies}
    new, changed = [], []
    now = timezone.now()
    for shift in to_write:
        key = str(shift.tracktik_id)
        reason = result.flagged.get(key)
        copy = mirror.get(shift.tracktik_id)
        if copy is None:
            values = {"organisation_id": org.pk, "tracktik_id": shift.tracktik_id, **_mirror_values(shift)}
            if reason is not None:
                # a new shift inside a locked period: our copy says what TrackTik has, flagged
                values.update(state=ShiftState.FLAGGED, flag_reason=reason[:300], fingerprint="")
            else:
                values.update(state=ShiftState.SYNCED, fingerprint=shift.fingerprint, time_entry_id=result.entries[key])
                ctx.touched.setdefault(shift.employee_id, set()).add(shift.worked.entry_start.date())
            new.append(values)
            continue
        changed.append(copy)
        copy.updated_at = now
        if reason is not None:
            # the shift changed inside a locked period: our copy keeps what the entry says, flagged
            copy.state, copy.flag_reason = ShiftState.FLAGGED, reason[:300]
            continue
        for name, value in _mirror_values(shift).items():
            setattr(copy, name, value)
        copy.fingerprint, copy.state, copy.flag_reason = shift.fingerprint, ShiftState.SYNCED, ""
        ctx.touched.setdefault(shift.employee_id, set()).add(shift.worked.entry_start.date())
        copy.time_entry_id = result.entries.get(key)
    if new:
        bulk_insert(TracktikShift, new)
    if changed:
        TracktikShift.objects.bulk_update(changed, [*MIRROR_FIELDS, "flag_reason", "time_entry_id", "updated_at"])


def remove_unseen(ctx: SyncContext, seen: set[int], window_start: datetime.date | None) -> None:
    """Shifts we hold from the window that TrackTik no longer lists as approved (deleted, or
    their approval was withdrawn): their entries go, unless the period is locked (flagged).
    The window's first day is left alone (TrackTik's day may begin in another timezone)."""
    org = ctx.actor.organisation
    held = TracktikShift.objects.for_organisation(org).exclude(state=ShiftState.REMOVED)
    if window_start is not None:
        first = datetime.datetime.combine(window_start + datetime.timedelta(days=1), datetime.time.min, datetime.UTC)
        held = held.filter(start__gte=first)
    gone = [pk for pk in held.values_list("tracktik_id", flat=True) if pk not in seen]
    for index in range(0, len(gone), REMOVE_CHUNK):
        chunk = gone[index : index + REMOVE_CHUNK]
        with transaction.atomic():
            result = tt_services.external_entries_remove(
                actor=ctx.actor, source=SOURCE, external_ids=[str(pk) for pk in chunk], locks=ctx.locks
            )
            flagged = {int(k): v for k, v in result.flagged.items()}
            copies = TracktikShift.objects.for_organisation(org).filter(tracktik_id__in=chunk)
            copies.exclude(tracktik_id__in=flagged).update(
                state=ShiftState.REMOVED, time_entry_id=None, flag_reason="", updated_at=timezone.now()
            )
            for tracktik_id, reason in flagged.items():
                copies.filter(tracktik_id=tracktik_id).update(
                    state=ShiftState.FLAGGED,
                    flag_reason=f"Gone from TrackTik or no longer approved, but {reason}"[:300],
                    updated_at=timezone.now(),
                )
            ctx.counts["removed"] += len(chunk) - len(flagged)
            ctx.counts["flagged"] += len(flagged)
