"""Forms of the statement import pages: shapes only; the services apply every rule."""

from __future__ import annotations

import datetime
import json
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations import selectors as organisation_selectors
from payroll import selectors as payroll_selectors
from payroll.choices import DateFormat

from .choices import RowStatus


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Statement file"), help_text=_("A CSV (.csv) or Excel (.xlsx) file; the first row holds the headers.")
    )
    carrier = forms.ModelChoiceField(
        label=_("Carrier"),
        queryset=None,
        required=False,
        empty_label=_("From the file's carrier column (one batch per carrier)"),
    )
    workspace = forms.ModelChoiceField(
        label=_("Workspace"),
        queryset=None,
        required=False,
        empty_label=_("Any workspace"),
        help_text=_("Match producers in this workspace only; its only producer is the last resort."),
    )
    statement_period = forms.CharField(
        label=_("Statement period"),
        required=False,
        max_length=7,
        help_text=_("YYYY-MM for every row; leave empty to use each row's period or date."),
    )
    date_format = forms.ChoiceField(
        label=_("Date format"),
        required=False,
        choices=[("", _("The carrier's statement date format"))] + list(DateFormat.choices),
    )
    column_mapping = forms.CharField(
        label=_("Column mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": '{"Comm Amt": "gross_commission"}'}),
        help_text=_("Optional JSON: column header → field, for headers the defaults do not recognise."),
    )
    save_mapping = forms.BooleanField(
        label=_("Save this mapping for the carrier"), required=False, help_text=_("Owners and admins.")
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = payroll_selectors.carrier_list(actor=actor)
        self.fields["workspace"].queryset = organisation_selectors.workspace_list(actor=actor)

    def clean_statement_period(self):
        value = (self.cleaned_data.get("statement_period") or "").strip()
        if not value:
            return None
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise forms.ValidationError(_("Use YYYY-MM."))
        year, month = value.split("-")
        return datetime.date(int(year), int(month), 1)

    def clean_column_mapping(self):
        value = (self.cleaned_data.get("column_mapping") or "").strip()
        if not value:
            return None
        try:
            mapping = json.loads(value)
        except ValueError:
            raise forms.ValidationError(_("This is not valid JSON.")) from None
        return mapping


class RowMatchForm(forms.Form):
    producer = forms.ModelChoiceField(label=_("Producer"), queryset=None, required=False, empty_label=_("—"))
    policy_number = forms.CharField(label=_("Policy number"), required=False, max_length=100)
    skip = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].queryset = organisation_selectors.producer_list(actor=actor)


class FinaliseForm(forms.Form):
    skip_unresolved = forms.BooleanField(label=_("Skip the rows still unmatched or in error"), required=False)


class RowFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Rows"), required=False, choices=[("", _("All"))] + list(RowStatus.choices))
