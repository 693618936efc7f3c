"""Services: OAuth clients, secret rotation, organisation grants, impersonation and personal API tokens."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from oauth2_provider.models import get_access_token_model

from trackyoursheets.api.scopes import SCOPES
from trackyoursheets.exceptions import NotPermitted

from .. import selectors
from ..actors import Actor
from ..audit import audit_change
from ..choices import MembershipStatus, ProducerStatus
from ..models import (
    ApiToken,
    ImpersonationToken,
    Membership,
    OAuthApplication,
    OAuthApplicationGrant,
    OAuthClientSecret,
    Organisation,
    Producer,
    User,
)
from .structure import require_role

# =============================================================================
# OAuth clients
# =============================================================================


@dataclass(frozen=True)
class ApiClientCreated:
    application: OAuthApplication
    client_secret: str  # shown once; only its hash is stored


@transaction.atomic
def api_client_create(
    *,
    organisation: Organisation,
    name: str,
    scopes: list[str],
    created_by: User | None = None,
    actor: Actor | None = None,
) -> ApiClientCreated:
    """A confidential client-credentials client with the given scopes (audited when an ``actor`` makes it)."""
    secret = get_random_string(48)
    application = OAuthApplication(
        organisation=organisation,
        name=name,
        scopes=" ".join(sorted(set(scopes))),
        client_type=OAuthApplication.CLIENT_CONFIDENTIAL,
        authorization_grant_type=OAuthApplication.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        created_by=created_by,
    )
    application.full_clean(exclude=["client_secret"])
    application.save()
    if actor is not None:
        audit_change(
            actor=actor,
            action="oauth_client.create",
            obj=application,
            changes={
                "name": [None, application.name],
                "client_id": [None, application.client_id],
                "scopes": [None, application.scopes],
            },
        )
    return ApiClientCreated(application=application, client_secret=secret)


def access_token_issue(*, application: OAuthApplication, scopes: list[str] | None = None, ttl_seconds: int = 3600):
    """An access token for ``application`` without a client-credentials round trip.

    Used by ``seed_demo`` to print a ready bearer token. Scopes never exceed the
    client's grant. Returns ``(raw_token, AccessToken)``; only a checksum is stored.
    """
    granted = application.scope_set
    wanted = set(scopes) if scopes is not None else set(granted)
    if not wanted <= granted:
        raise NotPermitted(_("The client was not granted: %(s)s.") % {"s": " ".join(sorted(wanted - granted))})
    raw = secrets.token_urlsafe(30)
    token = get_access_token_model().objects.create(
        token=raw,
        application=application,
        expires=timezone.now() + timedelta(seconds=ttl_seconds),
        scope=" ".join(sorted(wanted)),
    )
    return raw, token


# =============================================================================
# Credentials (issue 3): secret rotation, multi-organisation clients,
# impersonation tokens, personal API tokens
# =============================================================================

#: how long a replaced client secret keeps working
SECRET_ROTATION_GRACE = timedelta(hours=24)
#: personal tokens: ``tys_`` + 32 letters and digits; the first 8 characters are kept for display
API_TOKEN_PREFIX = "tys_"
API_TOKEN_RANDOM_LENGTH = 32
API_TOKEN_DISPLAY_LENGTH = 8
#: impersonation tokens: ``tys_imp_`` + 32 letters and digits; at most 15 minutes
IMPERSONATION_TOKEN_PREFIX = "tys_imp_"
IMPERSONATION_TTL_MIN = 60
IMPERSONATION_TTL_MAX = 900
#: last_used_at is written at most this often (no write per request)
API_TOKEN_USE_RESOLUTION = timedelta(seconds=60)
#: actor kinds that are a person acting (people manage their own personal tokens)
PERSON_KINDS = frozenset({"session", "token"})

_TOKEN_ALPHABET = string.ascii_letters + string.digits


def _random_token(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(API_TOKEN_RANDOM_LENGTH))


def _require_person_or_system(actor: Actor, message: str) -> None:
    if actor.kind not in PERSON_KINDS | {"system"}:
        raise NotPermitted(message)


@dataclass(frozen=True)
class ClientSecretRotated:
    application: OAuthApplication
    client_secret: str  # shown once; only its hash is stored
    previous_secret_expires_at: datetime


@transaction.atomic
def oauth_client_secret_rotate(*, application: OAuthApplication, actor: Actor | None = None) -> ClientSecretRotated:
    """Give a client a new secret; the one it replaces keeps working for 24 hours.

    django-oauth-toolkit hashes the new secret on save; the replaced hash moves to
    ``OAuthClientSecret``. Every secret already in its grace is revoked now (issue 13: a
    second rotation ends the grace of all but the secret it replaces), so at most one
    previous secret is ever valid, for 24 hours after it was replaced.
    Callers authenticate the rotation (the current secret, or an owner/admin page).
    """
    application = OAuthApplication.objects.select_for_update().get(pk=application.pk)
    now = timezone.now()
    in_grace = list(
        OAuthClientSecret.objects.select_for_update()
        .filter(application=application, revoked_at__isnull=True, expires_at__gt=now)
        .order_by("-expires_at", "-id")
    )
    for older in in_grace:
        older.revoked_at = now
        older.save(update_fields=["revoked_at"])
    previous = OAuthClientSecret.objects.create(
        application=application, secret_hash=application.client_secret, expires_at=now + SECRET_ROTATION_GRACE
    )
    secret = get_random_string(48)
    application.client_secret = secret  # hashed by DOT's ClientSecretField on save
    application.save(update_fields=["client_secret", "updated"])
    if actor is not None:
        audit_change(
            actor=actor,
            action="oauth_client.rotate_secret",
            obj=application,
            changes={"previous_secret_expires_at": [None, previous.expires_at.isoformat()]},
        )
    return ClientSecretRotated(
        application=application, client_secret=secret, previous_secret_expires_at=previous.expires_at
    )


@transaction.atomic
def oauth_client_previous_secrets_revoke(*, application: OAuthApplication, actor: Actor | None = None) -> int:
    """End the grace of every previous secret now (a leaked secret skips the 24 hours)."""
    ended = OAuthClientSecret.objects.filter(application=application, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if ended and actor is not None:
        audit_change(
            actor=actor, action="oauth_client.end_grace", obj=application, changes={"previous_secrets_revoked": ended}
        )
    return ended


@transaction.atomic
def oauth_client_grant_organisation(*, actor: Actor, application: OAuthApplication) -> OAuthApplicationGrant:
    """Let a client of another organisation act in ``actor.organisation`` (issue 3 point 2).

    The grant is given by the organisation whose data it opens: an owner or admin of it
    (or the system, e.g. the Django admin), never an integration. Granting twice is a no-op.
    """
    _require_person_or_system(actor, _("Only a person or the system can grant a client an organisation."))
    require_role(actor)
    existing = OAuthApplicationGrant.objects.filter(application=application, organisation=actor.organisation).first()
    if existing is not None:
        return existing
    grant = OAuthApplicationGrant(
        application=application,
        organisation=actor.organisation,
        granted_by=actor.user if getattr(actor.user, "pk", None) else None,
    )
    grant.full_clean()  # refuses the client's own organisation
    grant.save()
    audit_change(
        actor=actor,
        action="oauth_client.grant_organisation",
        obj=grant,
        changes={"application_id": [None, application.pk]},
    )
    return grant


@transaction.atomic
def oauth_client_revoke_organisation(*, actor: Actor, application: OAuthApplication, organisation: Organisation) -> int:
    """Withdraw a grant; either side may: the granting organisation or the client's own."""
    _require_person_or_system(actor, _("Only a person or the system can withdraw a client's organisation."))
    require_role(actor)
    if actor.organisation.pk not in (organisation.pk, application.organisation_id):
        raise NotPermitted(_("This grant belongs to other organisations."))
    grants = OAuthApplicationGrant.objects.filter(application=application, organisation=organisation)
    grant_id = grants.values_list("pk", flat=True).first()
    deleted, _rows = grants.delete()
    if deleted:
        audit_change(
            actor=actor,
            action="oauth_client.revoke_organisation",
            object_type=OAuthApplicationGrant._meta.label,
            object_id=grant_id,  # the deleted grant (issue 13 point 6)
            changes={"application_id": [application.pk, None], "organisation_id": [organisation.pk, None]},
        )
    return deleted


# -----------------------------------------------------------------------------
# Impersonation
# -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpersonationCreated:
    impersonation: ImpersonationToken
    token: str  # shown once; only its SHA-256 is stored

    @property
    def expires_in(self) -> int:
        return max(0, int((self.impersonation.expires_at - timezone.now()).total_seconds()))


def impersonation_scopes(scopes) -> frozenset[str]:
    """What an impersonation may do: the parent's read scopes only.

    It acts as a producer to show what they see (a portal); it never writes, exports
    or mints further tokens, so a leaked 15-minute token cannot change anything.
    """
    return frozenset(s for s in scopes if s.endswith(".read"))


@transaction.atomic
def impersonation_create(
    *, actor: Actor, producer: Producer, parent_token, ttl_seconds: int = IMPERSONATION_TTL_MAX
) -> ImpersonationCreated:
    """A short-lived token acting as ``producer`` for the OAuth client behind ``actor``.

    Only an OAuth client credential with the ``impersonation`` scope may mint one (no
    chaining from an impersonation, no personal tokens, no sessions). It lives at most
    ``ttl_seconds`` (60-900) and never past its parent access token.
    """
    if actor.kind != "oauth" or actor.application is None or actor.impersonation is not None:
        raise NotPermitted(_("Only an OAuth client credential can create impersonations."))
    if not actor.has_scope("impersonation"):
        raise NotPermitted(_("This credential lacks the impersonation scope."), required_scope="impersonation")
    if not IMPERSONATION_TTL_MIN <= ttl_seconds <= IMPERSONATION_TTL_MAX:
        raise ValidationError(
            {
                "ttl_seconds": _("Must be between %(min)s and %(max)s seconds.")
                % {"min": IMPERSONATION_TTL_MIN, "max": IMPERSONATION_TTL_MAX}
            }
        )
    if producer.organisation_id != actor.organisation.pk:
        raise ValidationError({"producer_id": _("Not found in this organisation.")})
    if producer.status != ProducerStatus.ACTIVE:
        raise ValidationError({"producer_id": _("The producer is not active.")})
    now = timezone.now()
    if parent_token is None or parent_token.application_id != actor.application.pk or parent_token.expires <= now:
        raise NotPermitted(_("Impersonations are minted with a live OAuth access token."))
    raw = _random_token(IMPERSONATION_TOKEN_PREFIX)
    impersonation = ImpersonationToken(
        organisation=actor.organisation,
        producer=producer,
        application=actor.application,
        parent_token_checksum=parent_token.token_checksum,
        token_hash=selectors.token_hash(raw),
        prefix=raw[: len(IMPERSONATION_TOKEN_PREFIX) + 4],
        scopes=" ".join(sorted(impersonation_scopes(actor.scopes))),
        expires_at=min(now + timedelta(seconds=ttl_seconds), parent_token.expires),
    )
    impersonation.full_clean()
    impersonation.save()
    audit_change(  # never the token
        actor=actor,
        action="impersonationtoken.create",
        obj=impersonation,
        changes={
            "producer_id": [None, impersonation.producer_id],
            "expires_at": [None, impersonation.expires_at],
            "scope": [None, impersonation.scopes],
        },
    )
    return ImpersonationCreated(impersonation=impersonation, token=raw)


@transaction.atomic
def impersonation_revoke(*, application: OAuthApplication, raw_token: str) -> int:
    """End an impersonation the client minted (``POST /oauth/revoke``); another client's is untouched."""
    return ImpersonationToken.objects.filter(
        application=application, token_hash=selectors.token_hash(raw_token), revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


# -----------------------------------------------------------------------------
# Personal API tokens
# -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiTokenCreated:
    api_token: ApiToken
    token: str  # shown once; only its SHA-256 is stored


def _token_snapshot(api_token: ApiToken) -> dict:
    """What the audit trail keeps of a personal token (never the token or its hash)."""
    return {
        "name": api_token.name,
        "prefix": api_token.prefix,
        "scopes": api_token.scopes,
        "membership_id": api_token.membership_id,
        "expires_at": api_token.expires_at.isoformat() if api_token.expires_at else None,
        "allowed_ips": list(api_token.allowed_ips),
        "revoked_at": api_token.revoked_at.isoformat() if api_token.revoked_at else None,
    }


def api_token_require_creator(*, actor: Actor) -> None:
    """Only people (and the system) create personal tokens; OAuth clients and impersonations may not."""
    if actor.kind not in PERSON_KINDS | {"system"}:
        raise NotPermitted(_("Personal API tokens are created by people: sign in or use a personal API token."))


@transaction.atomic
def api_token_create(
    *,
    actor: Actor,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    membership: Membership | None = None,
    allowed_ips: list[str] | None = None,
) -> ApiTokenCreated:
    """A personal token acting as a member, limited by ``scopes`` (issue 3 point 4) and, when
    ``allowed_ips`` is given, to those addresses and CIDR ranges (issue 13 point 7).

    People create their own: a session may grant any scope, a personal token only
    scopes it holds itself and never beyond its own expiry. OAuth clients and
    impersonations are not people and may not. ``membership`` (another member) is for
    the system only (Django admin, commands).
    """
    api_token_require_creator(actor=actor)
    if membership is None:
        membership = actor.membership
    elif actor.kind != "system" and membership.pk != getattr(actor.membership, "pk", None):
        raise NotPermitted(_("You can only create tokens for yourself."))
    if membership is None or membership.organisation_id != actor.organisation.pk:
        raise ValidationError({"membership_id": _("Not found in this organisation.")})
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError({"membership_id": _("Only active members can hold API tokens.")})

    wanted = set(scopes)
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        raise ValidationError({"scopes": _("Unknown scopes: %(names)s.") % {"names": ", ".join(unknown)}})
    if not wanted:
        raise ValidationError({"scopes": _("Give the token at least one scope.")})
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": _("Must be in the future.")})
    if actor.kind == "token":
        beyond = sorted(wanted - set(actor.scopes))
        if beyond:
            raise NotPermitted(
                _("A personal token can only grant scopes it holds; this one lacks: %(names)s.")
                % {"names": " ".join(beyond)},
                errors={"scopes": [_("Not held by this token: %(names)s.") % {"names": " ".join(beyond)}]},
            )
        parent_expiry = actor.api_token.expires_at if actor.api_token is not None else None
        if parent_expiry is not None:
            if expires_at is None:
                expires_at = parent_expiry
            elif expires_at > parent_expiry:
                raise ValidationError({"expires_at": _("Cannot outlive the token that creates it.")})

    raw = _random_token(API_TOKEN_PREFIX)
    api_token = ApiToken(
        organisation=actor.organisation,
        membership=membership,
        name=name.strip(),
        prefix=raw[:API_TOKEN_DISPLAY_LENGTH],
        token_hash=selectors.token_hash(raw),
        scopes=" ".join(sorted(wanted)),
        expires_at=expires_at,
        allowed_ips=list(allowed_ips or []),
    )
    api_token.full_clean()  # validates and normalises allowed_ips
    api_token.save()
    audit_change(actor=actor, action="api_token.create", obj=api_token, after=_token_snapshot(api_token))
    return ApiTokenCreated(api_token=api_token, token=raw)


@transaction.atomic
def api_token_revoke(*, actor: Actor, api_token: ApiToken) -> ApiToken:
    """Revoke a personal token (idempotent: the first revocation time is kept).

    Its member revokes their own; owners, admins, organisation-wide OAuth clients and
    the system any token of the organisation.
    """
    if actor.kind == "impersonation":
        raise NotPermitted(_("An impersonation cannot manage API tokens."))
    if api_token.organisation_id != actor.organisation.pk:
        raise ApiToken.DoesNotExist()
    if not actor.sees_whole_organisation and api_token.membership_id != getattr(actor.membership, "pk", None):
        raise NotPermitted(_("You can only revoke your own tokens."))
    if api_token.revoked_at is None:
        before = _token_snapshot(api_token)
        api_token.revoked_at = timezone.now()
        api_token.save(update_fields=["revoked_at", "updated_at"])
        audit_change(
            actor=actor, action="api_token.revoke", obj=api_token, before=before, after=_token_snapshot(api_token)
        )
    return api_token


def api_token_mark_used(*, api_token: ApiToken) -> None:
    """Record use, at most once a minute, so authenticating is not a write per request."""
    now = timezone.now()
    if api_token.last_used_at is not None and now - api_token.last_used_at < API_TOKEN_USE_RESOLUTION:
        return
    ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    api_token.last_used_at = now
