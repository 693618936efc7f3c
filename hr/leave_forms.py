"""Forms of the leave pages (issue 16). They parse input only; services apply the rules."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organisations.choices import Role
from organisations.models import Office
from trackyoursheets.web.forms import PageForm

from .choices import AccrualMethod, LeaveKind, LeaveUnit
from .models import LEAVE_REASON_MAX_LENGTH, MAX_HOURS, Employee, LeaveType

HALF_DAY_MARK = "(half day)"


def _hours(label, required=False, **kwargs):
    return forms.DecimalField(
        label=label, max_digits=8, decimal_places=2, min_value=0, max_value=MAX_HOURS, required=required, **kwargs
    )


class LeaveRequestForm(PageForm):
    leave_type = forms.ModelChoiceField(label=_("Leave type"), queryset=LeaveType.objects.none())
    unit = forms.ChoiceField(label=_("Unit"), choices=LeaveUnit.choices, initial=LeaveUnit.FULL_DAYS)
    start_date = forms.DateField(label=_("First day"))
    end_date = forms.DateField(label=_("Last day"))
    hours_per_day = _hours(_("Hours (a request in hours)"))
    notes = forms.CharField(
        label=_("Notes"), max_length=LEAVE_REASON_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, leave_types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leave_type"].queryset = leave_types if leave_types is not None else LeaveType.objects.none()
        for name in ("leave_type", "unit", "start_date", "end_date", "hours_per_day"):
            self.fields[name].widget.attrs["data-leave-preview"] = name


class LeaveTypeForm(PageForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=LeaveKind.choices)
    paid = forms.BooleanField(label=_("Paid"), required=False, initial=True)
    pay_code_name = forms.CharField(label=_("Pay code name"), max_length=50, required=False)
    active = forms.BooleanField(label=_("Offered"), required=False, initial=True)


POLICY_FIELDS = (
    "name",
    "leave_type",
    "accrual_method",
    "annual_hours",
    "grant_month",
    "grant_day",
    "hours_per_period",
    "hours_per_hour_worked",
    "prorate_joiners",
    "carry_over_cap_hours",
    "carry_over_expiry_months",
    "max_balance_hours",
    "allow_negative",
    "negative_limit_hours",
    "starts_on",
    "offices",
    "roles",
    "employees",
    "active",
)


class LeavePolicyForm(PageForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    leave_type = forms.ModelChoiceField(label=_("Leave type"), queryset=LeaveType.objects.none())
    accrual_method = forms.ChoiceField(label=_("How it is earned"), choices=AccrualMethod.choices)
    annual_hours = _hours(_("Hours per year (annual grant, monthly accrual)"), required=True, initial=0)
    grant_month = forms.IntegerField(label=_("Grant month"), min_value=1, max_value=12, initial=1)
    grant_day = forms.IntegerField(label=_("Grant day"), min_value=1, max_value=28, initial=1)
    hours_per_period = _hours(_("Hours per approved timesheet period (or paid pay period)"), required=True, initial=0)
    hours_per_hour_worked = forms.DecimalField(
        label=_("Hours per hour worked"), max_digits=6, decimal_places=4, min_value=0, max_value=1, initial=0
    )
    prorate_joiners = forms.BooleanField(label=_("Prorate joiners"), required=False, initial=True)
    carry_over_cap_hours = _hours(_("Carry-over cap (hours; empty: everything)"))
    carry_over_expiry_months = forms.IntegerField(
        label=_("Carried hours expire after month (1-12; empty: never)"), min_value=1, max_value=12, required=False
    )
    max_balance_hours = _hours(_("Maximum balance (hours)"))
    allow_negative = forms.BooleanField(label=_("Balance may go negative"), required=False)
    negative_limit_hours = _hours(_("How far below zero (hours)"), required=True, initial=0)
    starts_on = forms.DateField(label=_("Accrues from"), initial=datetime.date.today)
    offices = forms.ModelMultipleChoiceField(label=_("Offices"), queryset=Office.objects.none(), required=False)
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, required=False)
    employees = forms.ModelMultipleChoiceField(label=_("Employees"), queryset=Employee.objects.none(), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, leave_types=None, offices=None, employees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leave_type"].queryset = leave_types if leave_types is not None else LeaveType.objects.none()
        self.fields["offices"].queryset = offices if offices is not None else Office.objects.none()
        self.fields["employees"].queryset = employees if employees is not None else Employee.objects.none()


def policy_initial(policy) -> dict:
    initial = {name: getattr(policy, name) for name in POLICY_FIELDS if name not in ("offices", "employees")}
    initial.update(
        leave_type=policy.leave_type_id,
        offices=[o.pk for o in policy.offices.all()],
        employees=[e.pk for e in policy.employees.all()],
    )
    return initial


class HolidayGroupForm(PageForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    offices = forms.ModelMultipleChoiceField(
        label=_("Offices (none: the whole organisation)"), queryset=Office.objects.none(), required=False
    )
    holidays = forms.CharField(
        label=_("Holidays"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("One per line: YYYY-MM-DD name, with “(half day)” at the end for a half day."),
    )

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offices"].queryset = offices if offices is not None else Office.objects.none()

    def clean_holidays(self) -> list[dict]:
        rows = []
        for number, line in enumerate(self.cleaned_data["holidays"].splitlines(), start=1):
            text = line.strip()
            if not text:
                continue
            date_text, _sep, name = text.partition(" ")
            half = name.rstrip().endswith(HALF_DAY_MARK)
            name = name.rstrip().removesuffix(HALF_DAY_MARK).strip()
            try:
                date = datetime.date.fromisoformat(date_text)
            except ValueError:
                raise ValidationError(_("Line %(n)s: start with a date, YYYY-MM-DD.") % {"n": number}) from None
            if not name:
                raise ValidationError(_("Line %(n)s: give the holiday a name.") % {"n": number})
            rows.append({"date": date, "name": name[:200], "half_day": half})
        return rows


def holidays_text(group) -> str:
    return "\n".join(
        f"{h.date.isoformat()} {h.name}{' ' + HALF_DAY_MARK if h.half_day else ''}" for h in group.holidays.all()
    )


class AdjustmentForm(PageForm):
    employee = forms.ModelChoiceField(label=_("Employee"), queryset=Employee.objects.none())
    leave_type = forms.ModelChoiceField(label=_("Leave type"), queryset=LeaveType.objects.none())
    hours = forms.DecimalField(
        label=_("Hours (negative takes away)"),
        max_digits=8,
        decimal_places=2,
        min_value=-MAX_HOURS,
        max_value=MAX_HOURS,
    )
    effective_date = forms.DateField(label=_("Effective date"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=LEAVE_REASON_MAX_LENGTH)

    def __init__(self, *args, employees=None, leave_types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = employees if employees is not None else Employee.objects.none()
        self.fields["leave_type"].queryset = leave_types if leave_types is not None else LeaveType.objects.none()
