"""Expense claims (issue 16 point 5): categories with an optional per-expense limit and a "receipt
required above" amount, and expenses with their receipt (private storage), the workflow
``draft → submitted → approved | rejected → reimbursed`` and, for an expense in another currency,
the exchange rate the employee entered and the converted amount in the organisation's currency."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisations.models import TenantModel, TenantQuerySet, currency_validator

from ..choices import ExpenseStatus
from .catalogue import Client, Project
from .common import RATE, own_or_office
from .timesheets import REASON_MAX_LENGTH

#: the longest description of an expense
DESCRIPTION_MAX_LENGTH = 1_000
#: the longest reimbursement reference (a payment or payroll run reference)
REFERENCE_MAX_LENGTH = 100
#: field options of an exchange rate (1 unit of the expense's currency in the organisation's)
EXCHANGE_RATE = {"max_digits": 16, "decimal_places": 6}


class ExpenseCategoryQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> ExpenseCategoryQuerySet:
        """Reference data: every member of the organisation reads the categories."""
        return self


class ExpenseCategory(TenantModel):
    """A kind of expense (travel, meals, ...). ``expense_limit`` caps one expense (in the
    organisation's currency); an expense above ``receipt_required_above`` needs a receipt."""

    name = models.CharField(_("name"), max_length=100)
    expense_limit = models.DecimalField(_("limit per expense"), **RATE, null=True, blank=True)
    receipt_required_above = models.DecimalField(_("receipt required above"), **RATE, null=True, blank=True)
    archived = models.BooleanField(_("archived"), default=False)

    objects = ExpenseCategoryQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = _("expense categories")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="timetracking_expensecategory_unique_name",
                violation_error_message=_("A category of this name exists."),
            ),
            models.CheckConstraint(
                condition=Q(expense_limit__isnull=True) | Q(expense_limit__gte=0),
                name="timetracking_expensecategory_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(receipt_required_above__isnull=True) | Q(receipt_required_above__gte=0),
                name="timetracking_expensecategory_receipt_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ExpenseQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> ExpenseQuerySet:
        """As timesheets: the whole organisation for owners, admins and OAuth clients; a manager
        their own, their office's and their direct reports'; everyone else their own."""
        seen = own_or_office(actor)
        if seen is None:
            return self
        if actor.membership is not None:
            seen |= Q(employee__manager__membership=actor.membership)
        return self.filter(seen)


class Expense(TenantModel):
    """One expense claim of an employee. ``amount`` is in ``currency``; ``converted_amount`` is
    the amount in the organisation's currency (``amount x exchange_rate``, rounded half up to the
    cent; equal to ``amount`` when the currencies agree, and then ``exchange_rate`` is empty)."""

    employee = models.ForeignKey("hr.Employee", on_delete=models.PROTECT, related_name="expenses")
    category = models.ForeignKey(ExpenseCategory, on_delete=models.PROTECT, related_name="expenses")
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **RATE)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    exchange_rate = models.DecimalField(_("exchange rate"), **EXCHANGE_RATE, null=True, blank=True)
    converted_amount = models.DecimalField(_("amount in the organisation's currency"), **RATE)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, null=True, blank=True, related_name="expenses")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, null=True, blank=True, related_name="expenses")
    billable = models.BooleanField(_("billable"), default=False)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ExpenseStatus.choices, default=ExpenseStatus.DRAFT, db_index=True
    )
    # the receipt: a private file at a path of ours (trackyoursheets/storage.py)
    receipt_file_name = models.CharField(_("receipt file name"), max_length=200, blank=True)
    receipt_content_type = models.CharField(_("receipt type"), max_length=100, blank=True)
    receipt_size = models.PositiveIntegerField(_("receipt size"), null=True, blank=True)
    receipt_sha256 = models.CharField(max_length=64, blank=True)
    receipt_storage_path = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_label = models.CharField(_("decided by"), max_length=300, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), max_length=REASON_MAX_LENGTH, blank=True)
    reimbursed_at = models.DateTimeField(_("reimbursed at"), null=True, blank=True)
    reimbursement_reference = models.CharField(
        _("reimbursement reference"), max_length=REFERENCE_MAX_LENGTH, blank=True
    )

    objects = ExpenseQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="timetracking_expense_amount_positive"),
            models.CheckConstraint(
                condition=Q(converted_amount__gte=0), name="timetracking_expense_converted_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(exchange_rate__isnull=True) | Q(exchange_rate__gt=0),
                name="timetracking_expense_rate_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-date", "-id"], name="timetracking_expense_org"),
            models.Index(fields=["employee", "status"], name="timetracking_expense_employee"),
            models.Index(fields=["organisation", "status", "date"], name="timetracking_expense_status"),
        ]

    def __str__(self) -> str:
        return f"Expense of {self.employee} on {self.date} ({self.amount} {self.currency}, {self.status})"

    @property
    def has_receipt(self) -> bool:
        return bool(self.receipt_storage_path)

    def clean(self) -> None:
        super().clean()
        project, client = self.project, self.client
        errors = self._check_same_organisation(
            employee=getattr(self, "employee", None),
            category_id=getattr(self, "category", None),
            project_id=project,
            client_id=client,
        )
        if project is not None and client is not None and project.client_id != client.pk:
            errors.setdefault("client_id", _("The project belongs to another client."))
        if errors:
            raise ValidationError(errors)
