"""Forms of the expense pages (issue 16 point 8): parse input only; the services hold the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web.forms import PageForm

from . import expense_selectors, selectors
from .choices import ProjectStatus
from .models import DESCRIPTION_MAX_LENGTH


class ExpenseForm(PageForm):
    """A new expense with its receipt (drag and drop on the page; a plain file input without JS)."""

    category_id = forms.ModelChoiceField(
        label=_("Category"), queryset=None, error_messages={"required": _("Choose a category.")}
    )
    date = forms.DateField(label=_("Day"), error_messages={"required": _("Give the day of the expense.")})
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    currency = forms.RegexField(
        label=_("Currency"), regex=r"^[A-Z]{3}$", max_length=3, help_text=_("ISO 4217, e.g. EUR.")
    )
    exchange_rate = forms.DecimalField(
        label=_("Exchange rate"),
        max_digits=16,
        decimal_places=6,
        required=False,
        help_text=_("For another currency: 1 unit in your organisation's currency, as charged."),
    )
    project_id = forms.ModelChoiceField(label=_("Project"), queryset=None, required=False, empty_label=_("No project"))
    billable = forms.BooleanField(label=_("Billable to the project's client"), required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    receipt = forms.FileField(
        label=_("Receipt"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,application/pdf"}),
        help_text=_("A PNG or JPEG photo or a PDF."),
    )

    #: the service's field names → this form's
    SERVICE_FIELDS = {"category": "category_id", "project": "project_id", "client_id": "project_id"}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_id"].queryset = expense_selectors.expense_category_list(actor=actor).filter(
            archived=False
        )
        self.fields["project_id"].queryset = selectors.project_list(actor=actor).filter(status=ProjectStatus.ACTIVE)


class ExpenseCategoryForm(PageForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    expense_limit = forms.DecimalField(
        label=_("Limit per expense"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    receipt_required_above = forms.DecimalField(
        label=_("Receipt required above"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
