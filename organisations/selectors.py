"""Reads of the organisations app: scoped to the actor's organisation and role."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from trackyoursheets.api.filters import apply_filterset

from .actors import Actor
from .choices import MembershipStatus, WorkspaceStatus
from .models import Membership, Office, Organisation, Producer, Workspace, WorkspaceAgent


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
