"""The timesheet reminder (issue 15 point 9): the beat task emails employees whose timesheet is
still open (or was never opened) two days after the period ended, once per timesheet."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail

from hr.choices import EmployeeStatus
from timetracking.models import Timesheet
from timetracking.tasks import timesheet_reminders_task

from .factories import TimesheetFactory

pytestmark = pytest.mark.django_db

WEEK = datetime.date(2026, 3, 2)  # Monday; the period ends Sunday 2026-03-08
# Tuesday 2026-03-10, 08:00 in New York: two days after the period's last day there
TWO_DAYS_AFTER = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


def run_at(instant: datetime.datetime) -> list:
    mail.outbox = []
    with time_machine.travel(instant, tick=False):
        timesheet_reminders_task.apply()  # in this process, broker or not (the beat task as a worker runs it)
    return list(mail.outbox)


def recipients(messages) -> set[str]:
    return {address for message in messages for address in message.to}


def test_the_reminder_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["timesheet-reminders"]
    assert entry["task"] == "timetracking.tasks.timesheet_reminders_task"
    assert entry["schedule"] <= 3600


def test_open_and_missing_timesheets_are_reminded_once_submitted_and_approved_are_not(
    employee, colleague, manager, londoner
):
    TimesheetFactory(employee=employee, period_start=WEEK, period_end=WEEK + datetime.timedelta(days=6))
    TimesheetFactory(
        employee=manager, period_start=WEEK, period_end=WEEK + datetime.timedelta(days=6), status="submitted"
    )
    TimesheetFactory(
        employee=londoner, period_start=WEEK, period_end=WEEK + datetime.timedelta(days=6), status="approved"
    )

    sent = run_at(TWO_DAYS_AFTER)

    assert recipients(sent) >= {"eli@example.test", "cleo@example.test"}
    assert not recipients(sent) & {"morgan@example.test", "lou@example.test"}
    [message] = [m for m in sent if m.to == ["eli@example.test"]]
    assert "2026-03-02 to 2026-03-08" in message.subject
    assert "/app/time/timesheet?date=2026-03-02" in message.body
    # the never-opened timesheet now exists, open, and records the reminder
    created = Timesheet.objects.get(employee=colleague, period_start=WEEK)
    assert created.status == "open" and created.reminder_sent_at == TWO_DAYS_AFTER

    # a second run the same day (and the next day) sends nothing twice
    assert run_at(TWO_DAYS_AFTER + datetime.timedelta(hours=1)) == []
    assert not recipients(run_at(TWO_DAYS_AFTER + datetime.timedelta(days=1))) & {
        "eli@example.test",
        "cleo@example.test",
    }


def test_not_before_two_days_after_the_period_in_the_employees_timezone(employee):
    # Tuesday 03:00 UTC is still Monday 2026-03-09 in New York: one day after, no reminder for the week
    sent = run_at(datetime.datetime(2026, 3, 10, 3, 0, tzinfo=datetime.UTC))

    assert not Timesheet.objects.filter(employee=employee, period_start=WEEK).exists()
    assert all("2026-03-02" not in message.subject for message in sent)

    later = run_at(TWO_DAYS_AFTER)
    assert any(m.to == ["eli@example.test"] and "2026-03-02" in m.subject for m in later)


def test_leavers_and_people_hired_after_the_period_are_not_reminded(employee, colleague):
    employee.status = EmployeeStatus.TERMINATED
    employee.save()
    colleague.hire_date = datetime.date(2026, 3, 9)
    colleague.save()

    sent = run_at(TWO_DAYS_AFTER)

    assert not recipients(sent) & {"eli@example.test", "cleo@example.test"}


def test_a_timesheet_submitted_after_the_reminder_is_not_reminded_again_and_a_rejected_one_is_not_chased(
    employee,
):
    sheet = TimesheetFactory(employee=employee, period_start=WEEK, period_end=WEEK + datetime.timedelta(days=6))
    assert recipients(run_at(TWO_DAYS_AFTER)) >= {"eli@example.test"}
    Timesheet.objects.filter(pk=sheet.pk).update(status="rejected")

    assert "eli@example.test" not in recipients(run_at(TWO_DAYS_AFTER + datetime.timedelta(hours=2)))
