"""Leave (issue 16): types, policies, balances as a ledger, requests.

A balance is never a stored counter: it is the sum of its :class:`LeaveLedgerEntry` rows
(accrual, usage, adjustment, carry-over, expiry, cancellation), each with its cause. A
:class:`LeaveAccount` is the anchor of one employee's balance of one leave type (the id of
``/v1/hr/leave-balances/{id}``); it holds no amount. Accrual rows carry an ``accrual_key``
unique per account, so posting the same accrual twice is impossible at the database level.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisations.choices import Role
from organisations.models import TenantModel, TenantQuerySet

from ..choices import AccrualMethod, LeaveKind, LeaveRequestStatus, LeaveUnit, LedgerKind

HOURS = {"max_digits": 8, "decimal_places": 2}
MAX_HOURS = Decimal("99999.99")
LEAVE_REASON_MAX_LENGTH = 1000


def _hours(label, **kwargs):
    kwargs.setdefault("validators", [MinValueValidator(Decimal("0")), MaxValueValidator(MAX_HOURS)])
    return models.DecimalField(label, **HOURS, **kwargs)


def _visible(queryset, actor, employee_path: str):
    """Own rows; a manager their office's and their direct reports'; HR, owners, admins and
    organisation-wide credentials everything."""
    if actor.sees_whole_organisation or actor.role == Role.HR:
        return queryset
    if actor.membership is None:
        return queryset.none()
    # their own and their direct reports' (Employee.manager), whatever their role
    mine = Q(**{f"{employee_path}__membership": actor.membership}) | Q(
        **{f"{employee_path}__manager__membership": actor.membership}
    )
    if actor.role == Role.MANAGER and actor.membership.office_id:
        mine |= Q(**{f"{employee_path}__office_id": actor.membership.office_id})
    return queryset.filter(mine)


class LeaveType(TenantModel):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=LeaveKind.choices, default=LeaveKind.VACATION)
    paid = models.BooleanField(_("paid"), default=True)
    pay_code_name = models.CharField(
        _("pay code name"), max_length=50, blank=True, help_text=_("e.g. Vacation, Sick: payroll pays leave under it.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="hr_leavetype_unique_name",
                violation_error_message=_("A leave type with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class LeavePolicy(TenantModel):
    """How one leave type is earned. Assigned to employees, roles or offices (most specific wins:
    employee, then role, then office); a policy assigned to nobody applies to everyone."""

    name = models.CharField(_("name"), max_length=200)
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, related_name="policies")
    accrual_method = models.CharField(
        _("accrual method"), max_length=30, choices=AccrualMethod.choices, default=AccrualMethod.MONTHLY
    )
    annual_hours = _hours(_("hours per year"), default=Decimal("0"), help_text=_("Annual grant and monthly accrual."))
    grant_month = models.PositiveSmallIntegerField(
        _("grant month"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    grant_day = models.PositiveSmallIntegerField(
        _("grant day"), default=1, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    hours_per_period = _hours(_("hours per timesheet period"), default=Decimal("0"))
    hours_per_hour_worked = models.DecimalField(
        _("hours per hour worked"),
        max_digits=6,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    prorate_joiners = models.BooleanField(_("prorate joiners"), default=True)
    carry_over_cap_hours = _hours(
        _("carry-over cap (hours)"), null=True, blank=True, help_text=_("Empty: everything carries over.")
    )
    carry_over_expiry_months = models.PositiveSmallIntegerField(
        _("carried hours expire after (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Carried hours not used by the end of this month of the new year lapse. Empty: never."),
    )
    max_balance_hours = _hours(_("maximum balance (hours)"), null=True, blank=True)
    allow_negative = models.BooleanField(_("balance may go negative"), default=False)
    negative_limit_hours = _hours(_("how far below zero (hours)"), default=Decimal("0"))
    starts_on = models.DateField(
        _("accrues from"),
        default=datetime.date.today,
        help_text=_("Months ending and grants falling before this day are not posted (no back-dated accruals)."),
    )
    offices = models.ManyToManyField("organisations.Office", blank=True, related_name="leave_policies")
    roles = models.JSONField(_("roles"), default=list, blank=True)
    employees = models.ManyToManyField("hr.Employee", blank=True, related_name="leave_policies")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = _("leave policies")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(leave_type=getattr(self, "leave_type", None))
        roles = self.roles if isinstance(self.roles, list) else None
        if roles is None or any(role not in Role.values for role in roles):
            errors["roles"] = _("A list of roles.")
        if self.negative_limit_hours and not self.allow_negative:
            errors["negative_limit_hours"] = _("Allow a negative balance first.")
        if errors:
            raise ValidationError(errors)


class LeaveAccountQuerySet(TenantQuerySet):
    def visible_to(self, actor):
        return _visible(self.for_organisation(actor.organisation), actor, "employee")


class LeaveAccount(TenantModel):
    """One employee's balance of one leave type: the sum of its ledger rows."""

    employee = models.ForeignKey("hr.Employee", on_delete=models.CASCADE, related_name="leave_accounts")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, related_name="accounts")

    objects = LeaveAccountQuerySet.as_manager()

    class Meta:
        ordering = ["employee_id", "leave_type_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "leave_type"], name="hr_leaveaccount_unique_employee_type")
        ]

    def __str__(self) -> str:
        return f"{self.employee} · {self.leave_type}"


class LeaveLedgerEntry(TenantModel):
    account = models.ForeignKey(LeaveAccount, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=LedgerKind.choices)
    hours = models.DecimalField(_("hours"), **HOURS, help_text=_("Positive adds to the balance."))
    effective_date = models.DateField(_("effective date"))
    reason = models.CharField(_("reason"), max_length=LEAVE_REASON_MAX_LENGTH, blank=True)
    accrual_key = models.CharField(_("accrual key"), max_length=100, blank=True)
    request = models.ForeignKey(
        "hr.LeaveRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    created_by = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_label = models.CharField(_("created by"), max_length=300, blank=True)

    class Meta:
        ordering = ["effective_date", "id"]
        verbose_name_plural = _("leave ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "accrual_key"],
                condition=~Q(accrual_key=""),
                name="hr_leaveledgerentry_unique_accrual_key",
            )
        ]
        indexes = [
            models.Index(fields=["account", "effective_date"], name="hr_ledger_account_date"),
            models.Index(fields=["organisation", "accrual_key"], name="hr_ledger_org_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.hours} h"


class LeaveRequestQuerySet(TenantQuerySet):
    def visible_to(self, actor):
        return _visible(self.for_organisation(actor.organisation), actor, "employee")


class LeaveRequest(TenantModel):
    employee = models.ForeignKey("hr.Employee", on_delete=models.CASCADE, related_name="leave_requests")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, related_name="requests")
    unit = models.CharField(_("unit"), max_length=20, choices=LeaveUnit.choices, default=LeaveUnit.FULL_DAYS)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    hours_per_day = _hours(_("hours (hours unit)"), null=True, blank=True)
    working_days = models.DecimalField(_("working days"), max_digits=6, decimal_places=2, default=Decimal("0"))
    hours = _hours(_("hours"), default=Decimal("0"))
    #: the computed breakdown, frozen when requested: ``[["YYYY-MM-DD", "8.00"], ...]``
    days = models.JSONField(_("days"), default=list, blank=True)
    notes = models.CharField(_("notes"), max_length=LEAVE_REASON_MAX_LENGTH, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=LeaveRequestStatus.choices,
        default=LeaveRequestStatus.REQUESTED,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_label = models.CharField(_("decided by"), max_length=300, blank=True)
    rejection_reason = models.CharField(_("rejection reason"), max_length=LEAVE_REASON_MAX_LENGTH, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    #: leave approved in another system (``hr.services.import_external_leave``): its name and id
    external_source = models.CharField(_("external source"), max_length=20, blank=True, editable=False)
    external_id = models.CharField(_("external id"), max_length=200, blank=True, editable=False)

    objects = LeaveRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["employee", "start_date", "end_date"], name="hr_leavereq_employee_dates")]
        constraints = [
            # one live request per external record (a cancelled one keeps its id for the record)
            models.UniqueConstraint(
                fields=["organisation", "external_source", "external_id"],
                condition=~models.Q(external_id="") & ~models.Q(status="cancelled"),
                name="hr_leaverequest_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leave_type} {self.start_date}–{self.end_date}"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(
            employee=getattr(self, "employee", None), leave_type=getattr(self, "leave_type", None)
        )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("Cannot be before the first day.")
        if self.unit == LeaveUnit.HOURS:
            if self.start_date != self.end_date:
                errors["end_date"] = _("A request in hours is for one day.")
            if not self.hours_per_day:
                errors["hours_per_day"] = _("Say how many hours.")
        elif self.hours_per_day is not None:
            errors["hours_per_day"] = _("Only for a request in hours.")
        if errors:
            raise ValidationError(errors)
