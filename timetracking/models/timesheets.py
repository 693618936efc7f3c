"""Timesheets (issue 15 point 1) and the organisation's timesheet settings (period type, anchor
and automatic locking, point 2).

A timesheet is one employee's time in one period (local dates in their office timezone, else the
organisation's). It holds no copy of the time: its totals are read from the time entries whose
start falls in the period. Approving it locks that time (every write that touches it is refused,
:mod:`timetracking.services.locks`); payroll pays approved time only.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisations.models import TenantModel, TenantQuerySet

from ..choices import TimesheetPeriod, TimesheetStatus
from .common import own_or_office

#: the longest free text of a rejection or reopening reason
REASON_MAX_LENGTH = 1000


class TimesheetSettings(TenantModel):
    """How an organisation cuts time into timesheet periods and when periods lock by themselves.

    One row per organisation; no row means weekly periods starting Monday and no automatic lock.
    ``anchor`` is the first day of one two-week period (bi-weekly only). With ``auto_lock_days``
    set, every period is locked that many days after its last day, whether or not a timesheet
    exists for it."""

    period = models.CharField(
        _("timesheet period"), max_length=20, choices=TimesheetPeriod.choices, default=TimesheetPeriod.WEEKLY_MONDAY
    )
    anchor = models.DateField(
        _("anchor date"), null=True, blank=True, help_text=_("Bi-weekly periods: the first day of one period.")
    )
    auto_lock_days = models.PositiveSmallIntegerField(
        _("lock periods automatically after (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(366)],
        help_text=_("Empty: periods lock only when their timesheet is approved."),
    )

    class Meta:
        verbose_name = _("timesheet settings")
        verbose_name_plural = _("timesheet settings")
        constraints = [
            models.UniqueConstraint(fields=["organisation"], name="timetracking_timesheetsettings_unique_organisation"),
        ]

    def __str__(self) -> str:
        return f"Timesheet settings of organisation {self.organisation_id}"

    def clean(self) -> None:
        super().clean()
        if self.period == TimesheetPeriod.BIWEEKLY and self.anchor is None:
            raise ValidationError({"anchor": _("Bi-weekly periods need an anchor date (the first day of one period).")})


class TimesheetQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> TimesheetQuerySet:
        """Owners, admins and organisation-wide clients: every timesheet; managers: their own,
        their office's and their direct reports'; everyone else: their own."""
        seen = own_or_office(actor)
        if seen is None:
            return self
        if actor.membership is not None:
            seen |= Q(employee__manager__membership=actor.membership)
        return self.filter(seen)


class Timesheet(TenantModel):
    """One employee's time in one period: ``open → submitted → approved | rejected``.

    Exactly one per employee and period start (a unique constraint, so two lazy creations of the
    same period cannot both insert). ``decided_*`` record the last approval or rejection,
    ``reopened_*`` the last reopening of an approved timesheet."""

    employee = models.ForeignKey("hr.Employee", on_delete=models.PROTECT, related_name="timesheets")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("The last day of the period (inclusive)."))
    status = models.CharField(
        _("status"), max_length=20, choices=TimesheetStatus.choices, default=TimesheetStatus.OPEN, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_label = models.CharField(_("approved or rejected by"), max_length=300, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), max_length=REASON_MAX_LENGTH, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.TextField(_("reopening reason"), max_length=REASON_MAX_LENGTH, blank=True)
    #: the period's entries as they stood when the timesheet was last rejected (id -> fields), so
    #: the approver of a resubmission sees what was added, changed and removed since
    rejected_entries = models.JSONField(_("entries when rejected"), default=dict, blank=True, editable=False)
    #: when the "still open after the period ended" reminder went out (at most once per timesheet)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True, editable=False)

    objects = TimesheetQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "employee_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "employee", "period_start"],
                name="timetracking_timesheet_unique_employee_period",
                violation_error_message=_("This employee already has a timesheet for this period."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="timetracking_timesheet_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-period_start", "employee"], name="timetracking_sheet_org_period"),
            models.Index(fields=["employee", "status", "period_start"], name="timetracking_sheet_employee"),
        ]

    def __str__(self) -> str:
        return f"Timesheet of {self.employee} for {self.period_start} to {self.period_end}"

    def period_label(self) -> str:
        return f"{self.period_start.isoformat()} to {self.period_end.isoformat()}"
