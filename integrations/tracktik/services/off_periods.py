"""TrackTik's ``schedule-off-periods`` (approved time off) → approved leave in HR, through
``hr.services.import_external_leave`` (idempotent by the TrackTik id: a re-run changes nothing,
a changed period cancels the old request and approves the new one). Periods starting in the window
(after its first day, like the shifts) that TrackTik no longer lists as approved have their
requests cancelled
(``hr.services.withdraw_external_leave``). Approved leave then flows into timesheets and payroll
like leave approved here.

The leave type: TrackTik's off-period ``type`` (a name or code, or an object with ``name`` /
``code``) matches one of our active leave types by **name** (any case), then by **kind**
(``VACATION`` → vacation, ``SICK`` → sick, …); otherwise the first active type of kind
``custom`` is the fallback; with none, the period is a record error."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from hr import selectors as hr_selectors
from hr import services as hr_services
from trackyoursheets.exceptions import Conflict, NotPermitted

from ..client import TracktikClient, TracktikUnavailable
from .reference import SOURCE, SyncContext, ref_id

KIND = "schedule-off-period"


def _type_names(value) -> list[str]:
    if isinstance(value, dict):
        value = [value.get("name"), value.get("code")]
    elif not isinstance(value, list):
        value = [value]
    return [str(v).strip().lower() for v in value if v not in (None, "")]


def match_leave_type(types: list, value):
    names = _type_names(value)
    for leave_type in types:
        if leave_type.name.strip().lower() in names:
            return leave_type
    for leave_type in types:
        if leave_type.kind in names:
            return leave_type
    return next((t for t in types if t.kind == "custom"), None)


def _day(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def sync_off_periods(client: TracktikClient, ctx: SyncContext, window: datetime.date | None) -> None:
    params = {"status": "APPROVED", "sort": "startedOn"}
    if window is not None:
        params["startedOn:gte"] = window.isoformat()
    types = list(hr_selectors.leave_type_list(actor=ctx.actor).filter(active=True).order_by("id"))
    listed: set[str] = set()
    try:
        rows = [row for page in client.pages("/schedule-off-periods", params) for row in page.rows]
    except TracktikUnavailable as exc:  # nothing listed: nothing is withdrawn either
        ctx.error(KIND, "", str(exc))
        return
    for row in rows:
        pk = row.get("id")
        if pk is None:
            continue
        listed.add(str(pk))
        employee_id = ctx.employees.get(str(ref_id(row.get("employee"))))
        if employee_id is None:
            ctx.error(KIND, pk, f"Unknown TrackTik employee {ref_id(row.get('employee'))}.")
            continue
        leave_type = match_leave_type(types, row.get("type"))
        if leave_type is None:
            ctx.error(KIND, pk, "No leave type matches and there is no custom leave type to fall back on.")
            continue
        start, end = _day(row.get("startedOn")), _day(row.get("endedOn") or row.get("startedOn"))
        if start is None or end is None or end < start:
            ctx.error(KIND, pk, "The off-period has no valid days (startedOn, endedOn).")
            continue
        try:
            with transaction.atomic():
                result = hr_services.import_external_leave(
                    actor=ctx.actor,
                    source=SOURCE,
                    external_id=str(pk),
                    employee_id=employee_id,
                    leave_type_id=leave_type.pk,
                    start_date=start,
                    end_date=end,
                    notes=f"TrackTik schedule-off-period {pk}",
                )
        except (ValidationError, Conflict, NotPermitted) as exc:
            ctx.error(KIND, pk, _message(exc))
            continue
        ctx.leave[result.outcome] += 1
    with transaction.atomic():
        ctx.leave["withdrawn"] += hr_services.withdraw_external_leave(
            actor=ctx.actor, source=SOURCE, keep_external_ids=listed, starting_after=window or datetime.date.min
        )
