"""Approved TrackTik shifts → time entries, a page at a time: the page is parsed, compared with
our copy (by fingerprint), and only new or changed shifts go to the bulk time-entry service
(``timetracking.services.external_entries_sync``). A page of 100 shifts costs a constant number
of queries, whatever the number of shifts in it."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from timetracking import services as tt_services

from ..choices import ShiftState
from ..models import TracktikShift
from .reference import SOURCE, SyncContext, position_upsert, ref_id, site_upsert, task_for
from .sessions import WorkedTime, instant, worked_time

#: removals are chunked so a full resync of many shifts never builds one huge query
REMOVE_CHUNK = 500


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


def parse_shift(ctx: SyncContext, row: dict, tz) -> ParsedShift | None:
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
    position_pk = position.pk if position else ""
    key = (
        f"{employee_id}|{site.pk}|{position_pk}|{start.isoformat()}|{end.isoformat()}|{hours}|{holiday}"
        f"|{worked.entry_start.isoformat()}|{worked.net_seconds}|{worked.break_seconds}"
        f"|{worked.clock_in and worked.clock_in.isoformat()}|{worked.clock_out and worked.clock_out.isoformat()}"
    )
    return ParsedShift(
        tracktik_id=int(sid),
        employee_id=employee_id,
        site=site,
        position=position,
        start=start,
        end=end,
        hours=hours,
        holiday=holiday,
        worked=worked,
        fingerprint=hashlib.sha256(key.encode()).hexdigest(),
    )


def _mirror_values(shift: ParsedShift) -> dict:
    return {
        "employee_id": shift.employee_id,
        "site": shift.site,
        "position": shift.position,
        "start": shift.start,
        "end": shift.end,
        "hours": shift.hours,
        "holiday": shift.holiday,
        "clock_in": shift.worked.clock_in,
        "clock_out": shift.worked.clock_out,
        "worked_hours": _hours(shift.worked.net_seconds),
        "unpaid_break_hours": _hours(shift.worked.break_seconds),
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
    "employee",
    "site",
    "position",
    "start",
    "end",
    "hours",
    "holiday",
    "clock_in",
    "clock_out",
    "worked_hours",
    "unpaid_break_hours",
    "fingerprint",
    "state",
)


@transaction.atomic
def sync_shift_page(ctx: SyncContext, rows: list[dict], seen: set[int]) -> None:
    """One page: parse, compare, write the new and changed shifts in bulk, update our copies."""
    org = ctx.actor.organisation
    tz = datetime.UTC
    parsed: list[ParsedShift] = []
    for row in rows:
        if row.get("id") is None:
            continue
        seen.add(int(row["id"]))
        shift = parse_shift(ctx, row, tz)
        if shift is not None:
            parsed.append(shift)
    mirror = {
        m.tracktik_id: m
        for m in TracktikShift.objects.for_organisation(org).filter(tracktik_id__in=[s.tracktik_id for s in parsed])
    }
    to_write = []
    for shift in parsed:
        copy = mirror.get(shift.tracktik_id)
        if copy is not None and copy.fingerprint == shift.fingerprint and copy.state == ShiftState.SYNCED:
            ctx.counts["unchanged"] += 1
        else:
            to_write.append(shift)
    if not to_write:
        return
    entry_rows = [
        tt_services.ExternalEntryRow(
            external_id=str(s.tracktik_id),
            employee_id=s.employee_id,
            project_id=s.site.project_id,
            task_id=task_for(ctx, s.site, s.position),
            start_time=s.worked.entry_start,
            end_time=s.worked.entry_end,
            notes=_notes(s),
        )
        for s in to_write
    ]
    result = tt_services.external_entries_sync(actor=ctx.actor, source=SOURCE, rows=entry_rows, locks=ctx.locks)
    ctx.counts["created"] += len(result.created)
    ctx.counts["updated"] += len(result.updated)
    ctx.counts["unchanged"] += len(result.unchanged)
    ctx.counts["flagged"] += len(result.flagged)
    new, changed = [], []
    for shift in to_write:
        key = str(shift.tracktik_id)
        reason = result.flagged.get(key)
        copy = mirror.get(shift.tracktik_id)
        if copy is None:
            copy = TracktikShift(organisation=org, tracktik_id=shift.tracktik_id)
            new.append(copy)
        else:
            changed.append(copy)
        if reason is not None:
            # the shift changed inside a locked period: our copy keeps what the entry says, flagged
            copy.state, copy.flag_reason = ShiftState.FLAGGED, reason[:300]
            if copy.pk is None:
                for name, value in _mirror_values(shift).items():
                    setattr(copy, name, value)
                copy.fingerprint = ""
            continue
        for name, value in _mirror_values(shift).items():
            setattr(copy, name, value)
        copy.fingerprint, copy.state, copy.flag_reason = shift.fingerprint, ShiftState.SYNCED, ""
        ctx.touched.setdefault(shift.employee_id, set()).add(shift.worked.entry_start.date())
        copy.time_entry_id = result.entries.get(key)
    if new:
        TracktikShift.objects.bulk_create(new)
    if changed:
        now = timezone.now()
        for copy in changed:
            copy.updated_at = now
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
