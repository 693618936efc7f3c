"""Forms of the team pages: invite a member, change a member, filter members, accept an invitation."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web.forms import PageForm, PageFormMixin

from .. import selectors, services
from ..choices import MembershipStatus, Role


def _role_choices(actor) -> list[tuple[str, str]]:
    allowed = set(services.member_grantable_roles(actor=actor))
    return [(value, label) for value, label in Role.choices if value in allowed]


class _MemberFieldsMixin:
    def _setup(self, actor) -> None:
        self.actor = actor
        self.fields["role"].choices = _role_choices(actor)
        self.fields["office"].queryset = selectors.office_list(actor=actor)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.MANAGER and not cleaned.get("office"):
            self.add_error("office", _("A manager needs an office: they see the people of their office."))
        return cleaned


class InviteMemberForm(_MemberFieldsMixin, PageForm):
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role"), initial=Role.EMPLOYEE)
    office = forms.ModelChoiceField(
        label=_("Office"),
        queryset=None,
        required=False,
        empty_label=_("(none)"),
        help_text=_("Required for managers: they see the people of their office."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup(actor)


class MemberForm(_MemberFieldsMixin, PageForm):
    role = forms.ChoiceField(label=_("Role"))
    office = forms.ModelChoiceField(
        label=_("Office"),
        queryset=None,
        required=False,
        empty_label=_("(none)"),
        help_text=_("Required for managers: they see the people of their office."),
    )

    def __init__(self, *args, actor, membership, **kwargs):
        kwargs["initial"] = {"role": membership.role, "office": membership.office_id, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self._setup(actor)
        # the member's current role stays selectable so an office-only change is possible
        if membership.role not in dict(self.fields["role"].choices):
            self.fields["role"].choices = [(membership.role, membership.get_role_display())]


class MemberFilterForm(PageForm):
    """The team list's filters (the same names as ``GET /v1/members``)."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *MembershipStatus.choices]
    )
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("Any role")), *Role.choices])


class AcceptInvitationForm(PageFormMixin, SetPasswordForm):
    """A new member's name and password (Django's password validators apply, see settings)."""

    full_name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True})
    )
    field_order = ["full_name", "new_password1", "new_password2"]

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = _("Choose a password")
        self.fields["new_password2"].label = _("Repeat the password")

    def clean(self):
        full_name = (self.cleaned_data.get("full_name") or "").strip()
        if full_name:
            self.user.full_name = full_name  # the similarity validator compares the password with the name too
        return super().clean()
