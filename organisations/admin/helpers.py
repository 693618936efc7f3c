"""Small helpers of the organisations admin shared with other apps' admins."""

from __future__ import annotations

import json

from django.contrib import messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..actors import Actor
from ..audit import admin_audit_context
from ..models import Organisation
from ..selectors import organisation_usage

__all__ = ["pretty_json", "staff_actor", "warn_if_over_plan"]


def staff_actor(request, organisation: Organisation) -> Actor:
    """Platform staff acting in the admin: the system, on behalf of a named user (audited as "admin")."""
    return Actor(organisation=organisation, user=request.user, kind="system").with_audit(admin_audit_context(request))


def pretty_json(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True, default=str))


def warn_if_over_plan(request, organisation: Organisation) -> None:
    """Staff may go past a plan's limits here (services refuse it); say so when they do."""
    usage = organisation_usage(organisation=organisation)
    for key, label in (("seats", _("active seats")), ("workspaces", _("active workspaces"))):
        if usage[key]["used"] > usage[key]["limit"]:
            messages.warning(
                request,
                _("%(organisation)s now has %(used)s %(what)s; the %(plan)s plan allows %(limit)s.")
                % {
                    "organisation": organisation,
                    "used": usage[key]["used"],
                    "what": label,
                    "plan": organisation.plan_details.name,
                    "limit": usage[key]["limit"],
                },
            )
