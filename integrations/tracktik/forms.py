"""Forms of the TrackTik pages: shapes only; the services apply every rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.forms import ConsoleFilterForm
from trackyoursheets.web.forms import PageForm


class ConnectionForm(PageForm):
    base_url = forms.URLField(
        label=_("Base URL"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_("e.g. https://you.staffr.us"),
    )
    client_id = forms.CharField(label=_("Client id"), max_length=200, required=False)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown. Leave empty to keep the current one."),
    )
    username = forms.CharField(label=_("Username"), max_length=200, required=False)
    password = forms.CharField(
        label=_("Password"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown. Leave empty to keep the current one."),
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    sync_interval_minutes = forms.IntegerField(
        label=_("Sync every (minutes)"), min_value=0, max_value=10080, help_text=_("0: only when you press Sync now.")
    )
    trust_approval = forms.BooleanField(
        label=_("Trust TrackTik's approval"),
        required=False,
        help_text=_(
            "On: ended periods with synced shifts are approved on our timesheets. Off: they wait for our approval."
        ),
    )
    lookback_days = forms.IntegerField(label=_("Incremental look-back (days)"), min_value=1, max_value=366)
    sync_from = forms.DateField(label=_("Full resync from"), required=False)

    def clean(self):
        data = super().clean()
        # an empty secret field keeps the stored one (it is never rendered back)
        for name in ("client_secret", "password"):
            if not data.get(name):
                data[name] = None
        return data


class WeekForm(PageForm):
    week = forms.DateField(label=_("Week of"), help_text=_("Any day of the week; it starts on Monday."))


class ContractFilterForm(ConsoleFilterForm):
    """The contracts page's filters: the names of ``TracktikContractFilterSet``'s (REST's)."""

    status = forms.CharField(label=_("Status"), max_length=50, required=False, help_text=_("e.g. ACTIVE, any case."))
    active_on = forms.DateField(label=_("In force on"), required=False)


class UploadForm(PageForm):
    file = forms.FileField(label=_("File (CSV or XLSX)"))
