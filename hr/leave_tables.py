"""The leave pages' tables (issue 16) on the shared :class:`~trackyoursheets.web.tables.Table`."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web.tables import BADGE, CHOICE, DATE, Column, Table


def _hours(value) -> str:
    return f"{value:.2f}"


class BalanceTable(Table):
    name = "leave-balances"
    report = "leave_balances"  # its report export: the Export button
    noun = _("balances")
    empty_text = _("No leave balance yet.")
    columns = (
        Column(
            "employee",
            _("Employee"),
            accessor="employee.display_name",
            sort=("employee__last_name", "employee__first_name"),
        ),
        Column("leave_type", _("Leave type"), accessor="leave_type.name", sort="leave_type__name"),
        Column("accrued", _("Accrued (h)"), accessor=lambda a: _hours(a.balance - a.used_net)),
        Column("used", _("Used (h)"), accessor=lambda a: _hours(-a.used_net)),
        Column("pending", _("Pending (h)"), accessor=lambda a: _hours(a.pending)),
        Column("available", _("Available (h)"), accessor=lambda a: _hours(a.available)),
    )


class MyLeaveTable(Table):
    name = "my-leave"
    report = "leave_requests"  # its report export: the Export button
    noun = _("requests")
    empty_text = _("You have not requested leave yet.")
    columns = (
        Column("leave_type", _("Leave type"), accessor="leave_type.name"),
        Column("start_date", _("First day"), kind=DATE, sort="start_date"),
        Column("end_date", _("Last day"), kind=DATE, sort="end_date"),
        Column("working_days", _("Working days"), accessor=lambda r: _hours(r.working_days)),
        Column("hours", _("Hours"), accessor=lambda r: _hours(r.hours)),
        Column("status", _("Status"), kind=BADGE, sort="status"),
        Column("rejection_reason", _("Reason given")),
        Column("actions", _("Actions"), template="hr/_leave_cancel_cell.html", export=False),
    )


class PendingLeaveTable(Table):
    name = "leave-to-decide"
    noun = _("requests")
    empty_text = _("No leave requests to decide.")
    exportable = False
    columns = (
        Column("employee", _("Person"), accessor="employee.display_name"),
        Column("leave_type", _("Leave type"), accessor="leave_type.name"),
        Column("start_date", _("First day"), kind=DATE),
        Column("end_date", _("Last day"), kind=DATE),
        Column("hours", _("Hours"), accessor=lambda r: _hours(r.hours)),
        Column("notes", _("Notes")),
        Column("actions", _("Decide"), template="hr/_leave_decide_cell.html", export=False),
    )


class PolicyTable(Table):
    name = "leave-policies"
    noun = _("policies")
    empty_text = _("No leave policy yet.")
    columns = (
        Column("name", _("Name"), sort="name", link=lambda p: reverse("hr:leave-policy", args=[p.pk])),
        Column("leave_type", _("Leave type"), accessor="leave_type.name"),
        Column("accrual_method", _("Earned"), kind=CHOICE),
        Column("annual_hours", _("Hours per year")),
        Column("carry_over_cap_hours", _("Carry-over cap")),
        Column("active", _("Active")),
    )


class LeaveTypeTable(Table):
    name = "leave-types"
    noun = _("leave types")
    empty_text = _("No leave type yet.")
    columns = (
        Column("name", _("Name"), sort="name", link=lambda t: reverse("hr:leave-type", args=[t.pk])),
        Column("kind", _("Kind"), kind=CHOICE),
        Column("paid", _("Paid")),
        Column("pay_code_name", _("Pay code name")),
        Column("active", _("Offered")),
    )


class HolidayGroupTable(Table):
    name = "holiday-calendars"
    noun = _("calendars")
    empty_text = _("No holiday calendar yet.")
    columns = (
        Column("name", _("Name"), sort="name", link=lambda g: reverse("hr:holiday-calendar", args=[g.pk])),
        Column("region", _("Region")),
        Column("offices", _("Offices"), accessor=lambda g: ", ".join(o.name for o in g.offices.all()) or _("Everyone")),
        Column("holidays", _("Holidays"), accessor=lambda g: len(g.holidays.all())),
    )
