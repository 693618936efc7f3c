"""Local days of time entries in SQL (issue 15 point 6): the day an entry starts on in its
employee's office timezone (the organisation's without an office), for reports that group by day
or week. :func:`local_day_expression` converts every entry (any database);
:func:`local_day_bins` gives PostgreSQL keys that let a report convert a few quarter-hour bins
instead of every entry (bench/reports.py: the conversion per entry was most of a 200,000-entry
report by day)."""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    DateTimeField,
    ExpressionWrapper,
    F,
    Func,
    Value,
    When,
)
from django.db.models.functions import TruncDate

from organisations.models import Office
from organisations.office_zones import office_time_zones

__all__ = ["local_day_expression", "local_day_bins", "day_bin_sums", "LOCAL_DAY_OF_BIN"]

#: the outer query's local day of a bin of :func:`local_day_bins` (columns of the grouped rows ``g``)
LOCAL_DAY_OF_BIN = "(g.day_bin AT TIME ZONE g.day_tz)::date"


def _office_zones(organisation) -> tuple[str, dict[str, list[int]]]:
    """The organisation's timezone and the offices whose timezone differs from it, by timezone
    (the offices' zones from the per-process cache of :mod:`organisations.office_zones`)."""
    org_tz = organisation.timezone or "UTC"
    by_tz = {zone: list(ids) for zone, ids in office_time_zones(organisation).items() if zone != org_tz}
    return org_tz, dict(sorted(by_tz.items()))


def local_day_expression(organisation):
    """The local day an entry starts on, in its employee's office timezone (the organisation's
    without an office): one ``CASE`` over the offices whose timezone differs from the
    organisation's, so the database buckets entries of every timezone in the same query."""
    org_tz, by_tz = _office_zones(organisation)
    default = TruncDate("start_time", tzinfo=zoneinfo.ZoneInfo(org_tz))
    if not by_tz:
        return default
    branches = [
        When(employee__office_id__in=ids, then=TruncDate("start_time", tzinfo=zoneinfo.ZoneInfo(tz_name)))
        for tz_name, ids in by_tz.items()
    ]
    return Case(*branches, default=default, output_field=DateField())


#: the width of the UTC bins a report's entries are summed in before they become local days
_BIN = datetime.timedelta(minutes=15)
_BIN_ORIGIN = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@functools.lru_cache(maxsize=64)
def _quarter_hour_zone(tz_name: str) -> bool:
    """Whether every UTC offset of ``tz_name`` in 2000-2100 (the instants the platform accepts)
    is a whole number of quarter hours, checked day by day. Then every local midnight (and every
    DST change, which happens on a local quarter hour) falls on a UTC quarter hour, and a
    quarter-hour bin of UTC time never straddles two local days."""
    tz = zoneinfo.ZoneInfo(tz_name)
    day = datetime.datetime(2000, 1, 1, 12, tzinfo=datetime.UTC)
    while day.year <= 2100:
        offset = day.astimezone(tz).utcoffset()
        if offset is None or offset % _BIN:
            return False
        day += datetime.timedelta(days=1)
    return True


def local_day_bins(organisation) -> dict[str, Any] | None:
    """On PostgreSQL, the keys that give each entry's local day without converting every entry:
    its employee's timezone name (``day_tz``, one ``CASE`` over the offices as in
    :func:`local_day_expression`) and the quarter hour of UTC time its start falls in
    (``day_bin``, ``date_bin``). The report sums the entries per bin and converts the few bins to
    local days (``(day_bin AT TIME ZONE day_tz)::date``), which equals the day of every entry in
    the bin (:func:`_quarter_hour_zone`). None elsewhere (SQLite) or for a zone whose offsets are
    not whole quarter hours: the caller converts each entry (:func:`local_day_expression`)."""
    if connection.vendor != "postgresql":
        return None
    org_tz, by_tz = _office_zones(organisation)
    if not all(_quarter_hour_zone(name) for name in (org_tz, *by_tz)):
        return None
    zone: Any = Value(org_tz, output_field=CharField())
    if by_tz:
        # a hashed subplan per timezone (the employees of its offices), not a join to every entry's employee
        employees = Office._meta.get_field("employees").related_model.objects.values("pk")
        branches = [
            When(employee_id__in=employees.filter(office_id__in=ids), then=Value(name)) for name, ids in by_tz.items()
        ]
        zone = Case(*branches, default=zone, output_field=CharField())
    start_bin = Func(
        Value(_BIN), F("start_time"), Value(_BIN_ORIGIN), function="date_bin", output_field=DateTimeField()
    )
    return {"day_tz": zone, "day_bin": start_bin}


def day_bin_sums(qs, *, bins: dict, names: dict, rate: str, priced: bool, hidden_filter) -> tuple[str, list] | None:
    """The statement (SQL, params) of a report by day on PostgreSQL: the entries ``qs`` summed per
    bin of :func:`local_day_bins` and the bins summed per local day. Priced, each entry is joined to
    its project, client, task and the employee's two contracts (the ``rate`` expression over ``t``,
    ``pc``, ``dc``, ``p``, ``c``): summing per (bin, rate key) first would make tens of thousands
    of groups, the joins to tables of a few rows cost less. None when ``qs`` is empty by
    construction. ``hidden_filter``: entries whose amount the reader may not see (counted)."""
    fields = {
        **bins,
        "e_id": F("employee_id"),
        "p_id": F("project_id"),
        "t_id": F("task_id"),
        "d": F("duration_seconds"),
        "b": F("billable"),
    }
    if hidden_filter is not None:
        fields["hidden"] = ExpressionWrapper(hidden_filter, output_field=BooleanField())
    rows_qs = qs.values(**fields)
    try:
        rows_sql, params = rows_qs.query.get_compiler(using=rows_qs.db).as_sql()
    except EmptyResultSet:
        return None
    sums = {
        "seconds": "SUM(x.d)",
        "billable_seconds": "SUM(x.d) FILTER (WHERE x.b)",
        "entries": "COUNT(*)",
    }
    if hidden_filter is not None:
        sums["hidden"] = "COUNT(*) FILTER (WHERE x.hidden)"
    joins = ""
    if priced:
        sums["amount_hours"] = f"SUM(x.d * {rate}) FILTER (WHERE x.b)"
        joins = (
            "INNER JOIN {project} p ON p.{pk} = x.p_id LEFT OUTER JOIN {client} c ON c.{pk} = p.{client_id} "
            "LEFT OUTER JOIN {task} t ON t.{pk} = x.t_id "
            "LEFT OUTER JOIN {contract} pc ON pc.{contract_employee} = x.e_id AND pc.{contract_project} = x.p_id "
            "LEFT OUTER JOIN {contract} dc ON dc.{contract_employee} = x.e_id AND dc.{contract_project} IS NULL"
        ).format(**names)
    inner = ", ".join(f"{expr} AS {name}" for name, expr in sums.items())
    outer = ", ".join(f"SUM(g.{name}) AS {name}" for name in sums)
    sql = (
        f"SELECT {LOCAL_DAY_OF_BIN} AS local_day, {outer} FROM ("
        f"SELECT x.day_tz, x.day_bin, {inner} FROM ({rows_sql}) x {joins} GROUP BY x.day_tz, x.day_bin"
        f") g GROUP BY 1"
    )
    return sql, list(params)
