"""Page base classes (issue 12 point 3): every ``/app/`` page finds its actor, checks its role
and renders in the organisation's timezone here, once.

``allowed_roles`` is declared once per page class; the navigation reads the same attribute
(:mod:`trackyoursheets.web.navigation`), so a link shows exactly to the roles that may open it.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.generic import TemplateView
from rest_framework import exceptions as drf_exceptions

# The page shell needs the organisations app's audit trail and memberships (the layer right
# above this package; DESIGN §2 lets every app use it). Nothing here imports a domain app.
from organisations.actors import AuditContext
from organisations.choices import MembershipStatus, Role
from organisations.models import AuditEvent
from trackyoursheets.api.authentication import actor_from_session

from .forms import SERVICE_ERRORS, add_service_errors
from .navigation import nav_items

__all__ = ["ConsolePage", "MemberPageMixin", "forbidden"]


def forbidden(request, message: str) -> TemplateResponse:
    return TemplateResponse(request, "app/forbidden.html", {"message": message}, status=403)


class MemberPageMixin(LoginRequiredMixin):
    """A page for signed-in members. ``allowed_roles = None`` lets every member in, except
    project viewers (issue 15 point 4): they open only pages that name ``Role.VIEWER`` in
    ``allowed_roles`` (their portal); any other page is a 404 for them, or a redirect to
    ``viewer_redirect`` (a URL name) where the page declares one (the dashboard)."""

    allowed_roles: tuple[str, ...] | None = None
    viewer_redirect: str | None = None
    login_url = "/app/login"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.actor = actor_from_session(request, request.user)
        except (drf_exceptions.PermissionDenied, PermissionDenied):
            return forbidden(request, "You are not an active member of any organisation.")
        if self.actor.is_viewer and Role.VIEWER not in (self.allowed_roles or ()):
            if self.viewer_redirect:
                return redirect(self.viewer_redirect)
            raise Http404
        if self.allowed_roles is not None and self.actor.role not in self.allowed_roles:
            return forbidden(request, "Your role does not give you access to this page.")
        # services audit this page's changes as source "page" (issue 12)
        self.actor = self.actor.with_audit(AuditContext.from_request(request, source=AuditEvent.Source.PAGE))
        request.actor = self.actor
        return super().dispatch(request, *args, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        """Pages show times in the organisation's timezone."""
        response = super().render_to_response(context, **response_kwargs)
        with timezone.override(self.actor.organisation.timezone):
            response.render()
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actor"] = self.actor
        context["nav_items"] = nav_items(self.actor, self.request.path)
        context["switchable_organisations"] = [
            m.organisation
            for m in self.request.user.memberships.filter(status=MembershipStatus.ACTIVE, organisation__is_active=True)
            .select_related("organisation")
            .order_by("organisation__name")
        ]
        return context


class ConsolePage(MemberPageMixin, TemplateView):
    """A console page (rendered in the organisation's timezone; its services audit as source "page")."""

    def apply(self, form, call):
        """Run a service (which audits its change in its own transaction, issue 12): ``call()``
        does the change and returns the object. A service refusal goes onto ``form`` and the
        result is ``None``."""
        try:
            with transaction.atomic():
                return call()
        except SERVICE_ERRORS as error:
            add_service_errors(form, error)
            return None

    def redisplay(self, **context):
        return self.render_to_response(self.get_context_data(**context))

    def render_page(self, template_name: str, **context):
        """Another template of this area with only the shell's context (e.g. a secret shown once)."""
        self.template_name = template_name
        return self.render_to_response(MemberPageMixin.get_context_data(self, **context))
