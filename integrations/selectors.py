"""Reads of the integrations app (STYLE §2.3): scoped to the actor's organisation and role.

Webhooks are for owners, admins and organisation-wide credentials: for anyone else
every list is empty and every lookup a ``DoesNotExist`` (the querysets' ``restrict_to``).
The ``*_due``/``*_undispatched`` readers serve the delivery machinery, not people.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from organisations.actors import Actor
from organisations.choices import ORGANISATION_WIDE_ROLES, MembershipStatus
from organisations.models import Membership
from trackyoursheets.api.filters import apply_filterset

from .choices import DeliveryStatus
from .filters import WebhookDeliveryFilterSet, WebhookSubscriptionFilterSet
from .models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription


def webhook_subscription_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[WebhookSubscription]:
    """The organisation's subscriptions, oldest first."""

    qs = WebhookSubscription.objects.visible_to(actor).order_by("id")
    return apply_filterset(WebhookSubscriptionFilterSet, filters, qs) if filters else qs


def webhook_subscription_get(*, actor: Actor, pk: int) -> WebhookSubscription:
    return webhook_subscription_list(actor=actor).get(pk=pk)


def webhook_delivery_list(
    *, actor: Actor, subscription: WebhookSubscription, filters: dict | None = None
) -> QuerySet[WebhookDelivery]:
    """One subscription's delivery log, newest first, with its event and attempts (three queries a page)."""

    qs = (
        WebhookDelivery.objects.visible_to(actor)
        .filter(subscription_id=subscription.pk)
        .select_related("event")
        .prefetch_related(Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("number")))
        .order_by("-id")
    )
    return apply_filterset(WebhookDeliveryFilterSet, filters, qs) if filters else qs


def webhook_delivery_get(*, actor: Actor, subscription: WebhookSubscription, pk: int) -> WebhookDelivery:
    return webhook_delivery_list(actor=actor, subscription=subscription).get(pk=pk)


# =============================================================================
# For the delivery machinery (tasks): no actor, ids only
# =============================================================================


def webhook_subscription_matching(*, organisation_id: int, topic: str) -> list[WebhookSubscription]:
    """Active subscriptions of one organisation that want ``topic`` (an organisation has a handful)."""
    return [s for s in webhook_subscription_active(organisation_id=organisation_id) if s.wants(topic)]


def webhook_subscription_active(*, organisation_id: int) -> list[WebhookSubscription]:
    """Active subscriptions of one organisation, in id order."""
    return list(WebhookSubscription.objects.for_organisation(organisation_id).active().order_by("id"))


def outbox_event_undispatched(*, before: datetime, limit: int) -> list[tuple[int, int]]:
    """``(event id, organisation id)`` of events not yet fanned out, recorded before ``before``."""
    return list(
        OutboxEvent.objects.filter(dispatched_at__isnull=True, created_at__lte=before)
        .order_by("id")
        .values_list("id", "organisation_id")[:limit]
    )


def webhook_delivery_overdue(*, now: datetime, before: datetime, limit: int) -> list[tuple[int, int]]:
    """``(delivery id, organisation id)`` of deliveries whose attempt is overdue: pending and due
    before ``before``, or claimed by a worker whose lease ran out (it died mid-attempt)."""
    return list(
        WebhookDelivery.objects.filter(
            Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=before)
            | Q(status=DeliveryStatus.DELIVERING, lease_expires_at__lt=now)
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", "organisation_id")[:limit]
    )


def organisation_admin_emails(*, organisation_id: int) -> list[str]:
    """Who is told when a subscription is disabled: the active owners and admins."""
    return sorted(
        Membership.objects.for_organisation(organisation_id)
        .filter(status=MembershipStatus.ACTIVE, role__in=ORGANISATION_WIDE_ROLES, user__is_active=True)
        .values_list("user__email", flat=True)
    )
