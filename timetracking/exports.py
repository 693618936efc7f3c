"""The time-tracking reports of report exports (issue 17), registered from ``apps.py``.

Each reads what its requester sees through the API: the list's selector with the requester's
actor, filtered by the list's FilterSet, rendered as the list renders it (``time_entries`` through
the same row renderer as ``GET /v1/time-entries``; ``timesheets`` through ``TimesheetSerializer``
with its page totals; ``tracked_hours`` is ``GET /v1/reports/tracked-hours``'s rows; ``expenses``
is ``GET /v1/expenses`` through ``ExpenseSerializer``, its amounts typed money cells).
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django.db import connection
from django.utils.translation import gettext as _

from integrations.exports.registry import (
    Column,
    Deck,
    Report,
    Rows,
    actor_request,
    query_dict,
    queryset_report,
    serializer_renderer,
)
from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.api.filters import apply_filterset, reject_unknown_parameters

from . import expense_selectors, reports, selectors, sheet_totals
from .api.reports import ENTRY_FILTERS
from .api.serializers.entries import page_values
from .api.serializers.expenses import ExpenseSerializer
from .api.serializers.reports import TrackedHoursRowSerializer
from .api.serializers.timesheets import TimesheetSerializer
from .filters import ExpenseFilterSet, TimeEntryFilterSet, TimesheetFilterSet
from .representation import ROWS, TIME_ENTRY

__all__ = ["REPORTS"]

AREA = "time"

_ENTRY_TYPES = {
    "id": "int",
    "employee_id": "int",
    "user_id": "int",
    "project_id": "int",
    "task_id": "int",
    "client_id": "int",
    "start_time": "datetime",
    "end_time": "datetime",
    "duration_seconds": "int",
    "duration_hours": "hours",
    "billable": "bool",
    "paid": "bool",
    "is_active": "bool",
    "created_at": "datetime",
    "updated_at": "datetime",
}


def _entry_renderer(actor):
    """The values the list renders, column by column in the order of ``TIME_ENTRY`` (``ROWS.names``)."""
    if connection.vendor == "postgresql":  # instants formatted by PostgreSQL, as the list's fast path
        return partial(ROWS.render_columns, instants_as_text=True)
    return ROWS.render_columns


def _entry_values(queryset):
    """The list's columns; on PostgreSQL with the instants as text (``TimeEntryListPage``'s query)."""
    if connection.vendor == "postgresql":
        return page_values(queryset)
    return queryset.values_list(*ROWS.columns)


def _time_deck(actor, filters) -> Deck:
    """The time leadership deck: hours by project and the billable ratio."""
    data = reports.tracked_hours_report(actor=actor, group_by="project", filters=_entry_filters(filters))
    total, billable = Decimal(data["total_hours"]), Decimal(data["billable_hours"])
    ratio = f"{(billable * 100 / total).quantize(Decimal('0.1'))} %" if total else "–"
    rows = sorted(data["rows"], key=lambda r: Decimal(r["hours"]), reverse=True)
    return Deck(
        title=_("Time: hours by project"),
        period=_period(filters),
        figures=(
            (_("Hours"), str(data["total_hours"])),
            (_("Billable hours"), str(data["billable_hours"])),
            (_("Billable ratio"), ratio),
            ("entries", str(data["total_entries"])),
        ),
        charts=((_("Hours by project"), tuple((r["project_name"], float(r["hours"])) for r in rows[:20])),),
        tables=(
            (
                _("Projects"),
                (_("Project"), _("Hours"), _("Billable hours"), _("Entries")),
                tuple((r["project_name"], str(r["hours"]), str(r["billable_hours"]), str(r["entries"])) for r in rows),
            ),
        ),
    )


def _period(filters) -> str:
    start, end = filters.get("start_date", ""), filters.get("end_date", "")
    return f"{start} – {end}" if start or end else ""


def _entry_filters(filters) -> dict:
    return {k: v for k, v in filters.items() if k in ENTRY_FILTERS}


TIME_ENTRIES = queryset_report(
    name="time_entries",
    title=_("Time entries"),
    area=AREA,
    columns=[Column(f.name, type=_ENTRY_TYPES.get(f.name, "text")) for f in TIME_ENTRY],
    selector=selectors.time_entry_list,
    filterset=TimeEntryFilterSet,
    renderer=_entry_renderer,
    values=_entry_values,
    fields=ROWS.names,
    deck=_time_deck,
    description=_("Every time entry you can see in GET /v1/time-entries, in id order."),
)


# =============================================================================
# Timesheets: the list's rows with their totals flattened into columns
# =============================================================================

_SHEET_TYPES = {
    "id": "int",
    "employee_id": "int",
    "user_id": "int",
    "office_id": "int",
    "period_start": "date",
    "period_end": "date",
    "submitted_at": "datetime",
    "decided_at": "datetime",
    "reopened_at": "datetime",
    "created_at": "datetime",
    "updated_at": "datetime",
}
_TOTALS = (("hours", "hours"), ("billable_hours", "hours"), ("non_billable_hours", "hours"), ("entries", "int"))


def _sheet_columns() -> list[Column]:
    columns = []
    for name in TimesheetSerializer.Meta.fields:
        if name == "totals":
            columns += [Column(f"totals_{key}", type=kind) for key, kind in _TOTALS]
        else:
            columns.append(Column(name, type=_SHEET_TYPES.get(name, "text")))
    return columns


def _sheet_renderer(actor):
    def render(timesheets: list) -> list[dict]:
        context = {"actor": actor, "list_totals": sheet_totals.page_totals(timesheets)}
        out = []
        for data in TimesheetSerializer(timesheets, many=True, context=context).data:
            row = dict(data)
            totals = row.pop("totals") or {}
            out.append({**row, **{f"totals_{key}": totals.get(key) for key, _kind in _TOTALS}})
        return out

    return render


TIMESHEETS = queryset_report(
    name="timesheets",
    title=_("Timesheets"),
    area=AREA,
    columns=_sheet_columns(),
    selector=selectors.timesheet_list,
    filterset=TimesheetFilterSet,
    renderer=_sheet_renderer,
    chunk=500,
    description=_("The timesheets of GET /v1/timesheets with their totals."),
)


# =============================================================================
# Tracked hours: GET /v1/reports/tracked-hours
# =============================================================================

_HOUR_TYPES = {
    "employee_id": "int",
    "project_id": "int",
    "task_id": "int",
    "client_id": "int",
    "date": "date",
    "week_start": "date",
    "week_end": "date",
    "hours": "hours",
    "billable_hours": "hours",
    "entries": "int",
    "amount": "money",
}


def _tracked_validate(actor, filters) -> None:
    reject_unknown_parameters(filters, ENTRY_FILTERS | {"group_by"})
    if filters.get("group_by") not in reports.GROUP_BY:
        choices = ", ".join(reports.GROUP_BY)
        raise ValidationFailed({"group_by": [_("Choose one of: %(choices)s.") % {"choices": choices}]})
    apply_filterset(
        TimeEntryFilterSet,
        query_dict(_entry_filters(filters)),
        selectors.time_entry_list(actor=actor),
        actor_request(actor),
    )


def _tracked_rows(actor, filters) -> Rows:
    data = reports.tracked_hours_report(actor=actor, group_by=filters["group_by"], filters=_entry_filters(filters))
    rows = [dict(r) for r in TrackedHoursRowSerializer(data["rows"], many=True).data]
    return Rows(total=len(rows), chunks=[rows])


TRACKED_HOURS = Report(
    name="tracked_hours",
    title=_("Tracked hours"),
    area=AREA,
    columns=tuple(Column(name, type=_HOUR_TYPES.get(name, "text")) for name in TrackedHoursRowSerializer().fields),
    rows=_tracked_rows,
    validate=_tracked_validate,
    deck=_time_deck,
    description=_("GET /v1/reports/tracked-hours: hours grouped by group_by (required)."),
    filter_names=tuple(sorted(ENTRY_FILTERS | {"group_by"})),
)


# =============================================================================
# Expenses: GET /v1/expenses
# =============================================================================

_EXPENSE_TYPES = {
    "id": "int",
    "employee_id": "int",
    "category_id": "int",
    "project_id": "int",
    "client_id": "int",
    "date": "date",
    "amount": "money",
    "converted_amount": "money",
    "billable": "bool",
    "submitted_at": "datetime",
    "decided_at": "datetime",
    "reimbursed_at": "datetime",
    "created_at": "datetime",
    "updated_at": "datetime",
}

EXPENSES = queryset_report(
    name="expenses",
    title=_("Expenses"),
    area=AREA,
    columns=[Column(n, type=_EXPENSE_TYPES.get(n, "text")) for n in ExpenseSerializer.Meta.fields],
    selector=expense_selectors.expense_list,
    filterset=ExpenseFilterSet,
    renderer=serializer_renderer(ExpenseSerializer),
    chunk=1000,
    description=_("GET /v1/expenses: your own; a manager their people's; owners and admins all."),
)

REPORTS = (TIME_ENTRIES, TIMESHEETS, TRACKED_HOURS, EXPENSES)
