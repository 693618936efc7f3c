"""Who is calling: one mechanism for REST and GraphQL.

``Authorization: Bearer <token>`` -> an OAuth access token (client credentials);
otherwise a logged-in browser session (CSRF enforced). Either way the result is
an :class:`organisations.actors.Actor`, which DRF exposes as ``request.auth``.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import CsrfViewMiddleware
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from organisations.actors import Actor
from organisations.choices import MembershipStatus
from organisations.models import Membership, Organisation

from .errors import OrganisationNotGranted
from .oauth import OAuth2Validator
from .scopes import SCOPES

ORGANISATION_HEADER = "HTTP_X_TRACKYOURSHEETS_ORGANISATION"
SESSION_ORGANISATION_KEY = "organisation_id"


def _organisation_matches(organisation: Organisation, selector: str) -> bool:
    return selector == organisation.slug or selector == str(organisation.pk)


def actor_from_bearer(request, raw_token: str) -> Actor:
    """Resolve an OAuth access token to an actor, or raise ``AuthenticationFailed``."""
    probe = SimpleNamespace(uri=None)
    if not OAuth2Validator().validate_bearer_token(raw_token, [], probe):
        raise exceptions.AuthenticationFailed("The access token is invalid or has expired.")
    access_token = probe.access_token
    application = access_token.application
    if application is None:
        raise exceptions.AuthenticationFailed("The access token is invalid or has expired.")
    organisation = application.organisation
    selector = request.META.get(ORGANISATION_HEADER)
    if selector and not _organisation_matches(organisation, selector):
        raise OrganisationNotGranted(f"This client has not been granted the organisation {selector!r}.")
    # a token never carries more than its client is granted now
    scopes = frozenset(access_token.scope.split()) & application.scope_set & frozenset(SCOPES)
    membership = None
    if access_token.user_id is not None:
        membership = _active_membership(access_token.user, organisation)
        if membership is None:
            raise exceptions.AuthenticationFailed("The token's user is not an active member of this organisation.")
    return Actor(
        organisation=organisation,
        user=access_token.user,
        membership=membership,
        scopes=scopes,
        kind="oauth",
        application=application,
    )


def _active_membership(user, organisation) -> Membership | None:
    return (
        Membership.objects.for_organisation(organisation)
        .select_related("organisation", "office")
        .filter(user=user, status=MembershipStatus.ACTIVE)
        .first()
    )


def actor_from_session(request, user) -> Actor:
    """A browser user acts in the organisation they picked (header, session, or their first)."""
    memberships = (
        Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE, organisation__is_active=True)
        .select_related("organisation", "office")
        .order_by("organisation__name", "id")
    )
    selector = request.META.get(ORGANISATION_HEADER)
    chosen = None
    if selector:
        chosen = next((m for m in memberships if _organisation_matches(m.organisation, selector)), None)
        if chosen is None:
            raise OrganisationNotGranted(f"You are not a member of the organisation {selector!r}.")
    else:
        wanted = request.session.get(SESSION_ORGANISATION_KEY)
        chosen = next((m for m in memberships if m.organisation_id == wanted), None) or next(iter(memberships), None)
    if chosen is None:
        raise exceptions.PermissionDenied("You are not an active member of any organisation.")
    return Actor(
        organisation=chosen.organisation,
        user=user,
        membership=chosen,
        scopes=frozenset(SCOPES),  # people are limited by role, not scope
        kind="session",
    )


class _CSRFCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


class ApiAuthentication(BaseAuthentication):
    """DRF authentication: bearer token first, then the session."""

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if auth and auth[0].lower() == b"bearer":
            if len(auth) != 2:
                raise exceptions.AuthenticationFailed("Send the header as 'Authorization: Bearer <token>'.")
            actor = actor_from_bearer(request, auth[1].decode("latin-1"))
            return (actor.user or AnonymousUser(), actor)
        user = getattr(request._request, "user", None)
        if user is not None and user.is_authenticated:
            self._enforce_csrf(request)
            actor = actor_from_session(request._request, user)
            return (user, actor)
        return None

    def _enforce_csrf(self, request) -> None:
        check = _CSRFCheck(lambda req: None)
        check.process_request(request)
        reason = check.process_view(request, None, (), {})
        if reason:
            raise exceptions.PermissionDenied(f"CSRF failed: {reason}")

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="trackyoursheets"'


def actor_from_django_request(request) -> Actor | None:
    """The same resolution for non-DRF views (GraphQL). Raises DRF exceptions on failure."""
    from rest_framework.request import Request

    drf_request = Request(request)
    result = ApiAuthentication().authenticate(drf_request)
    return result[1] if result else None
