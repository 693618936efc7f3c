"""Reads of the organisations app: scoped to the actor's organisation and role."""

from __future__ import annotations

import hashlib

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from trackyoursheets.api.filters import apply_filterset

from .actors import Actor
from .choices import MembershipStatus, Role, WorkspaceStatus
from .filters import ApiTokenFilterSet, MembershipFilterSet, OfficeFilterSet, ProducerFilterSet, WorkspaceFilterSet
from .models import (
    ApiToken,
    ImpersonationToken,
    Membership,
    OAuthApplication,
    OAuthApplicationGrant,
    OAuthClientSecret,
    Office,
    Organisation,
    Producer,
    Workspace,
    WorkspaceAgent,
)


def office_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Office]:
    """Offices of the actor's organisation (structure is visible to every member)."""

    qs = Office.objects.visible_to(actor).order_by("name", "id")
    return apply_filterset(OfficeFilterSet, filters, qs) if filters else qs


def office_get(*, actor: Actor, pk: int) -> Office:
    return office_list(actor=actor).get(pk=pk)


def membership_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Membership]:
    """Members the actor may see, with user, office and invitation loaded."""

    # the organisation too: a member's effective timezone falls back to it (``zone_name``)
    qs = (
        Membership.objects.visible_to(actor)
        .select_related("user", "office", "invitation", "organisation")
        .order_by("id")
    )
    return apply_filterset(MembershipFilterSet, filters, qs) if filters else qs


def workspace_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Workspace]:
    """Workspaces the actor may see, with their office and agents loaded in two queries."""

    qs = (
        Workspace.objects.visible_to(actor)
        .select_related("office")
        .prefetch_related(
            Prefetch(
                "agent_links",
                queryset=WorkspaceAgent.objects.select_related("membership__user").order_by("id"),
            )
        )
        .order_by("name", "id")
    )
    return apply_filterset(WorkspaceFilterSet, filters, qs) if filters else qs


def workspace_get(*, actor: Actor, pk: int) -> Workspace:
    return workspace_list(actor=actor).get(pk=pk)


def producer_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Producer]:

    qs = (
        Producer.objects.visible_to(actor)
        .select_related("workspace", "membership__user")
        .order_by("display_name", "id")
    )
    return apply_filterset(ProducerFilterSet, filters, qs) if filters else qs


def producer_get(*, actor: Actor, pk: int) -> Producer:
    return producer_list(actor=actor).get(pk=pk)


def organisation_usage(*, organisation: Organisation) -> dict:
    """Seats and workspaces used against the plan's limits."""
    plan = organisation.plan_details
    # active and invited members both take a seat (issue 4)
    seats_used = (
        Membership.objects.for_organisation(organisation)
        .filter(status__in=(MembershipStatus.ACTIVE, MembershipStatus.INVITED))
        .count()
    )
    workspaces_used = Workspace.objects.for_organisation(organisation).filter(status=WorkspaceStatus.ACTIVE).count()
    return {
        "seats": {"limit": plan.max_seats, "used": seats_used, "available": max(0, plan.max_seats - seats_used)},
        "workspaces": {
            "limit": plan.max_workspaces,
            "used": workspaces_used,
            "available": max(0, plan.max_workspaces - workspaces_used),
        },
        "agents_per_workspace": {"limit": plan.max_agents_per_workspace},
    }


# =============================================================================
# Credentials: OAuth client organisations and secrets, personal and impersonation tokens
# =============================================================================


def oauth_client_organisations(*, application: OAuthApplication) -> list[Organisation]:
    """The organisations a client may act in: its own first, then the active ones it was granted (issue 3).

    A deactivated granted organisation is as good as not granted.
    """
    granted = (
        OAuthApplicationGrant.objects.filter(application=application, organisation__is_active=True)
        .exclude(organisation_id=application.organisation_id)
        .select_related("organisation")
        .order_by("organisation__name", "organisation_id")
    )
    return [application.organisation, *(grant.organisation for grant in granted)]


def oauth_client_previous_secrets_active(*, application: OAuthApplication) -> QuerySet[OAuthClientSecret]:
    """Previous secrets of a client still inside their rotation grace (unexpired, unrevoked)."""
    return OAuthClientSecret.objects.filter(
        application=application, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-expires_at", "-id")


def token_hash(raw_token: str) -> str:
    """SHA-256 of a high-entropy token: what we store instead of the token."""
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def api_token_for_secret(*, raw_token: str) -> ApiToken | None:
    """The personal token with this secret, whatever its state (the caller checks it), with its member loaded."""
    return (
        ApiToken.objects.select_related("organisation", "membership__user", "membership__office")
        .filter(token_hash=token_hash(raw_token))
        .first()
    )


def impersonation_for_secret(*, raw_token: str) -> ImpersonationToken | None:
    """The impersonation token with this secret, whatever its state, with its client and producer loaded."""
    return (
        ImpersonationToken.objects.select_related(
            "organisation",
            "application__organisation",
            "producer__membership__user",
            "producer__membership__office",
        )
        .filter(token_hash=token_hash(raw_token))
        .first()
    )


def api_token_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[ApiToken]:
    """Personal tokens the actor may see: their own; owners, admins and organisation-wide
    OAuth clients every token of the organisation; impersonations none."""

    qs = ApiToken.objects.visible_to(actor).select_related("membership").order_by("-created_at", "-id")
    return apply_filterset(ApiTokenFilterSet, filters, qs) if filters else qs


def api_token_get(*, actor: Actor, pk: int) -> ApiToken:
    return api_token_list(actor=actor).get(pk=pk)


# =============================================================================
# Console pages
# =============================================================================


def console_office_list(*, actor: Actor) -> QuerySet[Office]:
    """Offices a console page shows and offers: the whole organisation's to owners and
    admins, a manager only their own office (issue 4 point 5), nobody else any."""
    qs = office_list(actor=actor)
    if actor.sees_whole_organisation:
        return qs
    if actor.role == Role.MANAGER and actor.membership is not None and actor.membership.office_id:
        return qs.filter(pk=actor.membership.office_id)
    return qs.none()


def oauth_client_list(*, actor: Actor) -> QuerySet[OAuthApplication]:
    """The organisation's own OAuth clients, newest first, with their secrets still in the
    rotation grace loaded as ``secrets_in_grace`` (one extra query)."""
    in_grace = OAuthClientSecret.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).order_by(
        "-expires_at", "-id"
    )
    return (
        OAuthApplication.objects.for_organisation(actor.organisation)
        .prefetch_related(Prefetch("previous_secrets", queryset=in_grace, to_attr="secrets_in_grace"))
        .order_by("-created", "-id")
    )


def oauth_client_get(*, actor: Actor, pk: int) -> OAuthApplication:
    """One of the organisation's clients; another organisation's is ``DoesNotExist`` like a missing one."""
    return oauth_client_list(actor=actor).get(pk=pk)


def oauth_grant_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[OAuthApplicationGrant]:
    """The clients of other organisations granted ``actor.organisation`` (issue 13), oldest first.

    Owners, admins and the organisation's own clients see them; an impersonation or another
    role sees none."""
    if actor.impersonated_producer_id or not actor.sees_whole_organisation:
        return OAuthApplicationGrant.objects.none()
    return (
        OAuthApplicationGrant.objects.filter(organisation=actor.organisation)
        .select_related("application__organisation", "granted_by")
        .order_by("id")
    )


def oauth_grant_get(*, actor: Actor, pk: int) -> OAuthApplicationGrant:
    """One grant of the organisation; another organisation's is ``DoesNotExist`` like a missing one."""
    return oauth_grant_list(actor=actor).get(pk=pk)
