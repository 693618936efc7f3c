"""Reads of the organisations app: scoped to the actor's organisation and role."""

from __future__ import annotations

import hashlib

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from trackyoursheets.api.filters import apply_filterset

from .actors import Actor
from .choices import MembershipStatus, WorkspaceStatus
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
    from .api.filters import OfficeFilterSet

    qs = Office.objects.visible_to(actor).order_by("name", "id")
    return apply_filterset(OfficeFilterSet, filters, qs) if filters else qs


def office_get(*, actor: Actor, pk: int) -> Office:
    return office_list(actor=actor).get(pk=pk)


def membership_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Membership]:
    qs = Membership.objects.visible_to(actor).select_related("user", "office").order_by("id")
    return qs


def workspace_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Workspace]:
    """Workspaces the actor may see, with their office and agents loaded in two queries."""
    from .api.filters import WorkspaceFilterSet

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
    from .api.filters import ProducerFilterSet

    qs = Producer.objects.visible_to(actor).select_related("workspace", "membership__user").order_by(
        "display_name", "id"
    )
    return apply_filterset(ProducerFilterSet, filters, qs) if filters else qs


def producer_get(*, actor: Actor, pk: int) -> Producer:
    return producer_list(actor=actor).get(pk=pk)


def organisation_usage(*, organisation: Organisation) -> dict:
    """Seats and workspaces used against the plan's limits."""
    plan = organisation.plan_details
    seats_used = Membership.objects.for_organisation(organisation).filter(status=MembershipStatus.ACTIVE).count()
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
    from .api.filters import ApiTokenFilterSet

    qs = ApiToken.objects.visible_to(actor).select_related("membership").order_by("-created_at", "-id")
    return apply_filterset(ApiTokenFilterSet, filters, qs) if filters else qs


def api_token_get(*, actor: Actor, pk: int) -> ApiToken:
    return api_token_list(actor=actor).get(pk=pk)
