"""Forms of the payroll pages (parse input only; the services hold the rules): the
commission ledger's filters, overrides and manual sale entry, and the statement import
upload, row matching and finalising."""

from __future__ import annotations

import datetime
import json
import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from organisations import selectors as organisation_selectors
from organisations.forms import ConsoleFilterForm
from organisations.models import Producer
from trackyoursheets.web.forms import PageForm

from . import reports, selectors
from .choices import (
    BusinessType,
    CategoryKind,
    CommissionBasis,
    DateFormat,
    OverrideKind,
    PolicyStatus,
    RowStatus,
    TransactionStatus,
    TransactionType,
)
from .models import CommissionTransaction

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


# =============================================================================
# Forms (parse input only; the services hold the rules)
# =============================================================================


def _choices(empty_label, rows, label=str) -> list:
    return [("", empty_label)] + [(row.pk, label(row)) for row in rows]


class LedgerFilterForm(ConsoleFilterForm):
    """The filters of ``/v1/transactions`` as a GET form (values go to the same FilterSet)."""

    producer_id = forms.TypedChoiceField(label=_lazy("Producer"), required=False, coerce=int)
    carrier_id = forms.TypedChoiceField(label=_lazy("Carrier"), required=False, coerce=int)
    workspace_id = forms.TypedChoiceField(label=_lazy("Workspace"), required=False, coerce=int)
    status = forms.ChoiceField(
        label=_lazy("Status"), required=False, choices=[("", _lazy("Any status")), *TransactionStatus.choices]
    )
    type = forms.ChoiceField(
        label=_lazy("Type"), required=False, choices=[("", _lazy("Any type")), *TransactionType.choices]
    )
    statement_period = forms.RegexField(
        label=_lazy("Statement month"),
        required=False,
        regex=MONTH,
        max_length=7,
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM"}),
        error_messages={"invalid": _lazy("Use YYYY-MM.")},
    )
    date_from = forms.DateField(label=_lazy("From"), required=False)
    date_to = forms.DateField(label=_lazy("To"), required=False)

    def __init__(self, *args, actor, producer_filter: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if producer_filter:
            self.fields["producer_id"].choices = _choices(
                _lazy("All producers"), organisation_selectors.producer_list(actor=actor)
            )
        else:
            del self.fields["producer_id"]
        self.fields["carrier_id"].choices = _choices(_lazy("All carriers"), selectors.carrier_list(actor=actor))
        self.fields["workspace_id"].choices = _choices(
            _lazy("All workspaces"), organisation_selectors.workspace_list(actor=actor)
        )

    def filters(self) -> dict:
        values = super().filters()
        return {name: value for name, value in values.items() if name in self.filter_names()}

    def filter_names(self) -> set[str]:
        return set(LedgerFilterForm.base_fields) & set(self.fields)


class AnalyticsForm(LedgerFilterForm):
    """Filters plus the period, the grouping and the ranking of the analytics page."""

    period = forms.ChoiceField(
        label=_lazy("Period"),
        required=False,
        choices=[("", _lazy("Any date")), *((p, reports.PERIOD_LABELS[p]) for p in reports.PERIODS)],
    )
    group_by = forms.ChoiceField(
        label=_lazy("Group by"), required=False, choices=[(g, reports.GROUP_BY_LABELS[g]) for g in reports.GROUP_BY]
    )
    sort = forms.ChoiceField(
        label=_lazy("Rank by"),
        required=False,
        choices=[
            ("premium", _lazy("Premium")),
            ("producer_amount", _lazy("Producer commission")),
            ("gross_commission", _lazy("Gross commission")),
            ("count", _lazy("Number of lines")),
        ],
    )

    def report_options(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "group_by": data.get("group_by") or "carrier",
            "period": data.get("period") or None,
            "sort": data.get("sort") or "premium",
        }


class LeaderboardForm(PageForm):
    period = forms.ChoiceField(
        label=_lazy("Period"), required=False, choices=[(p, reports.PERIOD_LABELS[p]) for p in reports.PERIODS]
    )
    sort = AnalyticsForm.base_fields["sort"]


class OverrideForm(PageForm):
    kind = forms.ChoiceField(label=_lazy("Override"), choices=OverrideKind.choices)
    value = forms.DecimalField(
        label=_lazy("Value"),
        max_digits=14,
        decimal_places=4,
        help_text=_lazy("An amount for a flat override; a percentage (0-100) for the others."),
    )
    reason = forms.CharField(label=_lazy("Reason"), max_length=2000)


class BulkOverrideForm(OverrideForm):
    transaction_ids = forms.TypedMultipleChoiceField(label=_lazy("Lines"), coerce=int)

    def __init__(self, *args, transactions, **kwargs):
        super().__init__(*args, **kwargs)
        self.transactions = transactions
        self.fields["transaction_ids"].choices = [(pk, pk) for pk in transactions.values_list("pk", flat=True)]
        self.fields["transaction_ids"].error_messages["required"] = _("Select at least one line.")

    def chosen(self) -> list[CommissionTransaction]:
        return list(self.transactions.filter(pk__in=self.cleaned_data["transaction_ids"]))


class ManualSaleForm(PageForm):
    """A sale typed in by a person (issue 6 point 4); an empty gross is computed by the rules,
    an empty split is the producer's (on the policy, else their default)."""

    producer = forms.ModelChoiceField(label=_lazy("Producer"), queryset=Producer.objects.none())
    policy = forms.ModelChoiceField(
        label=_lazy("Policy"), queryset=None, required=False, help_text=_lazy("Optional; sets the carrier.")
    )
    carrier = forms.ModelChoiceField(
        label=_lazy("Carrier"), queryset=None, required=False, help_text=_lazy("Required without a policy.")
    )
    transaction_date = forms.DateField(label=_lazy("Sale date"))
    type = forms.ChoiceField(
        label=_lazy("Business"),
        choices=[
            (TransactionType.NEW, TransactionType.NEW.label),
            (TransactionType.RENEWAL, TransactionType.RENEWAL.label),
        ],
    )
    line_of_business = forms.ModelChoiceField(label=_lazy("Line of business"), queryset=None, required=False)
    category = forms.ModelChoiceField(label=_lazy("Revenue status"), queryset=None, required=False)
    premium = forms.DecimalField(label=_lazy("Premium"), max_digits=14, decimal_places=2, min_value=0)
    gross_commission = forms.DecimalField(
        label=_lazy("Gross commission"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_lazy("Leave empty to compute it with the carrier's commission rules."),
    )
    split_percent = forms.DecimalField(
        label=_lazy("Split %"),
        max_digits=7,
        decimal_places=4,
        min_value=0,
        max_value=100,
        required=False,
        help_text=_lazy("Leave empty for the producer's split on the policy, else their default split."),
    )
    notes = forms.CharField(label=_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].queryset = organisation_selectors.producer_list(actor=actor)
        self.fields["policy"].queryset = selectors.policy_list(actor=actor)
        self.fields["carrier"].queryset = selectors.carrier_list(actor=actor)
        categories = selectors.category_list(actor=actor)
        self.fields["line_of_business"].queryset = categories.filter(kind=CategoryKind.LINE_OF_BUSINESS)
        self.fields["category"].queryset = categories.filter(kind=CategoryKind.REVENUE_STATUS)

    def clean(self):
        data = super().clean()
        policy, carrier = data.get("policy"), data.get("carrier")
        if policy is None and carrier is None and "carrier" not in self.errors:
            self.add_error("carrier", _("Choose a carrier or a policy."))
        return data  # without a carrier, the service takes the policy's (services.transaction_carrier)


# =============================================================================
# Statement imports
# =============================================================================


class ImportUploadForm(PageForm):
    file = forms.FileField(
        label=_lazy("Statement file"),
        help_text=_lazy("A CSV (.csv) or Excel (.xlsx) file; the first row holds the headers."),
    )
    carrier = forms.ModelChoiceField(
        label=_lazy("Carrier"),
        queryset=None,
        required=False,
        empty_label=_lazy("From the file's carrier column (one batch per carrier)"),
    )
    workspace = forms.ModelChoiceField(
        label=_lazy("Workspace"),
        queryset=None,
        required=False,
        empty_label=_lazy("Any workspace"),
        help_text=_lazy("Match producers in this workspace only; its only producer is the last resort."),
    )
    statement_period = forms.CharField(
        label=_lazy("Statement period"),
        required=False,
        max_length=7,
        help_text=_lazy("YYYY-MM for every row; leave empty to use each row's period or date."),
    )
    date_format = forms.ChoiceField(
        label=_lazy("Date format"),
        required=False,
        choices=[("", _lazy("The carrier's statement date format"))] + list(DateFormat.choices),
    )
    column_mapping = forms.CharField(
        label=_lazy("Column mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": '{"Comm Amt": "gross_commission"}'}),
        help_text=_lazy("Optional JSON: column header → field, for headers the defaults do not recognise."),
    )
    save_mapping = forms.BooleanField(
        label=_lazy("Save this mapping for the carrier"), required=False, help_text=_lazy("Owners and admins.")
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = selectors.carrier_list(actor=actor)
        self.fields["workspace"].queryset = organisation_selectors.workspace_list(actor=actor)

    def clean_statement_period(self):
        value = (self.cleaned_data.get("statement_period") or "").strip()
        if not value:
            return None
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise forms.ValidationError(_lazy("Use YYYY-MM."))
        year, month = value.split("-")
        return datetime.date(int(year), int(month), 1)

    def clean_column_mapping(self):
        value = (self.cleaned_data.get("column_mapping") or "").strip()
        if not value:
            return None
        try:
            mapping = json.loads(value)
        except ValueError:
            raise forms.ValidationError(_lazy("This is not valid JSON.")) from None
        return mapping


class RowMatchForm(PageForm):
    producer = forms.ModelChoiceField(label=_lazy("Producer"), queryset=None, required=False, empty_label=_lazy("—"))
    policy_number = forms.CharField(label=_lazy("Policy number"), required=False, max_length=100)
    skip = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].queryset = organisation_selectors.producer_list(actor=actor)


class FinaliseForm(PageForm):
    skip_unresolved = forms.BooleanField(label=_lazy("Skip the rows still unmatched or in error"), required=False)


class RowFilterForm(PageForm):
    status = forms.ChoiceField(
        label=_lazy("Rows"), required=False, choices=[("", _lazy("All"))] + list(RowStatus.choices)
    )


# =============================================================================
# Reference data: carriers, policies, commission rule sets (issue 14 point 9)
# =============================================================================

ISO_DATE = {"type": "date"}


def _date_input():
    """Date inputs always get ISO ``YYYY-MM-DD`` (DESIGN §9: dates round-trip whatever the locale)."""
    return forms.DateInput(attrs=ISO_DATE, format="%Y-%m-%d")


class CarrierForm(PageForm):
    name = forms.CharField(label=_lazy("Name"), max_length=200)
    code = forms.CharField(label=_lazy("Code"), max_length=50, help_text=_lazy("Unique in your organisation."))
    statement_date_format = forms.ChoiceField(label=_lazy("Statement date format"), choices=DateFormat.choices)
    default_rule_set = forms.ModelChoiceField(
        label=_lazy("Default commission rule set"), queryset=None, required=False, empty_label=_lazy("None")
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_rule_set"].queryset = selectors.rule_set_list(actor=actor)


class PolicyForm(PageForm):
    carrier = forms.ModelChoiceField(label=_lazy("Carrier"), queryset=None)
    number = forms.CharField(label=_lazy("Policy number"), max_length=100)
    customer_name = forms.CharField(label=_lazy("Customer name"), max_length=200, required=False)
    line_of_business = forms.ModelChoiceField(label=_lazy("Line of business"), queryset=None, required=False)
    premium = forms.DecimalField(label=_lazy("Premium"), max_digits=14, decimal_places=2, min_value=0)
    effective_date = forms.DateField(label=_lazy("Effective date"), widget=_date_input())
    expiry_date = forms.DateField(label=_lazy("Expiry date"), required=False, widget=_date_input())
    status = forms.ChoiceField(label=_lazy("Status"), choices=PolicyStatus.choices)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = selectors.carrier_list(actor=actor)
        self.fields["line_of_business"].queryset = selectors.category_list(actor=actor).filter(
            kind=CategoryKind.LINE_OF_BUSINESS
        )


class PolicyProducerForm(PageForm):
    producer = forms.ModelChoiceField(label=_lazy("Producer"), queryset=None, required=False)
    split_percent = forms.DecimalField(
        label=_lazy("Split %"), max_digits=7, decimal_places=4, min_value=0, max_value=100, required=False
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].queryset = organisation_selectors.producer_list(actor=actor)

    def clean(self):
        data = super().clean()
        if data.get("producer") is not None and data.get("split_percent") is None:
            self.add_error("split_percent", _("Give this producer's split."))
        return data


class RuleSetForm(PageForm):
    name = forms.CharField(label=_lazy("Name"), max_length=200)
    version = forms.IntegerField(label=_lazy("Version"), min_value=1, initial=1)
    effective_from = forms.DateField(label=_lazy("Effective from"), widget=_date_input())
    effective_to = forms.DateField(label=_lazy("Effective to"), required=False, widget=_date_input())
    active = forms.BooleanField(label=_lazy("Active"), required=False, initial=True)


class RuleForm(PageForm):
    """One rule of a set; a row left without a basis is ignored (an empty extra row)."""

    basis = forms.ChoiceField(label=_lazy("Basis"), required=False, choices=[("", "—"), *CommissionBasis.choices])
    rate = forms.DecimalField(label=_lazy("Rate %"), max_digits=7, decimal_places=4, required=False)
    amount = forms.DecimalField(label=_lazy("Flat amount"), max_digits=14, decimal_places=2, required=False)
    carrier = forms.ModelChoiceField(label=_lazy("Carrier"), queryset=None, required=False, empty_label=_lazy("Any"))
    line_of_business = forms.ModelChoiceField(
        label=_lazy("Line of business"), queryset=None, required=False, empty_label=_lazy("Any")
    )
    business_type = forms.ChoiceField(label=_lazy("New or renewal"), choices=BusinessType.choices)
    priority = forms.IntegerField(label=_lazy("Priority"), min_value=0, initial=100)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = selectors.carrier_list(actor=actor)
        self.fields["line_of_business"].queryset = selectors.category_list(actor=actor).filter(
            kind=CategoryKind.LINE_OF_BUSINESS
        )


def policy_producer_formset(*, actor, data=None, initial=None):
    formset = forms.formset_factory(PolicyProducerForm, extra=2 if initial else 3)
    return formset(data, initial=initial, prefix="producers", form_kwargs={"actor": actor})


def rule_formset(*, actor, data=None, initial=None):
    formset = forms.formset_factory(RuleForm, extra=1 if initial else 3)
    return formset(data, initial=initial, prefix="rules", form_kwargs={"actor": actor})
