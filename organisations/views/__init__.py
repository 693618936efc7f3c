"""Pages of the app shell (``/app/``), one module per area:

- :mod:`.shell`        login/logout, password reset, dashboard, organisation switcher;
- :mod:`.team`         members and invitations;
- :mod:`.console`      organisation settings, offices and workspaces, producers;
- :mod:`.integrations` OAuth clients and personal API tokens.

Every page view uses :class:`MemberPageMixin`: the one place where a page finds
its actor (the session user in their chosen organisation) and checks the role.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from rest_framework import exceptions as drf_exceptions

from trackyoursheets.api.authentication import actor_from_session

from ..actors import AuditContext
from ..audit import audit_change
from ..choices import MembershipStatus, Role
from ..models import AuditEvent

OWNER_ADMIN = (Role.OWNER, Role.ADMIN)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...] | None  # None: every member

    def visible_to(self, role: str | None) -> bool:
        return self.roles is None or role in self.roles


#: The app navigation; a link shows only to roles that may open the page behind it.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Dashboard", "app:dashboard", None),
    # issue 6: commissions (analytics, ledger, imports) and the producer portal
    NavItem("Commissions", "commissions:dashboard", (*OWNER_ADMIN, Role.MANAGER)),
    NavItem("Imports", "imports:list", (*OWNER_ADMIN, Role.MANAGER)),
    NavItem("My commissions", "commissions:portal", (Role.PRODUCER,)),
    # issue 7: time tracking, for everyone
    NavItem("Time", "time:timer", None),
    # issue 8: the HR portal for HR roles, documents and concerns for everyone
    NavItem("HR", "hr:dashboard", (*OWNER_ADMIN, Role.HR)),
    NavItem("Documents", "hr:my-documents", None),
    NavItem("Concerns", "hr:my-tickets", None),
    NavItem("Team", "app:team", OWNER_ADMIN),
    NavItem("Organisation", "app:organisation-settings", OWNER_ADMIN),
    NavItem("Offices & workspaces", "app:structure", (*OWNER_ADMIN, Role.MANAGER)),
    NavItem("Producers", "app:producers", (*OWNER_ADMIN, Role.MANAGER, Role.HR)),
    NavItem("Integrations", "app:integrations", OWNER_ADMIN),
    NavItem("Webhooks", "webhooks:list", OWNER_ADMIN),
    NavItem("API tokens", "app:api-tokens", None),
)


def nav_items(actor, current_path: str) -> list[dict]:
    items = []
    for item in NAVIGATION:
        if not item.visible_to(actor.role):
            continue
        try:
            url = reverse(item.url_name)
        except Exception:  # a page not built yet is simply not linked
            continue
        items.append({"label": item.label, "url": url, "active": current_path == url})
    return items


def forbidden(request, message: str) -> TemplateResponse:
    response = TemplateResponse(request, "app/forbidden.html", {"message": message}, status=403)
    return response


class MemberPageMixin(LoginRequiredMixin):
    """A page for signed-in members. ``allowed_roles = None`` lets every member in."""

    allowed_roles: tuple[str, ...] | None = None
    login_url = "/app/login"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.actor = actor_from_session(request, request.user)
        except (drf_exceptions.PermissionDenied, PermissionDenied):
            return forbidden(request, "You are not an active member of any organisation.")
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

    def audit(self, action: str, obj, changes: dict | None = None, *, object_id=None) -> None:
        """Record a change made by this page in the audit trail (source "page").

        TEMP issue-12 merge: payroll — only payroll's and the statement imports' pages still call
        this (their services do not audit yet); every other page's services write the row.
        """
        audit_change(actor=self.actor, action=action, obj=obj, changes=changes, object_id=object_id)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actor"] = self.actor
        context["nav_items"] = nav_items(self.actor, self.request.path)
        context["switchable_organisations"] = [
            m.organisation
            for m in self.request.user.memberships.filter(
                status=MembershipStatus.ACTIVE, organisation__is_active=True
            ).select_related("organisation").order_by("organisation__name")
        ]
        return context
