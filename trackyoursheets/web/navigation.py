"""The app navigation (issue 12 point 5): a link shows only to the roles that may open its page.

Pages declare ``allowed_roles`` once, on the page class (``None``: every member); the menus
here resolve each link to its view class and read that attribute, so there is no second role
list to keep in step. A view that declares nothing (not a member page yet) falls back to the
item's own ``roles`` (``None``: every member), i.e. to the behaviour before issue 12.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import gettext_lazy as _

__all__ = ["NAVIGATION", "NavItem", "nav_items", "page_allowed_roles", "visible_links"]

_UNDECLARED = object()


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    #: only for a page that does not declare ``allowed_roles`` (None: every member)
    roles: tuple[str, ...] | None = None


#: The app navigation, in menu order; who sees each link comes from its page's ``allowed_roles``.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem(_("Dashboard"), "app:dashboard"),
    # issue 6: commissions (analytics, ledger, imports) and the producer portal
    NavItem(_("Commissions"), "commissions:dashboard"),
    NavItem(_("Imports"), "imports:list"),
    NavItem(_("My commissions"), "commissions:portal"),
    # issue 18: payroll runs (owners, admins, HR) and every member's pay
    NavItem(_("Payroll"), "payroll:console"),
    NavItem(_("My pay"), "payroll:my-pay"),
    # issue 7: time tracking
    NavItem(_("Time"), "time:timer"),
    NavItem(_("My projects"), "time:viewer-portal"),
    # issue 8: the HR portal, documents and concerns
    NavItem(_("HR"), "hr:dashboard"),
    NavItem(_("Documents"), "hr:my-documents"),
    NavItem(_("Leave"), "hr:my-leave"),  # issue 16
    NavItem(_("Concerns"), "hr:my-tickets"),
    # issue 17: report exports, for every member
    NavItem(_("Exports"), "exports:list"),
    NavItem(_("Team"), "app:team"),
    NavItem(_("Organisation"), "app:organisation-settings"),
    NavItem(_("Offices & workspaces"), "app:structure"),
    NavItem(_("Producers"), "app:producers"),
    NavItem(_("Integrations"), "app:integrations"),
    NavItem(_("Audit trail"), "app:audit"),  # issue 17: with its Export button
    NavItem(_("Webhooks"), "webhooks:list"),
    # issue 19: the TrackTik connector
    NavItem(_("TrackTik"), "tracktik:settings"),
    NavItem(_("API tokens"), "app:api-tokens"),
    NavItem(_("Authorised apps"), "app:authorised-apps"),
)


def page_allowed_roles(url: str, default: tuple[str, ...] | None = None) -> tuple[str, ...] | None:
    """The ``allowed_roles`` of the page class behind ``url`` (``default`` when it declares none)."""
    try:
        match = resolve(url)
    except Resolver404:
        return default
    view_class = getattr(match.func, "view_class", None)
    roles = getattr(view_class, "allowed_roles", _UNDECLARED)
    return default if roles is _UNDECLARED else roles


def visible_links(actor, items: Iterable[NavItem], current_path: str = "") -> list[dict]:
    """``[{"label", "url", "active"}]`` for the items whose page lets ``actor``'s role in."""
    links = []
    for item in items:
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # a page not built (or not installed) is simply not linked
            continue
        roles = page_allowed_roles(url, item.roles)
        if getattr(actor, "is_viewer", False) and actor.role not in (roles or ()):
            continue  # a project viewer sees only the pages that name them
        if roles is not None and actor.role not in roles:
            continue
        links.append({"label": item.label, "url": url, "active": current_path == url})
    return links


def nav_items(actor, current_path: str) -> list[dict]:
    return visible_links(actor, NAVIGATION, current_path)
