"""The time cards of the dashboard (issue 14 point 6), registered from ``TimetrackingConfig.ready()``
into :mod:`trackyoursheets.web.dashboard`: the person's week against 40 hours and their running
timer; the hours of the team a manager sees (an owner or admin: the organisation)."""

from __future__ import annotations

import datetime

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.choices import OWNER_ADMIN, Role
from trackyoursheets.web.dashboard import DashboardCard, register_card
from trackyoursheets.web.pages import reader_zone

from . import expense_selectors, request_selectors, selectors
from .choices import ExpenseStatus, TimeRequestStatus, TimesheetStatus
from .models import employee_timezone, local_day_bounds

#: the week's target until work schedules exist (the leave issue adds them)
WEEK_TARGET_HOURS = 40
TEAM_ROWS = 8


def _this_week(tz) -> tuple[datetime.date, datetime.datetime, datetime.datetime]:
    today = timezone.now().astimezone(tz).date()
    monday = today - datetime.timedelta(days=today.weekday())
    start, end = local_day_bounds(monday, monday + datetime.timedelta(days=6), tz)
    return monday, start, end


def my_week(actor) -> dict | None:
    """Hours this week (finished entries) against the target, and the running timer."""
    employee = selectors.actor_employee(actor=actor)
    if employee is None:
        return None
    tz = reader_zone(actor)  # the member's own zone, by default their office's (issue 14 point 3)
    monday, start, end = _this_week(tz)
    seconds = (
        selectors.time_entry_list(actor=actor)
        .filter(employee=employee, start_time__gte=start, start_time__lt=end, end_time__isnull=False)
        .aggregate(total=Sum("duration_seconds"))["total"]
        or 0
    )
    hours = selectors.hours(seconds)
    running = selectors.running_timer(actor=actor, employee=employee)
    return {
        "seconds": seconds,
        "hours": hours,
        "target": WEEK_TARGET_HOURS,
        "percent": min(100, int(hours * 100 / WEEK_TARGET_HOURS)),
        "monday": monday,
        "running": running,
        "running_since": running.start_time.astimezone(tz) if running else None,
        "timezone": str(tz),
        "timer_url": reverse("time:timer"),
        "week_url": reverse("time:week"),
    }


def team_hours(actor) -> dict:
    """This week's hours of everyone whose time the actor sees, most first."""
    tz = employee_timezone(None, actor.organisation)
    monday, start, end = _this_week(tz)
    people = list(
        selectors.time_entry_list(actor=actor)
        .filter(start_time__gte=start, start_time__lt=end, end_time__isnull=False)
        .order_by()
        .values("employee_id", "employee__first_name", "employee__last_name")
        .annotate(seconds=Sum("duration_seconds"))
        .order_by("-seconds", "employee__last_name")
    )
    total = sum(row["seconds"] or 0 for row in people)
    return {
        "total_seconds": total,
        "people": [
            {"name": f"{row['employee__first_name']} {row['employee__last_name']}".strip(), "seconds": row["seconds"]}
            for row in people[:TEAM_ROWS]
        ],
        "more": max(0, len(people) - TEAM_ROWS),
        "monday": monday,
        "whole_organisation": actor.role in OWNER_ADMIN,
    }


def waiting_approval(actor) -> dict:
    """What waits for the actor's decision (issues 15 and 16): submitted timesheets, pending time
    requests and submitted expenses of the people whose time they see, never their own (the
    approval inbox's rows, its "Expenses" section included)."""
    sheets = selectors.timesheet_list(actor=actor).filter(status=TimesheetStatus.SUBMITTED)
    requests = request_selectors.time_request_list(actor=actor).filter(status=TimeRequestStatus.PENDING)
    expenses = expense_selectors.expense_list(actor=actor).filter(status=ExpenseStatus.SUBMITTED)
    if actor.membership is not None:
        sheets = sheets.exclude(employee__membership=actor.membership)
        requests = requests.exclude(employee__membership=actor.membership)
        expenses = expenses.exclude(employee__membership=actor.membership)
    return {
        "timesheets": sheets.count(),
        "requests": requests.count(),
        "expenses": expenses.count(),
        "inbox_url": reverse("time:approvals"),
    }


CARDS = (
    DashboardCard("time.my-week", _("My week"), "timetracking/cards/my_week.html", my_week, order=10),
    DashboardCard(
        "time.team-hours",
        _("Hours this week"),
        "timetracking/cards/team_hours.html",
        team_hours,
        roles=(*OWNER_ADMIN, Role.MANAGER),
        order=150,
    ),
    DashboardCard(
        "time.waiting-approval",
        _("Waiting for your approval"),
        "timetracking/cards/waiting_approval.html",
        waiting_approval,
        roles=(*OWNER_ADMIN, Role.MANAGER),
        order=140,
    ),
)


def register() -> None:
    for card in CARDS:
        register_card(card)
