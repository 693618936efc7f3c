"""Login hardening (issue 3 point 9): the login and password-reset forms and their throttles.

Failed logins are counted in Django's cache, per email and per client IP, in a fixed
window that starts with the first failure. With Redis (REDIS_URL) the counters are
shared by every process and incremented atomically (INCR); without Redis the cache is
process-local memory, so each process counts on its own (a limit of 5 becomes 5 per
process) -- fine for a single development server, documented for deployments. When
the cache is unreachable, logins keep working and the error is logged (fail open, as
the API rate limits do). The client IP is REMOTE_ADDR: behind a proxy, make the proxy
set it (e.g. gunicorn --forwarded-allow-ips), never trust X-Forwarded-For from clients.
"""

from __future__ import annotations

import hashlib
import logging

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web.forms import PageFormMixin

from ..choices import MembershipStatus

logger = logging.getLogger(__name__)
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


class LoginForm(PageFormMixin, AuthenticationForm):
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


class ThrottledPasswordResetForm(PageFormMixin, PasswordResetForm):
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
