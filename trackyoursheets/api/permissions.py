"""Scope enforcement: declared on the view, checked once here (STYLE §3.7)."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .errors import MissingScope


def required_scope_for(view, request) -> str | None:
    """The scope a view needs for this request.

    Views declare ``scope_area = "workspaces"`` (read for safe methods, write
    otherwise), and may override single actions with ``action_scopes``.
    """
    action = getattr(view, "action", None)
    action_scopes = getattr(view, "action_scopes", {}) or {}
    if action in action_scopes:
        return action_scopes[action]
    if getattr(view, "required_scope", None):
        return view.required_scope
    area = getattr(view, "scope_area", None)
    if area is None:
        return None
    return f"{area}.read" if request.method in SAFE_METHODS else f"{area}.write"


def viewer_may_use(view, request) -> bool:
    """A project viewer (issue 15 point 4) reads only views that declare ``viewer_access = True``
    (their projects, tasks and reports), and writes nothing: anything else is a 404, as if it did
    not exist. A new view is closed to viewers unless it opts in."""
    return request.method in SAFE_METHODS and getattr(view, "viewer_access", False)


class HasRequiredScope(BasePermission):
    """Authenticated, holding the scope the view declares for this request, and (a project
    viewer) on a view open to viewers."""

    def has_permission(self, request, view) -> bool:
        actor = request.auth
        if actor is None:
            raise exceptions.NotAuthenticated("Authentication credentials were not provided.")
        request._request.actor = actor  # for the logs
        if actor.kind != "session" and not actor.organisation.has_feature("api"):
            raise exceptions.PermissionDenied("Your organisation's plan or settings do not include API access.")
        if actor.is_viewer and not viewer_may_use(view, request):
            raise exceptions.NotFound("Not found.")
        scope = required_scope_for(view, request)
        if scope and not actor.has_scope(scope):
            raise MissingScope(scope)
        return True
