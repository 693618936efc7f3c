"""Forms of the ``/app/`` pages. Forms parse and validate input; services apply the rules (STYLE §2.5)."""

from __future__ import annotations

import hashlib
import logging

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import selectors, services
from .choices import MembershipStatus, Role

logger = logging.getLogger(__name__)

# =============================================================================
# Shell and team
# =============================================================================

# --- Login hardening (issue 3 point 9) ---------------------------------------
#
# Failed logins are counted in Django's cache, per email and per client IP, in a fixed
# window that starts with the first failure. With Redis (REDIS_URL) the counters are
# shared by every process and incremented atomically (INCR); without Redis the cache is
# process-local memory, so each process counts on its own (a limit of 5 becomes 5 per
# process) -- fine for a single development server, documented for deployments. When
# the cache is unreachable, logins keep working and the error is logged (fail open, as
# the API rate limits do). The client IP is REMOTE_ADDR: behind a proxy, make the proxy
# set it (e.g. gunicorn --forwarded-allow-ips), never trust X-Forwarded-For from clients.

LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
LOGIN_FAILURES_PER_EMAIL = 5
LOGIN_FAILURES_PER_IP = 20
PASSWORD_RESETS_PER_EMAIL = 5
PASSWORD_RESETS_PER_IP = 20


#: part of every counter's cache key; tests give each test its own so counts never leak between them
THROTTLE_NAMESPACE = "v1"


def _counter_keys(kind: str, email: str, ip: str) -> tuple[str, str]:
    digest = hashlib.sha256((email or "").strip().lower().encode("utf-8")).hexdigest()
    prefix = f"{kind}:{THROTTLE_NAMESPACE}"
    return f"{prefix}:email:{digest}", f"{prefix}:ip:{ip or 'unknown'}"


def _counts(keys: tuple[str, ...]) -> dict[str, int]:
    try:
        return cache.get_many(list(keys))
    except Exception:
        logger.exception("Login throttle: the cache is unreachable; not limiting")
        return {}


def _increment(keys: tuple[str, ...]) -> None:
    for key in keys:
        try:
            cache.add(key, 0, timeout=LOGIN_FAILURE_WINDOW_SECONDS)  # starts the window (SET NX on Redis)
            try:
                cache.incr(key)  # INCR on Redis: atomic across processes
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=LOGIN_FAILURE_WINDOW_SECONDS)
        except Exception:
            logger.exception("Login throttle: the cache is unreachable; not counting")


def client_ip(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "").strip() if request is not None else ""


def login_is_locked(email: str, ip: str) -> bool:
    email_key, ip_key = _counter_keys("login-failures", email, ip)
    counts = _counts((email_key, ip_key))
    return counts.get(email_key, 0) >= LOGIN_FAILURES_PER_EMAIL or counts.get(ip_key, 0) >= LOGIN_FAILURES_PER_IP


def login_failed(email: str, ip: str) -> None:
    _increment(_counter_keys("login-failures", email, ip))


def login_throttle_reset(*, emails: tuple[str, ...] = (), ips: tuple[str, ...] = ()) -> None:
    """Forget the failure counts of these emails and IPs (tests; an operator unlocking someone)."""
    keys = [_counter_keys(kind, email, "")[0] for kind in ("login-failures", "password-resets") for email in emails]
    keys += [_counter_keys(kind, "", ip)[1] for kind in ("login-failures", "password-resets") for ip in ips]
    cache.delete_many(keys)


def login_failures_clear(email: str) -> None:
    """After a successful login or password reset (proof of the account), the email's count restarts."""
    try:
        cache.delete(_counter_keys("login-failures", email, "")[0])
    except Exception:
        logger.exception("Login throttle: the cache is unreachable")


class LoginForm(AuthenticationForm):
    """Email and password; refused for locked-out emails/IPs and for people with no active membership.

    Every refusal before the password is known to be right has the same wording, whether the
    email exists or not (no user enumeration): wrong password, unknown email, inactive user.
    """

    error_messages = {
        "invalid_login": _("That email and password do not match an account. Check them and try again."),
        "inactive": _("That email and password do not match an account. Check them and try again."),
        "locked": _(
            "Too many failed attempts to log in. For your security, logging in is paused for 15 minutes. "
            "You can reset your password by email meanwhile."
        ),
        "no_membership": _(
            "Your account has no active membership in any organisation. Ask an owner or admin of your "
            "organisation to re-activate you."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Email")
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True, "maxlength": 254}
        )
        self.locked = False

    def clean(self):
        email = (self.cleaned_data.get("username") or "").strip()
        password = self.cleaned_data.get("password")
        if email and password:
            ip = client_ip(self.request)
            if login_is_locked(email, ip):
                self.locked = True  # even the right password is refused until the window ends
                raise ValidationError(self.error_messages["locked"], code="locked")
            self.user_cache = authenticate(self.request, username=email, password=password)
            if self.user_cache is None:  # wrong password, unknown email or inactive user: one answer
                login_failed(email, ip)
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
            login_failures_clear(email)
        return self.cleaned_data

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.memberships.filter(status=MembershipStatus.ACTIVE, organisation__is_active=True).exists():
            raise ValidationError(self.error_messages["no_membership"], code="no_membership")


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form (it only mails active users with a password, and always answers the same);
    beyond 5 requests per email or 20 per IP in 15 minutes it silently sends nothing (no mail bombing,
    no enumeration)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autofocus": True, "autocomplete": "email"})

    def save(self, *args, **kwargs):
        email = self.cleaned_data["email"]
        email_key, ip_key = _counter_keys("password-resets", email, client_ip(kwargs.get("request")))
        counts = _counts((email_key, ip_key))
        if counts.get(email_key, 0) >= PASSWORD_RESETS_PER_EMAIL or counts.get(ip_key, 0) >= PASSWORD_RESETS_PER_IP:
            logger.warning("Password reset throttled for an email hash %s", email_key.rsplit(":", 1)[-1][:12])
            return None
        _increment((email_key, ip_key))
        return super().save(*args, **kwargs)


# --- Team ---------------------------------------------------------------------


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


class InviteMemberForm(_MemberFieldsMixin, forms.Form):
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


class MemberForm(_MemberFieldsMixin, forms.Form):
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


class MemberFilterForm(forms.Form):
    """The team list's filters (the same names as ``GET /v1/members``)."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *MembershipStatus.choices]
    )
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("Any role")), *Role.choices])


class AcceptInvitationForm(SetPasswordForm):
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


# =============================================================================
# Console and integrations
# =============================================================================
# Forms of the admin console (organisation settings, offices, workspaces, producers) and of
# the integrations pages (OAuth clients, personal API tokens). They only parse input: the
# rules are the services', whose errors ``add_service_errors`` puts back on the form. The
# choices of related rows come from selectors, so an id of another organisation (or outside
# a manager's office) is not a valid choice.

import zoneinfo  # noqa: E402

from django import forms  # noqa: E402
from django.utils.translation import gettext_lazy as _lazy  # noqa: E402

from trackyoursheets.api.scopes import SCOPES  # noqa: E402
from trackyoursheets.web.forms import add_service_errors  # noqa: E402, F401 - compat: payroll until the issue-12 merge

from .choices import ProducerStatus, WorkspaceStatus  # noqa: E402

FEATURE_LABELS = {
    "api": _lazy("REST API"),
    "graphql": _lazy("GraphQL API"),
    "webhooks": _lazy("Webhooks"),
    "producer_portal": _lazy("Producer portal"),
    "time_tracking": _lazy("Time tracking"),
    "hr": _lazy("HR"),
}


def feature_label(name: str) -> str:
    return FEATURE_LABELS.get(name, name)


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def scope_choices() -> list[tuple[str, str]]:
    return [(scope, f"{scope} — {description}") for scope, description in SCOPES.items()]


class ConsoleFilterForm(forms.Form):
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


class OnceForm(forms.Form):
    """Carries the one-time code that stops a re-sent POST from repeating its action."""

    once = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ConsoleMemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.user.full_name or obj.user.email
        return f"{name} <{obj.user.email}> · {obj.get_role_display()}"


class ConsoleMembersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return ConsoleMemberChoiceField.label_from_instance(self, obj)


# -----------------------------------------------------------------------------
# Organisation settings, offices, workspaces
# -----------------------------------------------------------------------------


class OrganisationSettingsForm(forms.Form):
    timezone = forms.ChoiceField(label=_lazy("Timezone"), choices=timezone_choices)
    currency = forms.CharField(
        label=_lazy("Currency"),
        min_length=3,
        max_length=3,
        help_text=_lazy("Three-letter ISO 4217 code, e.g. USD, EUR, GBP."),
    )

    def __init__(self, *args, features=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.feature_names = list(features)
        for name in self.feature_names:
            self.fields[f"feature_{name}"] = forms.BooleanField(label=feature_label(name), required=False)

    def feature_fields(self) -> list:
        return [self[f"feature_{name}"] for name in self.feature_names]

    def feature_toggles(self) -> dict[str, bool]:
        return {name: bool(self.cleaned_data.get(f"feature_{name}")) for name in self.feature_names}


class OfficeForm(forms.Form):
    name = forms.CharField(label=_lazy("Name"), max_length=200)
    timezone = forms.ChoiceField(
        label=_lazy("Timezone"),
        choices=timezone_choices,
        help_text=_lazy("Sets day boundaries for the office's people."),
    )
    address = forms.CharField(label=_lazy("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class WorkspaceForm(forms.Form):
    office = forms.ModelChoiceField(label=_lazy("Office"), queryset=None)
    name = forms.CharField(label=_lazy("Name"), max_length=200)
    description = forms.CharField(label=_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices


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


class WorkspaceAgentsForm(forms.Form):
    memberships = ConsoleMembersChoiceField(
        label=_lazy("Active members"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _lazy("Choose at least one member.")},
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["memberships"].queryset = memberships


# -----------------------------------------------------------------------------
# Producers
# -----------------------------------------------------------------------------


class ProducerForm(forms.Form):
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


# -----------------------------------------------------------------------------
# OAuth clients and personal API tokens
# -----------------------------------------------------------------------------


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
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_lazy("It works through the end of that day; leave empty for no expiry."),
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
