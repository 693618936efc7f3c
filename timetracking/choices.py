"""Choices of the time-tracking app (issue 7). Values follow the TimeTracker API where it has one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    ARCHIVED = "archived", _("Archived")


class TaskStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class TaskPriority(models.IntegerChoices):
    LOWEST = 1, _("Lowest")
    LOW = 2, _("Low")
    NORMAL = 3, _("Normal")
    HIGH = 4, _("High")
    URGENT = 5, _("Urgent")


class EntrySource(models.TextChoices):
    MANUAL = "manual", _("Manual")
    TIMER = "timer", _("Timer")
    IMPORT = "import", _("Import")
    TRACKTIK = "tracktik", _("TrackTik")
    REQUEST = "request", _("Approved time request")


class RoundingMode(models.TextChoices):
    NONE = "none", _("No rounding")
    NEAREST = "nearest", _("To the nearest step")
    UP = "up", _("Up to the next step")


class RoundingStep(models.IntegerChoices):
    ONE = 1, _("1 minute")
    FIVE = 5, _("5 minutes")
    SIX = 6, _("6 minutes (a tenth of an hour)")
    FIFTEEN = 15, _("15 minutes")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class BulkAction(models.TextChoices):
    DELETE = "delete", _("Delete")
    SET_BILLABLE = "set_billable", _("Set billable")
    SET_PAID = "set_paid", _("Set paid")
    ADD_TAG = "add_tag", _("Add a tag")
    REMOVE_TAG = "remove_tag", _("Remove a tag")


class TimesheetPeriod(models.TextChoices):
    """How an organisation's time is cut into timesheet periods (issue 15 point 1)."""

    WEEKLY_MONDAY = "weekly_monday", _("Weekly, starting Monday")
    WEEKLY_SUNDAY = "weekly_sunday", _("Weekly, starting Sunday")
    BIWEEKLY = "biweekly", _("Every two weeks, from the anchor date")
    SEMI_MONTHLY = "semi_monthly", _("Twice a month (1st-15th, 16th-end)")
    MONTHLY = "monthly", _("Monthly")


class TimesheetStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class TimeRequestStatus(models.TextChoices):
    """A manual time request (issue 15 point 3): ``pending → approved | rejected | cancelled``."""

    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class OverLimitPolicy(models.TextChoices):
    """What happens to time beyond a contract's hours limit (issue 15 point 5)."""

    REFUSE = "refuse", _("Refuse the time (422)")
    FLAG = "flag", _("Accept it and flag it on the timesheet")


class RateKind(models.TextChoices):
    """Two kinds of hourly rate, never confused (issue 15 point 5): what the client is charged and
    what the employee earns."""

    BILL = "bill", _("Bill rate (charged to the client)")
    PAY = "pay", _("Pay rate (earned by the employee)")


class ExpenseStatus(models.TextChoices):
    """An expense claim (issue 16 point 5): ``draft → submitted → approved | rejected → reimbursed``
    (a rejected claim is edited and submitted again)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REIMBURSED = "reimbursed", _("Reimbursed")
