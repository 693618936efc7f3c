"""The weekly billing report by client (the seed's first use case): approved TrackTik hours per
client and site for one week, split by position and pay type, priced at the bill rate.

Rules (issue 19 point 4):
- the week is the seven days from the Monday of the day asked, in the organisation's timezone;
  a shift belongs to the day it starts;
- pay type: a shift marked holiday in TrackTik is Holiday; other hours are Regular up to 40 per
  employee in the week (in start order) and Overtime beyond, a shift crossing the 40th hour split;
- rate: the rate of the site's TrackTik contract in force on the week (one whose dates overlap
  the week and whose status is not cancelled/draft; of several, the latest start): its
  position's rate, else its client rate; without one (or without a rate in it), the position's
  bill rate (TrackTik bill items), else the site's, else our project's hourly rate, else the
  client's default rate, else 0; Overtime and Holiday are billed at 1.5 × the rate;
- hours are exact to the minute; each line's amount is rounded once, half-up, to the cent.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from .choices import PayType
from .models import TracktikContract, TracktikShift

WEEKLY_REGULAR_MINUTES = 40 * 60
FACTORS = {PayType.REGULAR: Decimal("1"), PayType.OVERTIME: Decimal("1.5"), PayType.HOLIDAY: Decimal("1.5")}
CENT = Decimal("0.01")
#: contract statuses that never price a week (any other status, e.g. ACTIVE or EXPIRED, does)
VOID_CONTRACT_STATUSES = ("CANCELLED", "CANCELED", "DRAFT", "VOID")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(CENT, rounding=ROUND_HALF_UP)


def week_bounds(
    day: datetime.date, tz: zoneinfo.ZoneInfo
) -> tuple[datetime.date, datetime.datetime, datetime.datetime]:
    monday = day - datetime.timedelta(days=day.weekday())
    start = datetime.datetime.combine(monday, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(monday + datetime.timedelta(days=7), datetime.time.min, tzinfo=tz)
    return monday, start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)


def week_shifts(organisation, day: datetime.date):
    tz = zoneinfo.ZoneInfo(organisation.timezone or "UTC")
    monday, start, end = week_bounds(day, tz)
    shifts = (
        TracktikShift.objects.for_organisation(organisation)
        .billable()
        .filter(start__gte=start, start__lt=end)
        .select_related("site__client", "site__project", "position")
        .order_by("employee_id", "start", "id")
    )
    return monday, list(shifts)


def shift_minutes(shift) -> int:
    return int((shift.hours * 60).to_integral_value(rounding=ROUND_HALF_UP))


def split_pay_types(shifts) -> list[tuple[object, str, int]]:
    """``(shift, pay type, minutes)`` parts: holiday shifts whole, others Regular up to 40 hours
    per employee (in start order) and Overtime past it."""
    parts = []
    worked: dict[int, int] = defaultdict(int)
    for shift in shifts:
        minutes = shift_minutes(shift)
        if shift.holiday:
            parts.append((shift, PayType.HOLIDAY, minutes))
            continue
        regular = max(0, min(minutes, WEEKLY_REGULAR_MINUTES - worked[shift.employee_id]))
        worked[shift.employee_id] += minutes
        if regular:
            parts.append((shift, PayType.REGULAR, regular))
        if minutes - regular:
            parts.append((shift, PayType.OVERTIME, minutes - regular))
    return parts


def contracts_in_force(organisation, monday: datetime.date) -> dict[int, TracktikContract]:
    """Site id -> the contract in force on the week from ``monday`` (the latest-starting one)."""
    sunday = monday + datetime.timedelta(days=6)
    contracts = (
        TracktikContract.objects.for_organisation(organisation)
        .filter(site__isnull=False, start_date__lte=sunday)
        .exclude(end_date__lt=monday)
        .exclude(status__in=VOID_CONTRACT_STATUSES)
        .order_by("start_date", "tracktik_id")
    )
    return {c.site_id: c for c in contracts}


def bill_rate(shift, contracts: dict[int, TracktikContract] | None = None) -> Decimal:
    site = shift.site
    contract = (contracts or {}).get(shift.site_id)
    rates = []
    if contract is not None:
        if shift.position is not None and str(shift.position.tracktik_id) in contract.position_rates:
            rates.append(Decimal(contract.position_rates[str(shift.position.tracktik_id)]))
        rates.append(contract.bill_rate)
    rates += [
        shift.position.bill_rate if shift.position else None,
        site.bill_rate,
        site.project.hourly_rate,
        site.client.default_rate,
    ]
    for rate in rates:
        if rate is not None:
            return rate
    return Decimal("0")


def billing_report(*, organisation, day: datetime.date) -> dict:
    monday, shifts = week_shifts(organisation, day)
    contracts = contracts_in_force(organisation, monday)
    lines: dict[tuple, dict] = {}
    by_type: dict[str, int] = defaultdict(int)
    for shift, pay_type, minutes in split_pay_types(shifts):
        by_type[pay_type] += minutes
        position = shift.position
        key = (shift.site_id, position.pk if position else None, pay_type)
        line = lines.get(key)
        if line is None:
            rate = bill_rate(shift, contracts)
            line = lines[key] = {
                "site": shift.site,
                "position_id": position.pk if position else None,
                "position": position.name if position else "",
                "post_position_code": position.post_position_code if position else "",
                "pay_type": str(pay_type),
                "minutes": 0,
                "rate": rate,
                "factor": FACTORS[pay_type],
                "shift_ids": [],
            }
        line["minutes"] += minutes
        line["shift_ids"].append(shift.tracktik_id)
    clients: dict[int, dict] = {}
    for line in sorted(
        lines.values(), key=lambda x: (x["site"].client.name, x["site"].custom_id, x["position"], x["pay_type"])
    ):
        site = line.pop("site")
        minutes = line.pop("minutes")
        line["hours"] = hours(minutes)
        line["amount"] = money(line["hours"] * line["rate"] * line["factor"]) if minutes else Decimal("0.00")
        client = clients.setdefault(
            site.client_id,
            {
                "client_id": site.client_id,
                "client_name": site.client.name,
                "sites": {},
                "minutes": 0,
                "amount": Decimal("0"),
            },
        )
        entry = client["sites"].setdefault(
            site.pk,
            {
                "site_id": site.pk,
                "tracktik_id": site.tracktik_id,
                "custom_id": site.custom_id,
                "name": site.name,
                "lines": [],
                "minutes": 0,
                "amount": Decimal("0"),
            },
        )
        entry["lines"].append(line)
        entry["minutes"] += minutes
        entry["amount"] += line["amount"]
        client["minutes"] += minutes
        client["amount"] += line["amount"]
    totals = {"hours": Decimal("0.00"), "amount": Decimal("0.00")}
    result_clients = []
    for client in clients.values():
        sites = []
        for site in client["sites"].values():
            site["hours"] = hours(site.pop("minutes"))
            sites.append(site)
        client["sites"] = sites
        client["hours"] = hours(client.pop("minutes"))
        totals["hours"] += client["hours"]
        totals["amount"] += client["amount"]
        result_clients.append(client)
    return {
        "week_start": monday,
        "week_end": monday + datetime.timedelta(days=6),
        "currency": organisation.currency,
        "clients": result_clients,
        "totals": {
            "hours": totals["hours"],
            "amount": totals["amount"],
            "regular_hours": hours(by_type[PayType.REGULAR]),
            "overtime_hours": hours(by_type[PayType.OVERTIME]),
            "holiday_hours": hours(by_type[PayType.HOLIDAY]),
        },
    }
