"""Pages: the shell -- login/logout, password reset, dashboard, organisation switcher (issue 4 point 3,
issue 3 point 9).

- Login is Django's ``LoginView`` with :class:`~organisations.forms.LoginForm` (lockout after 5 failures
  per email or 20 per IP in 15 minutes, one answer for unknown emails and wrong passwords, no login
  without an active membership). ``next`` is followed only to this host (Django checks it with
  ``url_has_allowed_host_and_scheme``); anything else lands on the dashboard.
- Logout is POST only (Django 5's ``LogoutView``); CSRF is enforced on every form.
- The organisation switcher stores the chosen organisation in the session; an organisation the
  person is not an active member of is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.urls import NoReverseMatch, path, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from trackyoursheets.api.authentication import SESSION_ORGANISATION_KEY
from trackyoursheets.web import MemberPageMixin
from trackyoursheets.web.dashboard import cards_for

from .. import selectors, services
from ..choices import MembershipStatus, Role
from ..forms import LoginForm, ThrottledPasswordResetForm, login_failures_clear


def safe_next(request, candidate: str | None, default: str) -> str:
    """``candidate`` if it is a path on this site, else ``default`` (no open redirects)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


# =============================================================================
# Login and logout
# =============================================================================


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked:
            response.status_code = 429  # Too Many Requests: the page still explains what to do
        return response

    def form_valid(self, form):
        response = super().form_valid(form)
        name = form.get_user().get_short_name()
        messages.success(self.request, _("Welcome back, %(name)s.") % {"name": name})
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (a GET is a 405): a link or an image cannot log anyone out."""

    next_page = reverse_lazy("app:login")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have logged out."))
        return response


# =============================================================================
# Password reset by emailed link (Django's views; the email backend comes from settings)
# =============================================================================


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ThrottledPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("app:password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("app:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        login_failures_clear(form.user.email)  # the emailed link proved the account: unlock it
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


# =============================================================================
# Organisation switcher
# =============================================================================


class SwitchOrganisationView(LoginRequiredMixin, View):
    """POST ``organisation_id``: work in another organisation the person is an active member of."""

    http_method_names = ["post"]
    login_url = reverse_lazy("app:login")

    def post(self, request):
        try:
            organisation_id = int(request.POST.get("organisation_id", ""))
        except ValueError:
            raise Http404("No such organisation.") from None
        membership = (
            request.user.memberships.filter(
                organisation_id=organisation_id, status=MembershipStatus.ACTIVE, organisation__is_active=True
            )
            .select_related("organisation")
            .first()
        )
        if membership is None:  # not a member, deactivated, or no such organisation: the same 404
            raise Http404("No such organisation.")
        request.session[SESSION_ORGANISATION_KEY] = membership.organisation_id
        messages.success(request, _("You are now working in %(name)s.") % {"name": membership.organisation.name})
        return HttpResponseRedirect(safe_next(request, request.POST.get("next"), reverse("app:dashboard")))


# =============================================================================
# Dashboard
# =============================================================================

#: (label, url name, description) of the owner/admin quick links; pages not built yet are left out
ADMIN_QUICK_LINKS = (
    (gettext_lazy("Invite a member"), "app:team-invite", gettext_lazy("Send an invitation link by email.")),
    (gettext_lazy("Team"), "app:team", gettext_lazy("Roles, offices, deactivation and invitations.")),
    (
        gettext_lazy("Organisation settings"),
        "app:organisation-settings",
        gettext_lazy("Timezone, currency and feature toggles."),
    ),
    (gettext_lazy("Offices & workspaces"), "app:structure", gettext_lazy("Create workspaces and assign agents.")),
    (gettext_lazy("Producers"), "app:producers", gettext_lazy("Commissionable people and their portal access.")),
    (gettext_lazy("Integrations"), "app:integrations", gettext_lazy("OAuth clients for your own systems.")),
    (gettext_lazy("API tokens"), "app:api-tokens", gettext_lazy("Personal tokens for scripts.")),
)


def _links(specs) -> list[dict]:
    links = []
    for label, url_name, description in specs:
        try:
            links.append({"label": label, "url": reverse(url_name), "description": description})
        except NoReverseMatch:
            continue
    return links


def _url_or_none(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


class DashboardView(MemberPageMixin, TemplateView):
    """The person's own work first: the cards each app registers for their role (issue 14 point 6:
    the week and timer, documents to read, requests, commission, what waits for approval, the
    organisation's figures); then plan and seats with counts and quick links for owners/admins,
    the office for managers, the producer record for producers, the profile for others."""

    template_name = "app/dashboard.html"
    #: a project viewer's home is their portal (a URL name: organisations never imports timetracking)
    viewer_redirect = "time:viewer-portal"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actor = self.actor
        organisation = actor.organisation
        context["plan"] = organisation.plan_details
        context["usage"] = selectors.organisation_usage(organisation=organisation)
        context["seats"] = services.member_seat_usage(organisation=organisation)
        context["membership"] = actor.membership
        context["cards"] = cards_for(actor)
        context["is_admin"] = actor.role in (Role.OWNER, Role.ADMIN)
        if context["is_admin"] or actor.role in (Role.MANAGER, Role.HR):
            by_status = dict(
                selectors.membership_list(actor=actor).order_by().values_list("status").annotate(n=Count("id"))
            )
            context["member_counts"] = [
                {"label": label, "status": value, "count": by_status.get(value, 0)}
                for value, label in MembershipStatus.choices
            ]
        if context["is_admin"]:
            context["office_count"] = selectors.office_list(actor=actor).count()
            context["producer_count"] = selectors.producer_list(actor=actor).count()
            context["quick_links"] = _links(ADMIN_QUICK_LINKS)
        else:
            context["my_workspaces"] = list(selectors.workspace_list(actor=actor)[:20])
        if actor.role == Role.PRODUCER:
            context["producer"] = selectors.producer_list(actor=actor).filter(membership=actor.membership).first()
        context["api_tokens_url"] = _url_or_none("app:api-tokens")
        return context


urlpatterns = [
    path("login", LoginView.as_view(), name="login"),
    path("logout", LogoutView.as_view(), name="logout"),
    path("", DashboardView.as_view(), name="dashboard"),
    path("switch-organisation", SwitchOrganisationView.as_view(), name="switch-organisation"),
    path("password-reset", PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/done", PasswordResetDoneView.as_view(), name="password-reset-done"),
    path("password-reset/complete", PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("password-reset/<uidb64>/<token>", PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
]
