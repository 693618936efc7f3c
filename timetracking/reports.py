"""Time reports (issue 15 point 6): tracked hours grouped by one dimension, one employee's
timeline, hours per task against its estimate.

Each report reads the time entries through :func:`selectors.time_entry_list`, so it sees exactly
what the actor sees in ``GET /v1/time-entries`` (role visibility and the same filters), and sums
them in the database in one aggregation query. Days and weeks are local days in each employee's
office timezone (the organisation's without an office): the bucket of an entry is the local day
its start falls on, so a week across a DST change still has seven days. Amounts (billable hours
x the effective bill rate) only for actors who may see rates (:func:`policies.can_see_rates`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce

from organisations.actors import Actor

from . import rates, report_days, selectors
from .models import Client, Contract, Project, ProjectViewer, Task, employee_timezone, local_day_bounds
from .periods import local_date
from .policies import can_see_rates
from .report_days import local_day_bins, local_day_expression
from .selectors import SECONDS_PER_HOUR, hours, money

if TYPE_CHECKING:
    from hr.models import Employee

__all__ = ["GROUP_BY", "tracked_hours_report", "timeline_report", "task_report", "local_day_expression"]

#: ``group_by`` values of ``GET /v1/reports/tracked-hours`` and the columns each groups on
GROUP_BY: dict[str, tuple[str, ...]] = {
    "employee": ("employee_id", "employee__first_name", "employee__last_name"),
    "project": ("project_id", "project__name", "project__client_id"),
    "task": ("task_id", "task__name", "project_id", "project__name"),
    "client": ("project__client_id", "project__client__name"),
    "day": ("local_day",),
    "week": ("local_day",),
}


#: columns of GROUP_BY that name a group rather than identify it (one value per group)
_LABELS = frozenset(
    {
        "employee__first_name",
        "employee__last_name",
        "project__name",
        "project__client_id",
        "task__name",
        "project__client__name",
    }
)


#: the effective bill rate over task ``t``, contracts ``pc`` (the project's) / ``dc`` (all projects),
#: project ``p`` and client ``c`` (:func:`selectors.effective_rate` in SQL)
_RATE = "COALESCE(t.{task_rate}, pc.{contract_rate}, dc.{contract_rate}, p.{project_rate}, c.{client_rate}, 0)"

#: settings of the report's aggregation statement on PostgreSQL, for its transaction only
_STATEMENT_SETTINGS = "SELECT set_config('work_mem', '32MB', true), set_config('jit', 'off', true)"


def viewer_amount_project_ids(*, actor: Actor) -> frozenset[int]:
    """The projects whose amounts a project viewer may see (``can_see_amounts``); none for anyone else."""
    if not actor.is_viewer:
        return frozenset()
    grants = ProjectViewer.objects.for_organisation(actor.organisation).filter(
        membership_id=actor.membership.pk, can_see_amounts=True
    )
    return frozenset(grants.values_list("project_id", flat=True))


def _week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _bucket() -> dict[str, Any]:
    return {"seconds": 0, "billable_seconds": 0, "entries": 0, "amount": Decimal("0")}


def _figures(values: dict, *, amounts: bool) -> dict:
    return {
        "hours": hours(values["seconds"]),
        "billable_hours": hours(values["billable_seconds"]),
        "entries": values["entries"],
        "amount": money(values["amount"]) if amounts else None,
    }


def _row_key(group_by: str, group: dict) -> tuple:
    if group_by == "employee":
        return (group["employee_id"],)
    if group_by == "project":
        return (group["project_id"],)
    if group_by == "task":
        return (group["task_id"], group["project_id"])
    if group_by == "client":
        return (group["project__client_id"],)
    if group_by == "week":
        return (_week_start(group["local_day"]),)
    return (group["local_day"],)


def _row_labels(group_by: str, group: dict) -> dict:
    if group_by == "employee":
        name = f"{group['employee__first_name']} {group['employee__last_name']}".strip()
        return {"employee_id": group["employee_id"], "employee_name": name}
    if group_by == "project":
        return {
            "project_id": group["project_id"],
            "project_name": group["project__name"],
            "client_id": group["project__client_id"],
        }
    if group_by == "task":
        return {
            "task_id": group["task_id"],
            "task_name": group["task__name"] or "",
            "project_id": group["project_id"],
            "project_name": group["project__name"],
        }
    if group_by == "client":
        return {"client_id": group["project__client_id"], "client_name": group["project__client__name"] or ""}
    if group_by == "week":
        start = _week_start(group["local_day"])
        return {"week_start": start, "week_end": start + datetime.timedelta(days=6)}
    return {"date": group["local_day"]}


def _sort_key(group_by: str):
    if group_by in ("day", "week"):
        return lambda row: row["date"] if group_by == "day" else row["week_start"]
    name = {"employee": "employee_name", "project": "project_name", "task": "task_name", "client": "client_name"}
    ident = {"employee": "employee_id", "project": "project_id", "task": "task_id", "client": "client_id"}
    return lambda row: (row[name[group_by]].lower(), row[ident[group_by]] or 0)


#: per ``group_by``: the outer query's group columns and label aggregates (``alias: SQL``) over
#: the pre-aggregated groups ``g`` joined to employee ``e``, project ``p``, client ``c``, task ``t``
_OUTER: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "employee": (
        {"employee_id": "g.e_id"},
        {"employee__first_name": "e.{first_name}", "employee__last_name": "e.{last_name}"},
    ),
    "project": (
        {"project_id": "g.p_id"},
        {"project__name": "p.{project_name}", "project__client_id": "p.{client_id}"},
    ),
    "task": (
        {"task_id": "g.t_id", "project_id": "g.p_id"},
        {"task__name": "t.{task_name}", "project__name": "p.{project_name}"},
    ),
    "client": ({"project__client_id": "p.{client_id}"}, {"project__client__name": "c.{client_name}"}),
    "day": ({"local_day": "g.local_day"}, {}),
    "week": ({"local_day": "g.local_day"}, {}),
}


def _sql_names() -> dict[str, str]:
    employee_model = Contract._meta.get_field("employee").related_model
    q = connection.ops.quote_name
    col = lambda model, name: q(model._meta.get_field(name).column)  # noqa: E731
    return {
        "employee": q(employee_model._meta.db_table),
        "project": q(Project._meta.db_table),
        "client": q(Client._meta.db_table),
        "task": q(Task._meta.db_table),
        "contract": q(Contract._meta.db_table),
        "pk": q("id"),
        "first_name": col(employee_model, "first_name"),
        "last_name": col(employee_model, "last_name"),
        "project_name": col(Project, "name"),
        "client_id": col(Project, "client"),
        "client_name": col(Client, "name"),
        "task_name": col(Task, "name"),
        "task_rate": col(Task, "hourly_rate"),
        "project_rate": col(Project, "hourly_rate"),
        "client_rate": col(Client, "default_rate"),
        "contract_rate": col(Contract, "hourly_rate"),
        "contract_employee": col(Contract, "employee"),
        "contract_project": col(Contract, "project"),
    }


def _grouped_sums(
    qs, *, organisation, group_by: str, priced: bool, hidden_filter: Q | None, day_bins: dict | None = None
) -> list[dict]:
    """The report's groups in one statement: the entries ``qs`` are first summed over the entries
    table alone by the group key and what the rate depends on (project, task, and the employee if
    they have a contract), then those few groups are joined to the names and rates and summed
    again per ``group_by`` value. The amount of a group is its billable seconds x the effective
    bill rate (:func:`selectors.effective_rate` in SQL: the task's rate, the employee's contract for
    the project, their contract for all projects, the project's rate, the client's default, else
    0): the rate is the same for every entry of a pre-aggregated group, so this equals the
    per-entry sum. An employee without a contract is summed with the others (``e_id`` NULL, so
    the contract joins find nothing, as they would for them). The contracts are two LEFT JOINs (at
    most one row each: unique per employee and project, and per employee without a project)."""
    names = _sql_names()
    if day_bins:
        built = report_days.day_bin_sums(
            qs, bins=day_bins, names=names, rate=_RATE.format(**names), priced=priced, hidden_filter=hidden_filter
        )
        return _fetch(qs, *built) if built else []
    keys: dict[str, Any] = {}
    if group_by in ("day", "week"):
        keys["local_day"] = F("local_day")
    if group_by == "employee":
        keys["e_id"] = F("employee_id")
    elif priced:
        with_contract = Contract.objects.for_organisation(organisation).values("employee_id")
        keys["e_id"] = Case(
            When(employee_id__in=with_contract, then=F("employee_id")), default=None, output_field=IntegerField()
        )
    if priced or group_by in ("project", "task", "client"):
        keys["p_id"] = F("project_id")
    if group_by == "task" or (priced and group_by != "employee"):
        keys["t_id"] = F("task_id")
    elif priced:
        # only a task with its own rate prices differently from its project: the others are pooled
        # (a hashed subplan, no join), so a report by employee sums ~40 groups per employee, not 120
        # (by project or client the groups are few either way: the subplan would only cost)
        rated = Task.objects.for_organisation(organisation).filter(hourly_rate__isnull=False).values("pk")
        keys["t_id"] = Case(When(task_id__in=rated, then=F("task_id")), default=None, output_field=IntegerField())
    sums: dict[str, Any] = {
        "seconds": Sum("duration_seconds"),
        "billable_seconds": Sum("duration_seconds", filter=Q(billable=True)),
        "entries": Count("id"),
    }
    if hidden_filter is not None:
        sums["hidden"] = Count("id", filter=hidden_filter)
    inner_qs = qs.values(**keys).annotate(**sums)
    try:
        inner_sql, params = inner_qs.query.get_compiler(using=inner_qs.db).as_sql()
    except EmptyResultSet:
        return []
    columns, labels = _OUTER[group_by]
    select = [f"{expr.format(**names)} AS {connection.ops.quote_name(alias)}" for alias, expr in columns.items()]
    select += [f"MAX({expr.format(**names)}) AS {connection.ops.quote_name(alias)}" for alias, expr in labels.items()]
    select += [f"SUM(g.{name}) AS {name}" for name in sums]
    if priced:
        select.append(f"SUM(g.billable_seconds * {_RATE.format(**names)}) AS amount_hours")
    joins = []
    if "p_id" in keys:
        joins.append("INNER JOIN {project} p ON p.{pk} = g.p_id")
    if priced or group_by == "client":
        joins.append("LEFT OUTER JOIN {client} c ON c.{pk} = p.{client_id}")
    if "t_id" in keys:
        joins.append("LEFT OUTER JOIN {task} t ON t.{pk} = g.t_id")
    if group_by == "employee":
        joins.append("INNER JOIN {employee} e ON e.{pk} = g.e_id")
    if priced:
        joins += [
            "LEFT OUTER JOIN {contract} pc ON pc.{contract_employee} = g.e_id AND pc.{contract_project} = g.p_id",
            "LEFT OUTER JOIN {contract} dc ON dc.{contract_employee} = g.e_id AND dc.{contract_project} IS NULL",
        ]
    group = ", ".join(expr.format(**names) for expr in columns.values())
    joined = " ".join(join.format(**names) for join in joins)
    sql = f"SELECT {', '.join(select)} FROM ({inner_sql}) g {joined} GROUP BY {group}"
    return _fetch(qs, sql, params)


def _fetch(qs, sql: str, params) -> list[dict]:
    """Rows of the report's statement as dicts, local days as dates."""
    with transaction.atomic(using=qs.db), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the planner cannot estimate how many groups the CASE / date_bin keys make (it assumes
            # 100,000 for 200,000 entries) and, at the default 4 MB, sorts every entry on disk instead
            # of hashing the ~40,000 groups in memory (2.5x slower); no JIT compilation for it either
            cursor.execute(_STATEMENT_SETTINGS)
        cursor.execute(sql, params)
        aliases = [d[0] for d in cursor.description]
        rows = [dict(zip(aliases, values, strict=True)) for values in cursor.fetchall()]
    for row in rows:
        if isinstance(row.get("local_day"), str):  # SQLite returns the date as text
            row["local_day"] = datetime.date.fromisoformat(row["local_day"])
        elif isinstance(row.get("local_day"), datetime.datetime):
            row["local_day"] = row["local_day"].date()
    return rows


def _dated_amounts(qs, *, organisation, group_by: str) -> dict | None:
    """The billable amount of each report row (by its key) with every entry priced on its own
    local date (:func:`rates.dated_bill_amounts`); None when the organisation has no dated bill
    rate: every rate is then the same on every day and the SQL's sums are priced by it."""
    by_day = group_by in ("day", "week")

    def row_key(entry) -> tuple:
        group = {
            "employee_id": entry.employee_id,
            "project_id": entry.project_id,
            "task_id": entry.task_id,
            "project__client_id": entry.project.client_id,
        }
        if by_day:
            group["local_day"] = local_date(entry.start_time, employee_timezone(entry.employee, organisation))
        return _row_key(group_by, group)

    return rates.dated_bill_amounts(qs, organisation=organisation, key=row_key)


def tracked_hours_report(*, actor: Actor, group_by: str, filters: dict | None = None) -> dict:
    """Hours, billable hours, entries and (for rate readers) amounts of the finished entries the
    actor may see, filtered like ``GET /v1/time-entries``, one row per ``group_by`` value.

    One aggregation statement (:func:`_grouped_sums`): the entries are summed per (employee,
    project, task[, day]) first and only those groups are joined to the names and rates, so a
    report over 200,000 entries joins a few thousand groups, not every entry (bench/reports.py)."""
    viewer_amounts = viewer_amount_project_ids(actor=actor)
    rates_visible = can_see_rates(actor)
    priced = rates_visible or bool(viewer_amounts)
    qs = selectors.time_entry_list(actor=actor, filters=filters or {}).filter(end_time__isnull=False).order_by()
    day_bins = local_day_bins(actor.organisation) if group_by in ("day", "week") else None
    if group_by in ("day", "week") and day_bins is None:
        qs = qs.annotate(local_day=local_day_expression(actor.organisation))
    # a project viewer: entries of projects whose amounts they may not see
    hidden = ~Q(project_id__in=viewer_amounts) if priced and not rates_visible else None
    groups = _grouped_sums(
        qs, organisation=actor.organisation, group_by=group_by, priced=priced, hidden_filter=hidden, day_bins=day_bins
    )
    # with dated bill rates (issue 15 point 5) each entry is priced on its own local date
    dated = _dated_amounts(qs, organisation=actor.organisation, group_by=group_by) if priced else None
    total = {**_bucket(), "priced": priced}
    rows: dict[tuple, dict] = {}
    for group in groups:
        key = _row_key(group_by, group)
        if key not in rows:
            rows[key] = {"labels": _row_labels(group_by, group), **_bucket(), "priced": priced}
        if dated is not None:  # a row's dated amount, counted once (with its first group)
            amount = dated.pop(key, Decimal("0"))
        else:
            amount = Decimal(str(group.get("amount_hours") or 0)) / SECONDS_PER_HOUR
        # a project viewer sees an amount only where every project in it lets them (no partial sums)
        shown = rates_visible or not group.get("hidden")
        for target in (total, rows[key]):
            target["seconds"] += int(group["seconds"] or 0)
            target["billable_seconds"] += int(group["billable_seconds"] or 0)
            target["entries"] += int(group["entries"])
            target["amount"] += amount
            target["priced"] = target["priced"] and shown
    out = [{**row["labels"], **_figures(row, amounts=row["priced"])} for row in rows.values()]
    out.sort(key=_sort_key(group_by))
    return {
        "group_by": group_by,
        "currency": actor.organisation.currency if total["priced"] else None,
        "total_hours": hours(total["seconds"]),
        "billable_hours": hours(total["billable_seconds"]),
        "total_entries": total["entries"],
        "amount": money(total["amount"]) if total["priced"] else None,
        "rows": out,
    }


# =============================================================================
# Timeline
# =============================================================================


def timeline_report(*, actor: Actor, employee: Employee, day: datetime.date, period: str = "day") -> dict:
    """One employee's local day (or the Monday-to-Sunday week holding ``day``): their entries in
    start order and the gaps between consecutive entries of the same local day. A running timer
    counts until now."""
    tz = employee_timezone(employee, actor.organisation)
    first = _week_start(day) if period == "week" else day
    last = first + datetime.timedelta(days=6 if period == "week" else 0)
    start, end = local_day_bounds(first, last, tz)
    entries = list(
        selectors.time_entry_list(actor=actor)
        .filter(employee=employee, start_time__gte=start, start_time__lt=end)
        .order_by("start_time", "id")
    )
    now = datetime.datetime.now(datetime.UTC)
    gaps = []
    reach: datetime.datetime | None = None
    reach_day: datetime.date | None = None
    seconds = 0
    for entry in entries:
        entry.local_date = entry.start_time.astimezone(tz).date()
        finish = entry.end_time or now
        if entry.duration_seconds is not None:
            seconds += entry.duration_seconds
        else:
            seconds += int((now - entry.start_time).total_seconds())
        if reach_day != entry.local_date:
            reach = None
        if reach is not None and entry.start_time > reach:
            gap = int((entry.start_time - reach).total_seconds())
            gaps.append({"date": entry.local_date, "start_time": reach, "end_time": entry.start_time, "seconds": gap})
        reach = finish if reach is None else max(reach, finish)
        reach_day = entry.local_date
    return {
        "employee_id": employee.pk,
        "employee_name": str(employee),
        "timezone": str(tz),
        "period": period,
        "start_date": first,
        "end_date": last,
        "total_hours": hours(seconds),
        "gap_hours": hours(sum(gap["seconds"] for gap in gaps)),
        "entries": entries,
        "gaps": gaps,
    }


# =============================================================================
# Tasks against their estimates
# =============================================================================


def task_report(*, actor: Actor, task_filters: dict | None = None, entry_filters: dict | None = None) -> list[dict]:
    """Every task the actor may see (filtered like ``GET /v1/tasks``) with the hours of the
    finished entries the actor may see on it (filtered like ``GET /v1/time-entries``), against the
    task's estimate: one query (the hours are a correlated subquery)."""
    tracked = (
        selectors.time_entry_list(actor=actor, filters=entry_filters or {})
        .filter(task_id=OuterRef("pk"), end_time__isnull=False)
        .order_by()
        .values("task_id")
        .annotate(total=Sum("duration_seconds"))
        .values("total")
    )
    tasks = selectors.task_list(actor=actor, filters=task_filters or {}).annotate(
        tracked_seconds=Coalesce(Subquery(tracked, output_field=IntegerField()), 0)
    )
    rows = []
    for task in tasks:
        tracked_hours = hours(task.tracked_seconds)
        estimate = task.estimated_hours
        rows.append(
            {
                "task_id": task.pk,
                "task_name": task.name,
                "project_id": task.project_id,
                "project_name": task.project.name,
                "status": task.status,
                "assignee_id": task.assignee_id,
                "estimated_hours": estimate,
                "tracked_hours": tracked_hours,
                "remaining_hours": (estimate - tracked_hours) if estimate is not None else None,
                "percent_of_estimate": (
                    (tracked_hours * 100 / estimate).quantize(Decimal("0.1")) if estimate else None
                ),
                "over_estimate": bool(estimate is not None and tracked_hours > estimate),
            }
        )
    return rows
