"""TrackTik's work sessions (the actual worked hours: clock-in to clock-out) and break sessions,
read for the run's window before the shifts and kept in memory by shift id, so a page of shifts
costs no extra query. What the time entry of a shift carries:

- **no work session**: the shift's scheduled interval (``startedOn``..``endedOn``);
- **work sessions**: from the first clock-in, the worked time (the sum of the sessions: gaps
  between them are not worked);
- **unpaid break sessions** (``paid`` false or absent) are deducted from that time.

A time entry has no break field and its duration is always end - start, so a shift with gaps or
unpaid breaks becomes one entry **shortened** to the net worked time: it starts at the first
clock-in and ends that net time later (the entry's notes say so). The clock-in/clock-out, the net
worked hours and the unpaid break hours are kept on our copy of the shift
(:class:`~integrations.tracktik.models.TracktikShift`); its ``start``/``end``/``hours`` stay
the scheduled ones (the billing and SCR reports read them)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..client import TracktikClient, TracktikUnavailable
from .reference import SyncContext, ref_id

SESSION_PARAMS = {"sort": "startedOn"}


def instant(value, tz=datetime.UTC) -> datetime.datetime | None:
    if not value:
        return None
    parsed = parse_datetime(str(value))
    if parsed is None:
        try:
            parsed = datetime.datetime.combine(datetime.date.fromisoformat(str(value)), datetime.time.min)
        except ValueError:
            return None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(datetime.UTC)


@dataclass
class ShiftSessions:
    #: (clock-in, clock-out) of each finished work session
    worked: list[tuple[datetime.datetime, datetime.datetime]] = field(default_factory=list)
    unpaid_break_seconds: int = 0
    #: the TrackTik pay code id a work session names (``payCode``), if any
    pay_code: int | None = None


@dataclass
class WorkedTime:
    """The time entry's interval and what it stands for."""

    entry_start: datetime.datetime
    entry_end: datetime.datetime
    clock_in: datetime.datetime | None
    clock_out: datetime.datetime | None
    net_seconds: int
    break_seconds: int
    shortened: bool


def load_sessions(client: TracktikClient, ctx: SyncContext, window: datetime.date | None) -> dict[int, ShiftSessions]:
    """Every finished work session and break session from the window, by shift id. A session
    that is still open (no ``endedOn``) or has no shift is left out. A server without the list
    (404) or a user who may not read it (403) is one record error; the shifts then keep their
    scheduled hours (any other failure fails the run: payroll must not fall back silently)."""
    params = dict(SESSION_PARAMS)
    if window is not None:
        params["startedOn:gte"] = window.isoformat()
    found: dict[int, ShiftSessions] = {}
    for row in _rows(client, ctx, "/work-sessions", params):
        interval = _interval(ctx, "work session", row)
        if interval is not None:
            sessions = found.setdefault(interval[0], ShiftSessions())
            sessions.worked.append(interval[1:])
            sessions.pay_code = sessions.pay_code or ref_id(row.get("payCode") or row.get("payrollCode"))
    for row in _rows(client, ctx, "/break-sessions", params):
        if row.get("paid"):
            continue
        interval = _interval(ctx, "break session", row)
        if interval is not None:
            sessions = found.setdefault(interval[0], ShiftSessions())
            sessions.unpaid_break_seconds += int((interval[2] - interval[1]).total_seconds())
    return found


def _rows(client: TracktikClient, ctx: SyncContext, path: str, params: dict) -> list[dict]:
    try:
        return [row for page in client.pages(path, params) for row in page.rows]
    except TracktikUnavailable as exc:
        ctx.error(path.strip("/"), "", str(exc))
        return []


def _interval(ctx: SyncContext, kind: str, row: dict):
    shift_id = ref_id(row.get("shift"))
    if shift_id is None or not row.get("endedOn"):
        return None
    start, end = instant(row.get("startedOn")), instant(row.get("endedOn"))
    if start is None or end is None or end <= start:
        ctx.error(kind, row.get("id"), f"The {kind} has no valid start and end (startedOn, endedOn).")
        return None
    return shift_id, start, end


def worked_time(sessions: ShiftSessions | None, start: datetime.datetime, end: datetime.datetime) -> WorkedTime | None:
    """The entry of a shift scheduled ``start``..``end`` (``None``: breaks leave no time)."""
    if sessions is not None and sessions.worked:
        clock_in = min(s for s, _ in sessions.worked)
        clock_out = max(e for _, e in sessions.worked)
        gross = sum(int((e - s).total_seconds()) for s, e in sessions.worked)
    else:
        clock_in = clock_out = None
        gross = int((end - start).total_seconds())
    breaks = sessions.unpaid_break_seconds if sessions is not None else 0
    net = gross - breaks
    if net <= 0:
        return None
    entry_start = clock_in or start
    entry_end = entry_start + datetime.timedelta(seconds=net)
    natural_end = clock_out or end
    return WorkedTime(
        entry_start=entry_start,
        entry_end=entry_end,
        clock_in=clock_in,
        clock_out=clock_out,
        net_seconds=net,
        break_seconds=breaks,
        shortened=entry_end != natural_end,
    )
