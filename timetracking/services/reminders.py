"""The timesheet reminder (issue 15 point 9): an email to each active employee whose timesheet
of the last ended period is still open (or was never opened) two days after that period ended.

Run by Celery beat (``CELERY_BEAT_SCHEDULE["timesheet-reminders"]``, hourly: "two days after"
is in each employee's own timezone). At most one email per timesheet: the timesheet (created
when missing) records ``reminder_sent_at`` with a conditional update, and the email is sent in
the same transaction, so a second run, or two runs at once, send nothing twice; a failed send
rolls the record back and the next run tries again.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hr import selectors as hr_selectors
from organisations.choices import MembershipStatus

from .. import selectors
from ..choices import TimesheetStatus
from ..models import Timesheet, employee_timezone
from ..periods import Period, period_containing

__all__ = ["REMINDER_AFTER_DAYS", "due_period", "timesheet_reminders_send"]

#: days after a period's last day before its still-open timesheet is reminded
REMINDER_AFTER_DAYS = 2


def due_period(today: datetime.date, kind: str, anchor: datetime.date | None) -> Period:
    """The latest period whose last day is at least :data:`REMINDER_AFTER_DAYS` before ``today``."""
    cutoff = today - datetime.timedelta(days=REMINDER_AFTER_DAYS)
    period = period_containing(cutoff, kind, anchor)
    if period.end > cutoff:
        period = period_containing(period.start - datetime.timedelta(days=1), kind, anchor)
    return period


def _recipient(employee) -> str:
    membership = employee.membership
    user = membership.user if membership is not None and membership.status == MembershipStatus.ACTIVE else None
    return (user.email if user is not None else "") or employee.email


def timesheet_reminders_send(*, organisation, now: datetime.datetime | None = None) -> int:
    """Remind the organisation's employees of their open timesheets; returns the emails sent."""
    now = now or timezone.now()
    settings = selectors.timesheet_settings_get(organisation=organisation)
    employees = list(hr_selectors.employee_active_list(organisation=organisation).select_related("membership__user"))
    due: dict[int, tuple[Any, Period]] = {}  # hr.Employee
    for employee in employees:
        today = now.astimezone(employee_timezone(employee, organisation)).date()
        period = due_period(today, settings.period, settings.anchor)
        if employee.hire_date is not None and employee.hire_date > period.end:
            continue  # hired after the period
        if _recipient(employee):
            due[employee.pk] = (employee, period)
    if not due:
        return 0
    done = {
        (employee_id, start)
        for employee_id, start in Timesheet.objects.filter(organisation=organisation, employee_id__in=due)
        .filter(reminder_sent_at__isnull=False)
        .values_list("employee_id", "period_start")
    }
    sent = 0
    for employee, period in due.values():
        if (employee.pk, period.start) in done:
            continue
        sent += _remind(organisation, employee, period, now)
    return sent


@transaction.atomic
def _remind(organisation, employee, period: Period, now: datetime.datetime) -> int:
    timesheet, _created = Timesheet.objects.get_or_create(
        organisation=organisation,
        employee=employee,
        period_start=period.start,
        defaults={"period_end": period.end},
    )
    claimed = Timesheet.objects.filter(
        pk=timesheet.pk, status=TimesheetStatus.OPEN, reminder_sent_at__isnull=True
    ).update(reminder_sent_at=now)
    if not claimed:
        return 0  # submitted, decided, or reminded by another run
    subject = _("Your timesheet for %(period)s is still open") % {"period": period.label()}
    body = _(
        "Hello %(name)s,\n\nyour timesheet for %(period)s at %(organisation)s has not been submitted yet. "
        "Please check your time and submit it for approval under My timesheet (/app/time/timesheet?date=%(date)s)."
        "\n\nTrackYourSheets"
    ) % {
        "name": employee.preferred_name or employee.first_name,
        "period": period.label(),
        "organisation": organisation.name,
        "date": period.start.isoformat(),
    }
    return send_mail(subject, body, None, [_recipient(employee)])
