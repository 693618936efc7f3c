"""Forms of the admin console (organisation settings, offices, workspaces, producers) and of
the integrations pages (OAuth clients, personal API tokens).

They only parse input: the rules are the services', whose errors ``add_service_errors`` puts
back on the form. The choices of related rows come from selectors, so an id of another
organisation (or outside a manager's office) is not a valid choice.
"""

from __future__ import annotations

import re
import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _lazy

from trackyoursheets.api.scopes import SCOPES
from trackyoursheets.web.forms import PageForm

from ..choices import ProducerStatus, WorkspaceStatus
from ..currencies import currency_choices

FEATURE_LABELS = {
    "api": _lazy("REST API"),
    "graphql": _lazy("GraphQL API"),
    "webhooks": _lazy("Webhooks"),
    "producer_portal": _lazy("Producer portal"),
    "time_tracking": _lazy("Time tracking"),
    "hr": _lazy("HR"),
    "tracktik": _lazy("TrackTik connector"),
}


def feature_label(name: str) -> str:
    return FEATURE_LABELS.get(name, name)


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def scope_choices() -> list[tuple[str, str]]:
    return [(scope, f"{scope} — {description}") for scope, description in SCOPES.items()]


class ConsoleFilterForm(PageForm):
    """A GET form whose valid, non-empty values are a FilterSet's parameters."""

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: str(value).lower() if isinstance(value, bool) else str(value)
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }


class OnceForm(PageForm):
    """Carries the one-time code that stops a re-sent POST from repeating its action."""

    once = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ConsoleMemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.user.full_name or obj.user.email
        return f"{name} <{obj.user.email}> · {obj.get_role_display()}"


class ConsoleMembersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return ConsoleMemberChoiceField.label_from_instance(self, obj)


class OrganisationSettingsForm(PageForm):
    timezone = forms.ChoiceField(label=_lazy("Timezone"), choices=timezone_choices)
    # issue 14 point 10: a choice of ISO 4217 codes, never free text (the service checks it too)
    currency = forms.ChoiceField(label=_lazy("Currency"), choices=currency_choices)

    def __init__(self, *args, features=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.feature_names = list(features)
        for name in self.feature_names:
            self.fields[f"feature_{name}"] = forms.BooleanField(label=feature_label(name), required=False)

    def feature_fields(self) -> list:
        return [self[f"feature_{name}"] for name in self.feature_names]

    def feature_toggles(self) -> dict[str, bool]:
        return {name: bool(self.cleaned_data.get(f"feature_{name}")) for name in self.feature_names}


class OfficeForm(PageForm):
    name = forms.CharField(label=_lazy("Name"), max_length=200)
    timezone = forms.ChoiceField(
        label=_lazy("Timezone"),
        choices=timezone_choices,
        help_text=_lazy("Sets day boundaries for the office's people."),
    )
    address = forms.CharField(label=_lazy("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class WorkspaceForm(PageForm):
    office = forms.ModelChoiceField(label=_lazy("Office"), queryset=None)
    name = forms.CharField(label=_lazy("Name"), max_length=200)
    description = forms.CharField(label=_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        only = list(offices[:2])
        if len(only) == 1:  # issue 13 point 11: the one office is the default
            self.fields["office"].required = False
            self.fields["office"].initial = only[0].pk


class WorkspaceFilterForm(ConsoleFilterForm):
    name = forms.CharField(label=_lazy("Search"), required=False, max_length=200)
    office_id = forms.TypedChoiceField(label=_lazy("Office"), required=False, coerce=int)
    status = forms.ChoiceField(
        label=_lazy("Status"),
        required=False,
        choices=[("", _lazy("Any status")), *WorkspaceStatus.choices],
    )

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office_id"].choices = [("", _lazy("All offices"))] + [(o.pk, o.name) for o in offices]


class WorkspaceAgentsForm(PageForm):
    memberships = ConsoleMembersChoiceField(
        label=_lazy("Active members"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _lazy("Choose at least one member.")},
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["memberships"].queryset = memberships


class ProducerForm(PageForm):
    display_name = forms.CharField(label=_lazy("Display name"), max_length=200)
    email = forms.EmailField(label=_lazy("Email"), required=False)
    producer_code = forms.CharField(
        label=_lazy("Producer code"),
        max_length=50,
        required=False,
        help_text=_lazy("The carrier-facing code; unique in the organisation when set."),
    )
    default_split_percent = forms.DecimalField(
        label=_lazy("Default split %"), max_digits=5, decimal_places=2, initial="100.00"
    )
    portal_access = forms.BooleanField(label=_lazy("Portal access"), required=False)
    status = forms.ChoiceField(label=_lazy("Status"), choices=ProducerStatus.choices, initial=ProducerStatus.ACTIVE)
    workspace = forms.ModelChoiceField(
        label=_lazy("Workspace"), queryset=None, required=False, empty_label=_lazy("No workspace")
    )
    membership = ConsoleMemberChoiceField(
        label=_lazy("Linked member"),
        queryset=None,
        required=False,
        empty_label=_lazy("No login"),
        help_text=_lazy("The member whose login is this producer, if any."),
    )

    def __init__(self, *args, workspaces, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workspace"].queryset = workspaces
        self.fields["membership"].queryset = memberships.select_related("user")


class ProducerFilterForm(ConsoleFilterForm):
    search = forms.CharField(label=_lazy("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_lazy("Status"),
        required=False,
        choices=[("", _lazy("Any status")), *ProducerStatus.choices],
    )
    workspace_id = forms.TypedChoiceField(label=_lazy("Workspace"), required=False, coerce=int)
    portal_access = forms.ChoiceField(
        label=_lazy("Portal access"),
        required=False,
        choices=[("", _lazy("Any")), ("true", _lazy("Yes")), ("false", _lazy("No"))],
    )

    def __init__(self, *args, workspaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workspace_id"].choices = [("", _lazy("All workspaces"))] + [(w.pk, w.name) for w in workspaces]


class OAuthClientForm(OnceForm):
    name = forms.CharField(label=_lazy("Name"), max_length=255, help_text=_lazy("e.g. the system that will use it."))
    scopes = forms.MultipleChoiceField(
        label=_lazy("Scopes"),
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _lazy("Give the client at least one scope.")},
    )


class ApiTokenForm(OnceForm):
    name = forms.CharField(
        label=_lazy("Name"), max_length=100, help_text=_lazy("What the token is for, e.g. nightly export.")
    )
    scopes = forms.MultipleChoiceField(
        label=_lazy("Scopes"),
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_lazy("The token acts as you and can never see more than your role allows."),
        error_messages={"required": _lazy("Give the token at least one scope.")},
    )
    expires_on = forms.DateField(
        label=_lazy("Expires on (optional)"),
        required=False,
        help_text=_lazy("It works through the end of that day; leave empty for no expiry."),
    )
    allowed_ips = forms.CharField(
        label=_lazy("Allowed IP addresses (optional)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_lazy(
            "One per line or separated by commas: addresses (203.0.113.7, 2001:db8::1) or CIDR ranges "
            "(198.51.100.0/24). Requests from anywhere else are refused. Leave empty for any address."
        ),
    )

    def clean_allowed_ips(self) -> list[str]:
        return [entry for entry in re.split(r"[\s,]+", self.cleaned_data.get("allowed_ips") or "") if entry]


class IntegrationGrantForm(PageForm):
    client_id = forms.CharField(
        label=_lazy("Client ID"),
        max_length=100,
        help_text=_lazy("The client ID the integration's vendor gave you."),
    )


class ApiTokenFilterForm(ConsoleFilterForm):
    name = forms.CharField(label=_lazy("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_lazy("Status"),
        required=False,
        choices=[
            ("", _lazy("Any status")),
            ("active", _lazy("Active")),
            ("expired", _lazy("Expired")),
            ("revoked", _lazy("Revoked")),
        ],
    )
