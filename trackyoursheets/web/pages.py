"""Page base classes (issue 12 point 3): every ``/app/`` page finds its actor, checks its role
and runs and renders in the reader's timezone here, once (issue 14 point 3: the member's own
zone, by default their office's, else the organisation's).

``allowed_roles`` is declared once per page class; the navigation reads the same attribute
(:mod:`trackyoursheets.web.navigation`), so a link shows exactly to the roles that may open it.
"""

from __future__ import annotations

import zoneinfo

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

__all__ = ["ConsolePage", "MemberPageMixin", "forbidden", "reader_zone", "shows_developer_links"]

#: roles that always see the developer links (API reference, health, status feed): issue 14 point 6
DEVELOPER_ROLES = (Role.OWNER, Role.ADMIN)


def shows_developer_links(actor) -> bool:
    """Owners, admins and API users (a member holding an unrevoked personal API token)."""
    if actor.role in DEVELOPER_ROLES:
        return True
    membership = getattr(actor, "membership", None)
    return membership is not None and membership.api_tokens.filter(revoked_at__isnull=True).exists()


def reader_zone(actor) -> zoneinfo.ZoneInfo:
    """The timezone a member reads and types times in (issue 14 point 3)."""
    membership = getattr(actor, "membership", None)
    name = membership.zone_name if membership is not None else actor.organisation.timezone
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def forbidden(request, message: str, *, no_membership: bool = False) -> TemplateResponse:
    """The 403 page; without a membership (e.g. a platform superuser) it offers the admin and log out."""
    return TemplateResponse(
        request, "app/forbidden.html", {"message": message, "no_membership": no_membership}, status=403
    )


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
            return forbidden(request, "You are not an active member of any organisation.", no_membership=True)
        if self.actor.is_viewer and Role.VIEWER not in (self.allowed_roles or ()):
            if self.viewer_redirect:
                return redirect(self.viewer_redirect)
            raise Http404
        if self.allowed_roles is not None and self.actor.role not in self.allowed_roles:
            return forbidden(request, "Your role does not give you access to this page.")
        # services audit this page's changes as source "page" (issue 12)
        self.actor = self.actor.with_audit(AuditContext.from_request(request, source=AuditEvent.Source.PAGE))
        request.actor = self.actor
        # the page reads and parses times in the reader's zone: forms, views and the template
        self.zone = reader_zone(self.actor)
        with timezone.override(self.zone):
            return super().dispatch(request, *args, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        """Pages show times in the reader's timezone (rendered now, inside the zone)."""
        response = super().render_to_response(context, **response_kwargs)
        with timezone.override(self.zone):
            response.render()
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actor"] = self.actor
        context["reader_zone"] = str(self.zone)
        context["nav_items"] = nav_items(self.actor, self.request.path)
        context["developer_links"] = shows_developer_links(self.actor)
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
