"""Third-party apps a member authorised (OAuth 2.1 authorization code with PKCE, issue 13 point 7).

A member signs in at ``/oauth/authorize``, sees the scopes an app asks for and allows it; the
app then holds an access token (and a refresh token) bound to that member. Such a token acts
as the member: their role limits what it sees, and its scopes are the intersection of what the
member granted, what the app may ask for and what the member's role allows
(:func:`member_allowed_scopes`). The member lists and revokes their apps on the settings page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model

from trackyoursheets.api.scopes import SCOPES

from ..actors import Actor
from ..audit import audit_change
from ..choices import ORGANISATION_WIDE_ROLES, VIEWER_SCOPES, Role
from ..models import OAuthApplication, User

#: what only owners and admins may do (webhooks are managed by them, integrations configured by them);
#: ``impersonation`` is for client credentials only and never acts for a member
OWNER_ADMIN_SCOPES = frozenset({"webhooks.read", "webhooks.write", "webhooks.manage", "integrations.write"})
NEVER_FOR_A_MEMBER = frozenset({"impersonation"})


def member_allowed_scopes(role: str | None) -> frozenset[str]:
    """The scopes a member of ``role`` can use through an app acting for them."""
    allowed = frozenset(SCOPES) - NEVER_FOR_A_MEMBER
    if role in ORGANISATION_WIDE_ROLES:
        return allowed
    if role == Role.VIEWER:
        return allowed & VIEWER_SCOPES
    return allowed - OWNER_ADMIN_SCOPES


@dataclass(frozen=True)
class AuthorisedApp:
    application: OAuthApplication
    scopes: list[str]
    last_authorised_at: datetime


def oauth_authorisation_list(*, user: User) -> list[AuthorisedApp]:
    """The apps ``user`` authorised that still hold a live access or refresh token, newest first."""
    now = timezone.now()
    access = get_access_token_model().objects.filter(user=user, expires__gt=now, application__isnull=False)
    refresh = get_refresh_token_model().objects.filter(user=user, revoked__isnull=True)
    app_ids = set(access.values_list("application_id", flat=True)) | set(
        refresh.values_list("application_id", flat=True)
    )
    found = []
    for application in OAuthApplication.objects.filter(pk__in=app_ids).select_related("organisation"):
        tokens = get_access_token_model().objects.filter(user=user, application=application)
        scopes = sorted({scope for token in tokens.only("scope") for scope in token.scope.split()})
        latest = tokens.aggregate(latest=Max("created"))["latest"] or application.created
        found.append(AuthorisedApp(application=application, scopes=scopes, last_authorised_at=latest))
    return sorted(found, key=lambda app: (app.last_authorised_at, app.application.pk), reverse=True)


@transaction.atomic
def oauth_authorisation_revoke(*, actor: Actor, application: OAuthApplication) -> int:
    """The app loses every token and pending code it holds for ``actor``'s user, at once."""
    user = actor.user
    if user is None or getattr(user, "pk", None) is None:
        return 0
    refresh_tokens = get_refresh_token_model().objects.filter(user=user, application=application)
    access_tokens = get_access_token_model().objects.filter(user=user, application=application)
    ended = access_tokens.count() + refresh_tokens.filter(revoked__isnull=True).count()
    refresh_tokens.delete()
    access_tokens.delete()
    get_grant_model().objects.filter(user=user, application=application).delete()
    if ended:
        audit_change(
            actor=actor,
            action="oauth_authorisation.revoke",
            obj=application,
            changes={"client_id": [application.client_id, None]},
        )
    return ended
