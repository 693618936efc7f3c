"""Pay schedules (with their generated periods), the payroll-side assignment of employees to a
schedule, pay codes and overtime rules (issue 18 points 1 and 2)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisations.models import TenantModel, TenantQuerySet

from ..choices import PayCodeKind, PayFrequency

__all__ = ["PaySchedule", "PayScheduleAssignment", "PayCode", "OvertimeRule", "PayPeriod", "PERIODS_PER_YEAR"]

PERIODS_PER_YEAR = {
    PayFrequency.WEEKLY: 52,
    PayFrequency.BIWEEKLY: 26,
    PayFrequency.SEMI_MONTHLY: 24,
    PayFrequency.MONTHLY: 12,
}
HOURS = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(168)]}
MULTIPLIER = {"max_digits": 6, "decimal_places": 3, "validators": [MinValueValidator(0), MaxValueValidator(10)]}


@dataclass(frozen=True)
class PayPeriod:
    start: datetime.date
    end: datetime.date  # inclusive
    pay_date: datetime.date

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def _month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class PayrollReadQuerySet(TenantQuerySet):
    def restrict_to(self, actor):
        """Pay is sensitive: owners, admins, HR and organisation-wide credentials read it."""
        if actor.sees_whole_organisation or actor.role == "hr":
            return self
        return self.none()


class PaySchedule(TenantModel):
    """How often people are paid. Periods are generated from the frequency and the anchor (the
    first day of one period); the pay date is the period's last day plus ``pay_date_offset_days``."""

    name = models.CharField(_("name"), max_length=100)
    frequency = models.CharField(_("frequency"), max_length=20, choices=PayFrequency.choices)
    anchor_date = models.DateField(_("anchor date"), help_text=_("The first day of any one period."))
    pay_date_offset_days = models.PositiveSmallIntegerField(
        _("pay date offset (days)"), default=0, validators=[MaxValueValidator(60)]
    )
    active = models.BooleanField(_("active"), default=True)

    objects = PayrollReadQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="payroll_payschedule_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def periods_per_year(self) -> int:
        return PERIODS_PER_YEAR[self.frequency]

    def period_containing(self, day: datetime.date) -> PayPeriod:
        anchor = self.anchor_date
        if self.frequency in (PayFrequency.WEEKLY, PayFrequency.BIWEEKLY):
            length = 7 if self.frequency == PayFrequency.WEEKLY else 14
            start = anchor + datetime.timedelta(days=length * ((day - anchor).days // length))
            end = start + datetime.timedelta(days=length - 1)
        elif self.frequency == PayFrequency.SEMI_MONTHLY:
            start, end = (
                (day.replace(day=1), day.replace(day=15)) if day.day <= 15 else (day.replace(day=16), _month_end(day))
            )
        else:
            start, end = day.replace(day=1), _month_end(day)
        return PayPeriod(start, end, end + datetime.timedelta(days=self.pay_date_offset_days))

    def is_period_start(self, day: datetime.date) -> bool:
        return self.period_containing(day).start == day

    def periods(self, start: datetime.date, count: int) -> list[PayPeriod]:
        """``count`` consecutive periods from the one holding ``start``."""
        result = [self.period_containing(start)]
        while len(result) < count:
            result.append(self.period_containing(result[-1].end + datetime.timedelta(days=1)))
        return result


class PayScheduleAssignment(TenantModel):
    """The one pay schedule an employee belongs to (payroll's side of the directory)."""

    pay_schedule = models.ForeignKey(PaySchedule, on_delete=models.CASCADE, related_name="assignments")
    employee = models.ForeignKey("hr.Employee", on_delete=models.CASCADE, related_name="+")

    objects = PayrollReadQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "employee"], name="payroll_assignment_one_schedule"),
        ]


class PayCode(TenantModel):
    """What a line of pay is: the ten defaults (seeded on first use) and custom codes with a
    multiplier and an external code for the accounting export."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=PayCodeKind.choices, default=PayCodeKind.CUSTOM)
    multiplier = models.DecimalField(_("multiplier"), default=Decimal("1"), **MULTIPLIER)
    external_code = models.CharField(_("external code"), max_length=50, blank=True)
    is_default = models.BooleanField(_("default code"), default=False, editable=False)
    active = models.BooleanField(_("active"), default=True)

    objects = PayrollReadQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="payroll_paycode_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class OvertimeRule(TenantModel):
    """When hours become overtime, per workweek (the organisation's timesheet week): above a
    weekly threshold, above daily thresholds (e.g. > 8 h × 1.5, > 12 h × 2), and optionally on
    the seventh consecutive day worked. One rule for the organisation (``office`` empty) and at
    most one per office, which wins for that office's people."""

    office = models.ForeignKey(
        "organisations.Office", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    weekly_threshold_hours = models.DecimalField(
        _("weekly threshold (hours)"), null=True, blank=True, default=Decimal("40"), **HOURS
    )
    daily_threshold_hours = models.DecimalField(_("daily threshold (hours)"), null=True, blank=True, **HOURS)
    daily_double_threshold_hours = models.DecimalField(
        _("daily double-time threshold (hours)"), null=True, blank=True, **HOURS
    )
    overtime_multiplier = models.DecimalField(_("overtime multiplier"), default=Decimal("1.5"), **MULTIPLIER)
    double_time_multiplier = models.DecimalField(_("double-time multiplier"), default=Decimal("2"), **MULTIPLIER)
    seventh_day = models.BooleanField(
        _("seventh consecutive day"),
        default=False,
        help_text=_("The seventh consecutive day worked in a workweek: first 8 h overtime, the rest double time."),
    )
    #: holiday pay (issue 18 point 2) on hr's holiday calendars (the one holiday model)
    holiday_multiplier = models.DecimalField(
        _("holiday worked multiplier"),
        null=True,
        blank=True,
        help_text=_("Regular hours worked on a holiday are paid under Holiday × this (empty: as regular hours)."),
        **MULTIPLIER,
    )
    paid_holidays = models.BooleanField(
        _("paid holidays"),
        default=False,
        help_text=_("Hourly employees scheduled on a holiday get their scheduled hours under Holiday."),
    )

    objects = PayrollReadQuerySet.as_manager()

    class Meta:
        ordering = ["office_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(office__isnull=True), name="payroll_otrule_one_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["organisation", "office"],
                condition=Q(office__isnull=False),
                name="payroll_otrule_one_per_office",
            ),
        ]
