"""Pages: integrations (issue 3 points 2 and 4) — the organisation's OAuth clients and personal API tokens,
the clients of other organisations granted this one, and the apps a member authorised (issue 13).

A new client secret or personal token is shown exactly once: it is rendered straight into
the response to the POST that made it (``Cache-Control: no-store``) and kept nowhere — not
in a flash message, not in the session. Each form carries a one-time code, so re-sending
the same POST (a browser reload) neither repeats the action nor shows a secret again.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import path, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from trackyoursheets.web import (
    SERVICE_ERRORS,
    ConsolePage,
    TablePageMixin,
    add_service_errors,
    error_text,
    scoped_or_404,
)

from .. import selectors, services
from ..choices import OWNER_ADMIN
from ..forms import ApiTokenFilterForm, ApiTokenForm, IntegrationGrantForm, OAuthClientForm, OnceForm
from ..selectors import oauth_client_get, oauth_client_list
from ..tables import ApiTokenTable, AuthorisedAppTable, OAuthClientTable, OAuthGrantTable, OtherApiTokenTable

# =============================================================================
# One-time form codes
# =============================================================================

ONCE_SESSION_KEY = "tys_form_once"
ONCE_KEEP = 20


def once_issue(request) -> str:
    """A random code for one form; the session keeps the last few (codes only, never secrets)."""
    code = secrets.token_urlsafe(18)
    request.session[ONCE_SESSION_KEY] = [*request.session.get(ONCE_SESSION_KEY, [])[-(ONCE_KEEP - 1) :], code]
    return code


def once_valid(request, code: str) -> bool:
    return bool(code) and code in request.session.get(ONCE_SESSION_KEY, [])


def once_consume(request, code: str) -> None:
    request.session[ONCE_SESSION_KEY] = [c for c in request.session.get(ONCE_SESSION_KEY, []) if c != code]


def already_done(request, redirect_to: str):
    messages.info(
        request,
        _(
            "That form was already submitted. A secret is shown only once: if you did not keep it, "
            "rotate the client's secret or create a new token."
        ),
    )
    return HttpResponseRedirect(redirect_to)


def shown_once(response):
    """A page carrying a secret: never cached by the browser or a proxy."""
    add_never_cache_headers(response)
    return response


# =============================================================================
# OAuth clients (owners and admins)
# =============================================================================


#: GET paths the "try it" example may call, the most telling first; ``me`` needs no scope
EXAMPLE_PATHS = (
    "workspaces",
    "producers",
    "transactions",
    "time-entries",
    "hr/employees",
    "webhooks",
    "organisations/current",
    "me",
)


def _scope_for_get(path: str) -> str | None:
    """The scope ``GET /v1/<path>`` needs, read from the view as the API's permission does."""
    match = resolve(f"/v1/{path}")
    view = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    action = (getattr(match.func, "actions", None) or {}).get("get")
    action_scopes = getattr(view, "action_scopes", None) or {}
    if action in action_scopes:
        return action_scopes[action]
    if getattr(view, "required_scope", None):
        return view.required_scope
    area = getattr(view, "scope_area", None)
    return f"{area}.read" if area else None


def example_path(scopes) -> str:
    """A path the new credential's scopes allow (issue 14 point 10: the example used to call
    ``workspaces`` whatever the scopes, so a ``time.read`` token's first try was a 403)."""
    granted = set(scopes.split() if isinstance(scopes, str) else scopes or ())
    for candidate in EXAMPLE_PATHS:
        needed = _scope_for_get(candidate)
        if needed is None or needed in granted:
            return candidate
    return "me"


def connection_details(request, scopes=()) -> dict:
    return {
        "base_url": request.build_absolute_uri("/"),
        "token_url": request.build_absolute_uri(reverse("oauth-token")),
        "api_url": request.build_absolute_uri("/v1/"),
        "example_path": example_path(scopes),
    }


class OAuthClientPage(ConsolePage):
    allowed_roles = OWNER_ADMIN

    def get_client(self):
        return scoped_or_404(oauth_client_get, actor=self.actor, pk=self.kwargs["pk"])


class OAuthClientListView(OAuthClientPage):
    template_name = "app/integrations/clients.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["clients"] = OAuthClientTable(self.request, oauth_client_list(actor=self.actor))
        grants = selectors.oauth_grant_list(actor=self.actor)
        context["grants"] = OAuthGrantTable(self.request, grants, prefix="grants_")
        context.setdefault("grant_form", IntegrationGrantForm())
        context.update(connection_details(self.request))
        return context


class OAuthGrantCreateView(OAuthClientListView):
    """POST: let another organisation's integration client act here (issue 13 point 12)."""

    http_method_names = ["get", "post"]

    def post(self, request, *args, **kwargs):
        form = IntegrationGrantForm(request.POST)
        if not form.is_valid():
            return self.redisplay(grant_form=form)
        try:
            grant = services.oauth_grant_create(actor=self.actor, client_id=form.cleaned_data["client_id"])
        except SERVICE_ERRORS as error:
            add_service_errors(form, error)
            return self.redisplay(grant_form=form)
        messages.success(
            request,
            _("“%(name)s” of %(organisation)s can now act in this organisation.")
            % {"name": grant.application.name, "organisation": grant.application.organisation.name},
        )
        return HttpResponseRedirect(reverse("app:integrations"))


class OAuthGrantWithdrawView(OAuthClientPage):
    """POST: the client stops acting here at once."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        grant = scoped_or_404(selectors.oauth_grant_get, actor=self.actor, pk=self.kwargs["pk"])
        try:
            services.oauth_grant_withdraw(actor=self.actor, grant=grant)
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("“%(name)s” can no longer act here.") % {"name": grant.application.name})
        return HttpResponseRedirect(reverse("app:integrations"))


class OAuthClientCreateView(OAuthClientPage):
    template_name = "app/integrations/client_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", OAuthClientForm(initial={"once": once_issue(self.request)}))
        return context

    def post(self, request, *args, **kwargs):
        form = OAuthClientForm(request.POST)
        if not form.is_valid():
            return self.redisplay(form=form)
        if not once_valid(request, form.cleaned_data["once"]):
            return already_done(request, reverse("app:integrations"))
        try:
            created = services.api_client_create(
                organisation=self.actor.organisation,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                created_by=self.actor.user,
                actor=self.actor,
            )
            application = created.application
        except SERVICE_ERRORS as error:
            add_service_errors(form, error)
            return self.redisplay(form=form)
        once_consume(request, form.cleaned_data["once"])
        return shown_once(
            self.render_page(
                "app/integrations/client_secret.html",
                client=application,
                client_secret=created.client_secret,
                created=True,
                **connection_details(request, application.scopes),
            )
        )


class OAuthClientRotateView(OAuthClientPage):
    """GET: what rotating means; POST: a new secret, shown once; the old one works for 24 hours."""

    template_name = "app/integrations/client_rotate.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("client", self.get_client())
        context.setdefault("form", OnceForm(initial={"once": once_issue(self.request)}))
        context["grace_hours"] = int(services.SECRET_ROTATION_GRACE.total_seconds() // 3600)
        return context

    def post(self, request, *args, **kwargs):
        application = self.get_client()
        form = OnceForm(request.POST)
        if not form.is_valid() or not once_valid(request, form.cleaned_data["once"]):
            return already_done(request, reverse("app:integrations"))
        rotated = services.oauth_client_secret_rotate(application=application, actor=self.actor)
        once_consume(request, form.cleaned_data["once"])
        return shown_once(
            self.render_page(
                "app/integrations/client_secret.html",
                client=rotated.application,
                client_secret=rotated.client_secret,
                previous_secret_expires_at=rotated.previous_secret_expires_at,
                created=False,
                **connection_details(request, rotated.application.scopes),
            )
        )


class OAuthClientEndGraceView(OAuthClientPage):
    """POST: previous secrets stop working now (a leaked secret need not live out its 24 hours)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        application = self.get_client()
        ended = services.oauth_client_previous_secrets_revoke(application=application, actor=self.actor)
        if ended:
            messages.success(
                request, _("The previous secret of “%(name)s” no longer works.") % {"name": application.name}
            )
        else:
            messages.info(request, _("“%(name)s” has no previous secret in use.") % {"name": application.name})
        return HttpResponseRedirect(reverse("app:integrations"))


class OAuthClientDeleteView(OAuthClientPage):
    """GET: confirm; POST: delete the client, and with it every token it holds."""

    template_name = "app/integrations/client_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["client"] = self.get_client()
        return context

    def post(self, request, *args, **kwargs):
        application = self.get_client()
        name = application.name
        try:
            services.api_client_delete(actor=self.actor, application=application)
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Client “%(name)s” deleted; its tokens no longer work.") % {"name": name})
        return HttpResponseRedirect(reverse("app:integrations"))


# =============================================================================
# Personal API tokens (every member)
# =============================================================================


def end_of_day(day, tz_name: str) -> datetime:
    """A token "expiring on" a date works through that whole day in the organisation's timezone."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(tz_name))


class ApiTokenListView(TablePageMixin, ConsolePage):
    """Create a personal token (shown once); list tokens masked; revoke. Owners and admins also
    see, and may revoke, the other members' tokens."""

    template_name = "app/integrations/api_tokens.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ApiTokenForm(initial={"once": once_issue(self.request)}))
        filter_form = ApiTokenFilterForm(self.request.GET or None)
        filters = filter_form.filters()
        own = selectors.api_token_list(actor=self.actor, filters={**filters, "membership_id": self.actor.membership.pk})
        context.update(filter_form=filter_form, tokens=ApiTokenTable(self.request, own))
        if self.actor.sees_whole_organisation:
            others = (
                selectors.api_token_list(actor=self.actor, filters=filters)
                .exclude(membership=self.actor.membership)
                .select_related("membership__user")
            )
            context["other_tokens"] = OtherApiTokenTable(self.request, others, prefix="others_")
        return context

    def post(self, request, *args, **kwargs):
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return self.redisplay(form=form)
        if not once_valid(request, form.cleaned_data["once"]):
            return already_done(request, reverse("app:api-tokens"))
        expires_on = form.cleaned_data["expires_on"]
        try:
            created = services.api_token_create(
                actor=self.actor,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=end_of_day(expires_on, self.actor.organisation.timezone) if expires_on else None,
                allowed_ips=form.cleaned_data["allowed_ips"],
            )
        except SERVICE_ERRORS as error:
            add_service_errors(form, error, {"expires_at": "expires_on"})
            return self.redisplay(form=form)
        once_consume(request, form.cleaned_data["once"])
        return shown_once(
            self.render_page(
                "app/integrations/api_token_created.html",
                api_token=created.api_token,
                token=created.token,
                **connection_details(request, created.api_token.scopes),
            )
        )


class ApiTokenRevokeView(ConsolePage):
    """POST: revoke a token the actor may see (their own; owners and admins any). Others' are a 404."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        api_token = scoped_or_404(selectors.api_token_get, actor=self.actor, pk=self.kwargs["pk"])
        try:
            services.api_token_revoke(actor=self.actor, api_token=api_token)
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _("Token “%(name)s” (%(prefix)s…) revoked.") % {"name": api_token.name, "prefix": api_token.prefix},
            )
        return HttpResponseRedirect(reverse("app:api-tokens"))


# =============================================================================
# Apps a member authorised (authorization code with PKCE, issue 13 point 7)
# =============================================================================


class AuthorisedAppListView(TablePageMixin, ConsolePage):
    """The third-party apps acting for the signed-in member, with what they may do; revoke one."""

    template_name = "app/integrations/authorised_apps.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["table"] = AuthorisedAppTable(self.request, services.oauth_authorisation_list(user=self.actor.user))
        return context


class AuthorisedAppRevokeView(ConsolePage):
    """POST: the app's tokens for this member stop working at once."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        apps = {app.application.pk: app.application for app in services.oauth_authorisation_list(user=self.actor.user)}
        application = apps.get(self.kwargs["pk"])
        if application is None:
            raise Http404
        services.oauth_authorisation_revoke(actor=self.actor, application=application)
        messages.success(request, _("“%(name)s” can no longer act for you.") % {"name": application.name})
        return HttpResponseRedirect(reverse("app:authorised-apps"))


urlpatterns = [
    path("integrations", OAuthClientListView.as_view(), name="integrations"),
    path("integrations/clients/new", OAuthClientCreateView.as_view(), name="oauth-client-create"),
    path("integrations/clients/<int:pk>/rotate", OAuthClientRotateView.as_view(), name="oauth-client-rotate"),
    path("integrations/clients/<int:pk>/end-grace", OAuthClientEndGraceView.as_view(), name="oauth-client-end-grace"),
    path("integrations/clients/<int:pk>/delete", OAuthClientDeleteView.as_view(), name="oauth-client-delete"),
    path("integrations/grants", OAuthGrantCreateView.as_view(), name="oauth-grant-create"),
    path("integrations/grants/<int:pk>/withdraw", OAuthGrantWithdrawView.as_view(), name="oauth-grant-withdraw"),
    path("settings/api-tokens", ApiTokenListView.as_view(), name="api-tokens"),
    path("settings/api-tokens/<int:pk>/revoke", ApiTokenRevokeView.as_view(), name="api-token-revoke"),
    path("settings/authorised-apps", AuthorisedAppListView.as_view(), name="authorised-apps"),
    path("settings/authorised-apps/<int:pk>/revoke", AuthorisedAppRevokeView.as_view(), name="authorised-app-revoke"),
]
