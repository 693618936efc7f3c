"""The uploaded comparisons: the SCR match (a Security Coverage Request against the shifts, by
``building_code + postPositionCode`` and day) and the invoice reconciliation (invoice lines
against TrackTik hours and the billing report's amounts)."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organisations.actors import Actor
from organisations.audit import audit_change
from trackyoursheets.storage import read_upload

from ..billing import billing_report, hours, shift_minutes, week_bounds
from ..choices import Coverage
from ..models import TracktikInvoiceReconciliation, TracktikScrMatch, TracktikShift
from ..uploads import read_table
from .connection import require_admin

SCR_COLUMNS = {
    "building_code": ("buildingcode", "building", "sitecode"),
    "post_position_code": ("postpositioncode", "positioncode", "postcode", "post"),
    "date": ("date", "day"),
    "hours_requested": ("hoursrequested", "requestedhours", "hours"),
}
INVOICE_COLUMNS = {
    "client": ("client", "clientname", "customer", "site"),
    "week": ("week", "weekstart", "weekof"),
    "hours": ("hours", "invoicedhours"),
    "amount": ("amount", "total", "invoiceamount"),
}


def _day(value, line: int, errors: dict) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        errors[f"line {line}"] = [_("The date must be YYYY-MM-DD.")]
        return None


def _minutes(value, line: int, errors: dict) -> int | None:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors[f"line {line}"] = [_("Hours must be a number.")]
        return None
    if number < 0 or number > 10000:
        errors[f"line {line}"] = [_("Hours must be between 0 and 10000.")]
        return None
    return int((number * 60).to_integral_value())


def _amount(value, line: int, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).strip().replace(",", "")).quantize(Decimal("0.01"))
    except InvalidOperation:
        errors[f"line {line}"] = [_("The amount must be a number.")]
        return None


def _tz(organisation) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(organisation.timezone or "UTC")


def _upload(upload) -> tuple[bytes, str]:
    data = read_upload(upload)
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    return data, (getattr(upload, "name", "") or "")[:255]


def scr_match(*, organisation, requests: list[tuple[str, str, datetime.date, int]]) -> tuple[dict, list[dict]]:
    """Per (building, post, day) of the request and of every shift in its days: requested and
    scheduled hours, the coverage and the shifts behind it."""
    first, last = min(r[2] for r in requests), max(r[2] for r in requests)
    tz = _tz(organisation)
    _monday, start, _end = week_bounds(first, tz)
    lo = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    hi = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    shifts = (
        TracktikShift.objects.for_organisation(organisation)
        .billable()
        .filter(start__gte=lo, start__lt=hi)
        .select_related("site", "position")
        .order_by("start", "id")
    )
    posts: dict[tuple, dict] = {}
    for building, post, day, minutes in requests:
        key = (building.upper(), post.upper(), day)
        cell = posts.setdefault(key, {"requested": 0, "scheduled": 0, "shifts": [], "requested_rows": 0})
        cell["requested"] += minutes
        cell["requested_rows"] += 1
    for shift in shifts:
        code = shift.position.post_position_code if shift.position else ""
        key = (shift.site.code.upper(), code.upper(), shift.start.astimezone(tz).date())
        cell = posts.setdefault(key, {"requested": 0, "scheduled": 0, "shifts": [], "requested_rows": 0})
        minutes = shift_minutes(shift)
        cell["scheduled"] += minutes
        cell["shifts"].append({"tracktik_id": shift.tracktik_id, "hours": str(hours(minutes))})
    lines, summary = [], {c.value: 0 for c in Coverage}
    for (building, post, day), cell in sorted(posts.items(), key=lambda item: (item[0][2], item[0][0], item[0][1])):
        if not cell["requested_rows"]:
            coverage = Coverage.UNREQUESTED
        elif cell["scheduled"] == cell["requested"]:
            coverage = Coverage.COVERED
        elif cell["scheduled"] < cell["requested"]:
            coverage = Coverage.UNDER
        else:
            coverage = Coverage.OVER
        summary[coverage.value] += 1
        lines.append(
            {
                "building_code": building,
                "post_position_code": post,
                "date": day.isoformat(),
                "hours_requested": str(hours(cell["requested"])),
                "hours_scheduled": str(hours(cell["scheduled"])),
                "difference": str(hours(cell["scheduled"] - cell["requested"])),
                "coverage": coverage.value,
                "shifts": cell["shifts"],
            }
        )
    return {"first_day": first.isoformat(), "last_day": last.isoformat(), "posts": len(lines), **summary}, lines


@transaction.atomic
def scr_match_create(*, actor: Actor, upload) -> TracktikScrMatch:
    """Read an SCR file (CSV or XLSX: building code, post position code, date, hours requested)
    and store its match against the synced shifts. Bad rows are a 422 naming each line."""
    require_admin(actor)
    data, filename = _upload(upload)
    errors: dict = {}
    requests = []
    for line, cells in read_table(data, filename, SCR_COLUMNS):
        building = str(cells["building_code"] or "").strip()
        post = str(cells["post_position_code"] or "").strip()
        day = _day(cells["date"], line, errors)
        minutes = _minutes(cells["hours_requested"], line, errors)
        if not building or not post:
            errors[f"line {line}"] = [_("Give the building code and the post position code.")]
        if f"line {line}" not in errors:
            requests.append((building[:100], post[:100], day, minutes))
    if errors:
        raise ValidationError(dict(list(errors.items())[:100]))
    if not requests:
        raise ValidationError({"file": [_("The file has a header but no rows.")]})
    summary, lines = scr_match(organisation=actor.organisation, requests=requests)
    match = TracktikScrMatch.objects.create(
        organisation=actor.organisation,
        filename=filename,
        first_day=summary["first_day"],
        last_day=summary["last_day"],
        summary=summary,
        lines=lines,
    )
    audit_change(actor=actor, action="tracktik.scr_match.create", obj=match, changes={"posts": [None, len(lines)]})
    return match


def _client_keys(report: dict) -> dict[str, dict]:
    keys = {}
    for client in report["clients"]:
        keys[client["client_name"].strip().lower()] = client
        for site in client["sites"]:
            for name in (site["custom_id"], site["name"]):
                if name:
                    keys.setdefault(name.strip().lower(), client)
    return keys


@transaction.atomic
def invoice_reconciliation_create(*, actor: Actor, upload) -> TracktikInvoiceReconciliation:
    """Read invoice lines (client, week, hours, amount) and compare each with the TrackTik hours
    and the billing report's amount of that client and week: ``match``, ``hours_differ``,
    ``amount_differ`` or ``no_tracktik_hours``."""
    require_admin(actor)
    data, filename = _upload(upload)
    errors: dict = {}
    rows = []
    for line, cells in read_table(data, filename, INVOICE_COLUMNS):
        client = str(cells["client"] or "").strip()
        week = _day(cells["week"], line, errors)
        minutes = _minutes(cells["hours"], line, errors)
        amount = _amount(cells["amount"], line, errors)
        if not client:
            errors[f"line {line}"] = [_("Give the client.")]
        if f"line {line}" not in errors:
            rows.append((line, client[:200], week, minutes, amount))
    if errors:
        raise ValidationError(dict(list(errors.items())[:100]))
    if not rows:
        raise ValidationError({"file": [_("The file has a header but no rows.")]})
    reports: dict[datetime.date, dict] = {}
    lines, summary = [], defaultdict(int)
    for line, client_name, week, minutes, amount in rows:
        monday = week - datetime.timedelta(days=week.weekday())
        if monday not in reports:
            reports[monday] = _client_keys(billing_report(organisation=actor.organisation, day=monday))
        found = reports[monday].get(client_name.lower())
        tracktik_hours = found["hours"] if found else Decimal("0.00")
        tracktik_amount = found["amount"] if found else Decimal("0.00")
        invoiced = hours(minutes)
        if found is None:
            status = "no_tracktik_hours"
        elif invoiced != tracktik_hours:
            status = "hours_differ"
        elif amount is not None and amount != tracktik_amount:
            status = "amount_differ"
        else:
            status = "match"
        summary[status] += 1
        lines.append(
            {
                "line": line,
                "client": client_name,
                "client_id": found["client_id"] if found else None,
                "week_start": monday.isoformat(),
                "invoiced_hours": str(invoiced),
                "tracktik_hours": str(tracktik_hours),
                "hours_difference": str(invoiced - tracktik_hours),
                "invoiced_amount": str(amount) if amount is not None else None,
                "tracktik_amount": str(tracktik_amount),
                "amount_difference": str(amount - tracktik_amount) if amount is not None else None,
                "status": status,
            }
        )
    result = TracktikInvoiceReconciliation.objects.create(
        organisation=actor.organisation,
        filename=filename,
        summary={
            "lines": len(lines),
            **{k: summary.get(k, 0) for k in ("match", "hours_differ", "amount_differ", "no_tracktik_hours")},
        },
        lines=lines,
    )
    audit_change(
        actor=actor, action="tracktik.invoice_reconciliation.create", obj=result, changes={"lines": [None, len(lines)]}
    )
    return result
