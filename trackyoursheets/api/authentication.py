"""Who is calling: one mechanism for REST and GraphQL.

``Authorization: Bearer <token>`` is, by its prefix,

- ``tys_imp_...`` an impersonation token (acts as one producer, issue 3 point 3);
- ``tys_...``     a personal API token (acts as its member, issue 3 point 4), also
  accepted as ``X-API-Key: tys_...``;
- anything else   an OAuth access token: client credentials, or (issue 13 point 7) an
  authorization-code token acting for the member who authorised the app.

Otherwise a logged-in browser session (CSRF enforced). Either way the result is an
:class:`organisations.actors.Actor`, which DRF exposes as ``request.auth``.

An OAuth client acts in its own organisation plus any it was granted; with more than
one it must pick with ``x-trackyoursheets-organisation`` (slug or id): none is a 422
problem, one it was not granted a 403 problem (issue 3 point 2).
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from oauth2_provider.models import get_access_token_model
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from organisations import selectors, services
from organisations.actors import Actor, AuditContext
from organisations.audit import audit_record
from organisations.choices import MembershipStatus, ProducerStatus
from organisations.models import AuditEvent, Membership, Organisation

from . import bearer_tokens
from .client_address import client_address
from .errors import OrganisationNotGranted, ValidationFailed
from .impersonation import ACTOR_ATTRIBUTE
from .oauth import OAuth2Validator
from .scopes import SCOPES

ORGANISATION_HEADER = "HTTP_X_TRACKYOURSHEETS_ORGANISATION"
ORGANISATION_HEADER_NAME = "x-trackyoursheets-organisation"
API_KEY_HEADER = "HTTP_X_API_KEY"
SESSION_ORGANISATION_KEY = "organisation_id"
PERSONAL_TOKEN_PREFIX = services.API_TOKEN_PREFIX
IMPERSONATION_TOKEN_PREFIX = services.IMPERSONATION_TOKEN_PREFIX
logger = logging.getLogger("trackyoursheets.api")
#: where the OAuth access token behind a request is kept (POST /v1/impersonations needs its parent)
ACCESS_TOKEN_ATTRIBUTE = "tys_oauth_access_token"


def _organisation_matches(organisation: Organisation, selector: str) -> bool:
    return selector == organisation.slug or selector == str(organisation.pk)


def _django_request(request):
    return getattr(request, "_request", request)


def _require_header_matches(request, organisation: Organisation, who: str) -> None:
    """A credential bound to one organisation may name it in the header, but no other."""
    selector = request.META.get(ORGANISATION_HEADER)
    if selector and not _organisation_matches(organisation, selector):
        raise OrganisationNotGranted(f"{who} has not been granted the organisation {selector!r}.")


def access_token_of(request):
    """The OAuth ``AccessToken`` that authenticated ``request`` (None for other credentials)."""
    return getattr(_django_request(request), ACCESS_TOKEN_ATTRIBUTE, None)


# =============================================================================
# OAuth access tokens (client credentials)
# =============================================================================


class _BearerValidator(OAuth2Validator):
    """DOT's bearer check with the token read in one prepared query (``bearer_tokens``): its
    client, the client's organisation, its user, and whether the client was granted another
    active organisation, so a client of one organisation needs no second query (issue 13 point
    14). Nothing is cached between requests: a revoked or expired token is refused at once."""

    def _load_access_token(self, token):
        return bearer_tokens.load_access_token(selectors.token_hash(token))


def _client_organisation(request, application, *, other_grants: bool = True) -> Organisation:
    """The organisation this request acts in: the header's choice among the client's organisations."""
    if other_grants:
        organisations = selectors.oauth_client_organisations(application=application)
    else:  # the token's query found no grant: only the client's own organisation
        organisations = [application.organisation]
    selector = request.META.get(ORGANISATION_HEADER)
    if selector:
        chosen = next((o for o in organisations if _organisation_matches(o, selector)), None)
        if chosen is None:
            raise OrganisationNotGranted(f"This client has not been granted the organisation {selector!r}.")
        return chosen
    if len(organisations) > 1:
        message = f"{ORGANISATION_HEADER_NAME} is required: this client can act in several organisations"
        raise ValidationFailed(
            {ORGANISATION_HEADER_NAME: [f"One of: {', '.join(o.slug for o in organisations)}."]}, message
        )
    return application.organisation


def actor_from_bearer(request, raw_token: str) -> Actor:
    """Resolve an OAuth access token to an actor, or raise ``AuthenticationFailed``."""
    probe = SimpleNamespace(uri=None)
    if not _BearerValidator().validate_bearer_token(raw_token, [], probe):
        raise exceptions.AuthenticationFailed("The access token is invalid or has expired.")
    access_token = probe.access_token
    application = access_token.application
    if application is None:
        raise exceptions.AuthenticationFailed("The access token is invalid or has expired.")
    # a token never carries more than its client is granted now
    scopes = frozenset(access_token.scope.split()) & application.scope_set & frozenset(SCOPES)
    membership = None
    if access_token.user_id is not None:
        # authorization code (issue 13 point 7): the app acts for a member, in the member's
        # organisation, with the member's role and never a scope that role could not use
        membership = _member_organisation(request, access_token.user)
        organisation = membership.organisation
        scopes &= services.member_allowed_scopes(membership.role)
    else:
        organisation = _client_organisation(
            request, application, other_grants=getattr(access_token, bearer_tokens.OTHER_GRANTS, True)
        )
    setattr(_django_request(request), ACCESS_TOKEN_ATTRIBUTE, access_token)
    return Actor(
        organisation=organisation,
        user=access_token.user,
        membership=membership,
        scopes=scopes,
        kind="oauth",
        application=application,
    )


def _member_organisation(request, user) -> Membership:
    """The membership a member-bound token acts through: the user's only active organisation,
    or the one ``x-trackyoursheets-organisation`` names (required when they have several)."""
    if not user.is_active:
        raise exceptions.AuthenticationFailed("The token's user is no longer active.")
    memberships = list(
        Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE, organisation__is_active=True)
        .select_related("organisation", "office")
        .order_by("organisation__name", "id")
    )
    if not memberships:
        raise exceptions.AuthenticationFailed("The token's user is not an active member of any organisation.")
    selector = request.META.get(ORGANISATION_HEADER)
    if selector:
        chosen = next((m for m in memberships if _organisation_matches(m.organisation, selector)), None)
        if chosen is None:
            raise OrganisationNotGranted(f"The token's user is not a member of the organisation {selector!r}.")
        return chosen
    if len(memberships) > 1:
        message = f"{ORGANISATION_HEADER_NAME} is required: the token's user is a member of several organisations"
        raise ValidationFailed(
            {ORGANISATION_HEADER_NAME: [f"One of: {', '.join(m.organisation.slug for m in memberships)}."]}, message
        )
    return memberships[0]


# =============================================================================
# Personal API tokens and impersonation tokens
# =============================================================================


def actor_from_api_token(request, raw_token: str) -> Actor:
    """A personal token acts as its member, limited by its scopes; expired, revoked or a
    deactivated member is a 401."""
    api_token = selectors.api_token_for_secret(raw_token=raw_token)
    if api_token is None:
        raise exceptions.AuthenticationFailed("The API token is invalid.")
    if api_token.revoked_at is not None:
        raise exceptions.AuthenticationFailed("The API token has been revoked.")
    if api_token.expires_at is not None and api_token.expires_at <= timezone.now():
        raise exceptions.AuthenticationFailed("The API token has expired.")
    membership = api_token.membership
    organisation = api_token.organisation
    if membership.status != MembershipStatus.ACTIVE or not membership.user.is_active or not organisation.is_active:
        raise exceptions.AuthenticationFailed("The API token's member is no longer active in this organisation.")
    _require_header_matches(request, organisation, "This API token")
    address = client_address(_django_request(request))
    if not api_token.allows_address(address):
        _refuse_address(request, api_token, address)
    services.api_token_mark_used(api_token=api_token)
    return Actor(
        organisation=organisation,
        user=membership.user,
        membership=membership,
        scopes=api_token.scope_set & frozenset(SCOPES),
        kind="token",
        api_token=api_token,
    )


def _refuse_address(request, api_token, address: str):
    """A token used from outside its IP allowlist: a 401, a warning in the log and a row on
    the organisation's audit trail (issue 13 point 7). Raises ``AuthenticationFailed``."""
    django_request = _django_request(request)
    refused = exceptions.AuthenticationFailed("The API token may not be used from this address.")
    if getattr(django_request, "tys_address_refused", False):
        raise refused  # authenticated twice in one request (the idempotency middleware first): one row
    django_request.tys_address_refused = True
    logger.warning(
        "API token %s (id %s) refused: %s is not in its IP allowlist", api_token.prefix, api_token.pk, address
    )
    membership = api_token.membership
    actor = Actor(
        organisation=api_token.organisation,
        user=membership.user,
        membership=membership,
        kind="token",
        api_token=api_token,
    )
    audit_record(
        actor=actor,
        source=AuditEvent.Source.API,
        method=django_request.method or "",
        path=django_request.path,
        action="api_token.address_refused",
        object_type=api_token._meta.label,
        object_id=api_token.pk,
        changes={"address": [None, address[:64]]},
        status_code=401,
        request_id=getattr(django_request, "request_id", None),
    )
    raise refused


def actor_from_impersonation(request, raw_token: str) -> Actor:
    """An impersonation acts as its producer while it, its parent access token and its
    client are all alive; it sees what the producer sees (``Actor.impersonated_producer_id``)."""
    impersonation = selectors.impersonation_for_secret(raw_token=raw_token)
    invalid = exceptions.AuthenticationFailed("The impersonation token is invalid or has expired.")
    if impersonation is None or impersonation.revoked_at is not None or impersonation.expires_at <= timezone.now():
        raise invalid
    application = impersonation.application
    parent = (
        get_access_token_model()
        .objects.filter(token_checksum=impersonation.parent_token_checksum, application_id=application.pk)
        .only("id", "expires", "scope")
        .first()
    )
    if parent is None or parent.is_expired() or not application.is_usable(request):
        raise invalid  # revoking (or outliving) the parent ends the impersonation
    organisation = impersonation.organisation
    if not organisation.is_active:
        raise invalid
    if organisation.pk != application.organisation_id and organisation.pk not in {
        o.pk for o in selectors.oauth_client_organisations(application=application)
    }:
        raise invalid  # the grant that allowed it was withdrawn
    producer = impersonation.producer
    if producer.status != ProducerStatus.ACTIVE:
        raise invalid
    _require_header_matches(request, organisation, "This impersonation token")
    membership = producer.membership
    if membership is not None and membership.status != MembershipStatus.ACTIVE:
        membership = None
    scopes = (
        impersonation.scope_set
        & services.impersonation_scopes(parent.scope.split())
        & application.scope_set
        & frozenset(SCOPES)
    )
    return Actor(
        organisation=organisation,
        user=membership.user if membership is not None else None,
        membership=membership,
        scopes=scopes,
        kind="impersonation",
        application=application,
        impersonation=impersonation,
        impersonated_producer_id=producer.pk,
    )


def actor_from_secret(request, raw_token: str) -> Actor:
    """Dispatch a bearer secret by its prefix."""
    if raw_token.startswith(IMPERSONATION_TOKEN_PREFIX):
        return actor_from_impersonation(request, raw_token)
    if raw_token.startswith(PERSONAL_TOKEN_PREFIX):
        return actor_from_api_token(request, raw_token)
    return actor_from_bearer(request, raw_token)


# =============================================================================
# Browser sessions
# =============================================================================


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


def _no_response(request: HttpRequest) -> HttpResponse:
    """The middleware's next step and the checked view: never called, only the check runs."""
    return HttpResponse(status=204)


class ApiAuthentication(BaseAuthentication):
    """DRF authentication: ``Authorization: Bearer``, then ``X-API-Key``, then the session."""

    def authenticate(self, request):
        result = self._authenticate(request)
        if result is None:
            return None
        user, actor = result
        # where this actor's changes come from, for the audit rows services write (issue 12)
        actor = actor.with_audit(AuditContext.from_request(request._request, source=AuditEvent.Source.API))
        # for the middleware that audits every impersonation request (issue 13 point 12)
        setattr(request._request, ACTOR_ATTRIBUTE, actor)
        return user, actor

    def _authenticate(self, request):
        auth = get_authorization_header(request).split()
        if auth and auth[0].lower() == b"bearer":
            if len(auth) != 2:
                raise exceptions.AuthenticationFailed("Send the header as 'Authorization: Bearer <token>'.")
            actor = actor_from_secret(request, auth[1].decode("latin-1"))
            return (actor.user or AnonymousUser(), actor)
        api_key = request.META.get(API_KEY_HEADER)
        if api_key is not None:
            api_key = api_key.strip()
            if not api_key.startswith(PERSONAL_TOKEN_PREFIX) or api_key.startswith(IMPERSONATION_TOKEN_PREFIX):
                raise exceptions.AuthenticationFailed("X-API-Key takes a personal API token (tys_...).")
            actor = actor_from_api_token(request, api_key)
            return (actor.user, actor)
        user = getattr(request._request, "user", None)
        if user is not None and user.is_authenticated:
            self._enforce_csrf(request)
            actor = actor_from_session(request._request, user)
            return (user, actor)
        return None

    def _enforce_csrf(self, request) -> None:
        check = _CSRFCheck(_no_response)
        check.process_request(request)
        reason = check.process_view(request, _no_response, (), {})
        if reason:
            raise exceptions.PermissionDenied(f"CSRF failed: {reason}")

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="trackyoursheets"'


def actor_from_django_request(request) -> Actor | None:
    """The same resolution for non-DRF views (GraphQL). Raises DRF exceptions on failure."""
    drf_request = Request(request)
    result = ApiAuthentication().authenticate(drf_request)
    return result[1] if result else None
