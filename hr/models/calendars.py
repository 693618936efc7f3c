"""Holiday calendars and work schedules (issue 16 point 2): the one holiday model of the product
(payroll's holiday pay and TrackTik's holiday groups refer to it) and the working days and hours
of each employee (Monday to Friday, 8 hours, when they have no schedule of their own)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import TenantModel

#: Monday first, as ``date.weekday()``
WEEKDAY_FIELDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_WEEK = (Decimal("8"),) * 5 + (Decimal("0"),) * 2


def _day_hours(label):
    return models.DecimalField(
        label,
        max_digits=4,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )


class HolidayGroup(TenantModel):
    """A named set of dated holidays (a country's, a region's, an office's). A group with no
    offices applies to the whole organisation; with offices, to the people of those offices."""

    name = models.CharField(_("name"), max_length=200)
    region = models.CharField(_("region"), max_length=100, blank=True, help_text=_("e.g. US-NY, UK, Ontario."))
    offices = models.ManyToManyField("organisations.Office", blank=True, related_name="holiday_groups")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="hr_holidaygroup_unique_name",
                violation_error_message=_("A holiday calendar with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Holiday(TenantModel):
    group = models.ForeignKey(HolidayGroup, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)
    half_day = models.BooleanField(_("half day"), default=False, help_text=_("Only half of the day is off."))

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "date"],
                name="hr_holiday_unique_group_date",
                violation_error_message=_("This calendar already has a holiday on this date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(group=getattr(self, "group", None))
        if errors:
            raise ValidationError(errors)


class WorkSchedule(TenantModel):
    """An employee's working hours per weekday (0 = not a working day)."""

    employee = models.OneToOneField("hr.Employee", on_delete=models.CASCADE, related_name="work_schedule")
    monday = _day_hours(_("Monday hours"))
    tuesday = _day_hours(_("Tuesday hours"))
    wednesday = _day_hours(_("Wednesday hours"))
    thursday = _day_hours(_("Thursday hours"))
    friday = _day_hours(_("Friday hours"))
    saturday = _day_hours(_("Saturday hours"))
    sunday = _day_hours(_("Sunday hours"))

    class Meta:
        ordering = ["employee_id"]

    def __str__(self) -> str:
        return f"{self.employee}: {self.week_hours} h/week"

    @property
    def hours(self) -> tuple[Decimal, ...]:
        return tuple(getattr(self, name) for name in WEEKDAY_FIELDS)

    @property
    def week_hours(self) -> Decimal:
        return sum(self.hours, Decimal("0"))

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(employee=getattr(self, "employee", None))
        if errors:
            raise ValidationError(errors)
