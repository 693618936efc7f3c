"""Choices of the hr app (issue 8)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmployeeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ON_LEAVE = "on_leave", _("On leave")
    TERMINATED = "terminated", _("Terminated")


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")
    CONTRACTOR = "contractor", _("Contractor")


class PayType(models.TextChoices):
    HOURLY = "hourly", _("Hourly")
    SALARY = "salary", _("Salary")


class DocumentCategory(models.TextChoices):
    POLICY = "policy", _("Policy")
    BENEFITS = "benefits", _("Benefits")
    COMPLIANCE = "compliance", _("Compliance")
    TRAINING = "training", _("Training")
    PAYROLL = "payroll", _("Payroll")
    WELLBEING = "wellbeing", _("Wellbeing")
    OTHER = "other", _("Other")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    OFFICES = "offices", _("Chosen offices")
    ROLES = "roles", _("Chosen roles")


class ComplaintCategory(models.TextChoices):
    CONDUCT = "conduct", _("Conduct")
    HARASSMENT = "harassment", _("Harassment or bullying")
    DISCRIMINATION = "discrimination", _("Discrimination")
    SAFETY = "safety", _("Health and safety")
    PAY = "pay", _("Pay and benefits")
    POLICY = "policy", _("Policy question")
    OTHER = "other", _("Other")


class ComplaintPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


#: the status workflow: open -> in_progress -> waiting -> resolved -> closed (waiting goes back to
#: in_progress when the answer comes; a resolved ticket may be reopened until it is closed)
COMPLAINT_TRANSITIONS: dict[str, frozenset[str]] = {
    ComplaintStatus.OPEN: frozenset({ComplaintStatus.IN_PROGRESS}),
    ComplaintStatus.IN_PROGRESS: frozenset({ComplaintStatus.WAITING, ComplaintStatus.RESOLVED}),
    ComplaintStatus.WAITING: frozenset({ComplaintStatus.IN_PROGRESS, ComplaintStatus.RESOLVED}),
    ComplaintStatus.RESOLVED: frozenset({ComplaintStatus.CLOSED, ComplaintStatus.IN_PROGRESS}),
    ComplaintStatus.CLOSED: frozenset(),
}

OPEN_COMPLAINT_STATUSES = (ComplaintStatus.OPEN, ComplaintStatus.IN_PROGRESS, ComplaintStatus.WAITING)


# =============================================================================
# Leave (issue 16)
# =============================================================================


class LeaveKind(models.TextChoices):
    VACATION = "vacation", _("Vacation")
    SICK = "sick", _("Sick")
    PERSONAL = "personal", _("Personal")
    BEREAVEMENT = "bereavement", _("Bereavement")
    UNPAID = "unpaid", _("Unpaid")
    CUSTOM = "custom", _("Custom")


class AccrualMethod(models.TextChoices):
    ANNUAL_GRANT = "annual_grant", _("Annual grant on a date")
    MONTHLY = "monthly", _("Accrual per month")
    PER_TIMESHEET_PERIOD = "per_timesheet_period", _("Accrual per approved timesheet period")
    PER_HOUR_WORKED = "per_hour_worked", _("Accrual per hour worked")
    PER_PAY_PERIOD = "per_pay_period", _("Accrual per paid pay period")


class LedgerKind(models.TextChoices):
    ACCRUAL = "accrual", _("Accrual")
    USAGE = "usage", _("Usage")
    ADJUSTMENT = "adjustment", _("Adjustment")
    CARRY_OVER = "carry_over", _("Carry-over")
    EXPIRY = "expiry", _("Expiry")
    CANCELLATION = "cancellation", _("Cancellation")


class LeaveUnit(models.TextChoices):
    FULL_DAYS = "full_days", _("Full days")
    HALF_DAYS = "half_days", _("Half days")
    HOURS = "hours", _("Hours")


class LeaveRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
