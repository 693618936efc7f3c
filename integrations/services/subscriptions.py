"""Webhook subscriptions: create, update, delete, rotate the secret, test, redeliver (REST, pages, admin)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from organisations.models import Organisation
from trackyoursheets.api.request_id import current_request_id
from trackyoursheets.exceptions import Conflict, LimitExceeded, NotPermitted

from .. import crypto, events, signing, transport
from ..choices import DeliveryStatus
from ..conf import webhook_settings
from ..models import OutboxEvent, WebhookDelivery, WebhookSubscription
from ._common import MAX_SUBSCRIPTIONS_PER_ORGANISATION, PING_MESSAGE, SECRET_ROTATION_GRACE, _enqueue_on_commit


@dataclass(frozen=True)
class WebhookSubscriptionCreated:
    subscription: WebhookSubscription
    secret: str  # shown once; stored encrypted


@dataclass(frozen=True)
class WebhookSecretRotated:
    subscription: WebhookSubscription
    secret: str  # shown once
    previous_secret_expires_at: datetime


def _require_manager(actor: Actor) -> None:
    """Owners, admins and organisation-wide credentials manage webhooks; an impersonation never does."""
    if actor.kind == "impersonation":
        raise NotPermitted(_("An impersonation token cannot manage webhooks."))
    if not actor.sees_whole_organisation:
        raise NotPermitted(_("Only owners and admins can manage webhooks."))


def _require_feature(organisation: Organisation) -> None:
    if not organisation.has_feature("webhooks"):
        raise NotPermitted(_("Your organisation's plan or settings do not include webhooks."))


def _clean_topics(topics) -> tuple[list[str], list[str]]:
    """``(topics, problems)``: known names, sorted and unique; ``["*"]`` when every topic is wanted."""
    if not isinstance(topics, list | tuple) or not topics:
        return [], [_('Choose at least one topic, or "*" for every topic.')]
    names = sorted({str(t).strip() for t in topics})
    unknown = [t for t in names if t != events.ALL_TOPICS and not events.is_registered(t)]
    if unknown:
        return [], [
            _("Unknown topic: %(topic)s. GET /v1/webhooks/topics lists them.") % {"topic": topic} for topic in unknown
        ]
    if events.ALL_TOPICS in names:
        return [events.ALL_TOPICS], []
    return names, []


def _validate(subscription: WebhookSubscription, *, check_url: bool, check_topics: bool) -> None:
    """Model validation plus the policy: HTTPS and public addresses (SSRF), known topics."""
    errors: dict[str, list[str]] = {}
    try:
        subscription.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if check_url and "url" not in errors:
        problems = transport.url_problems(subscription.url, webhook_settings())
        if problems:
            errors["url"] = problems
    if check_topics:
        subscription.topics, problems = _clean_topics(subscription.topics)
        if problems:
            errors["topics"] = problems
    if errors:
        raise ValidationError(errors)


def webhook_subscription_problems(
    *, organisation: Organisation, url: str | None = None, topics=None, adding: bool = False
) -> dict[str, list[str]]:
    """What creating or changing a subscription would refuse, as form errors (admin and pages
    show them before saving; the services check the same again)."""
    errors: dict[str, list[str]] = {}
    if url is not None:
        problems = transport.url_problems(url, webhook_settings())
        if problems:
            errors["url"] = problems
    if topics is not None:
        _topics, problems = _clean_topics(list(topics))
        if problems:
            errors["topics"] = problems
    if adding:
        if not organisation.has_feature("webhooks"):
            errors.setdefault("__all__", []).append(_("The organisation's plan or settings do not include webhooks."))
        if WebhookSubscription.objects.for_organisation(organisation).count() >= MAX_SUBSCRIPTIONS_PER_ORGANISATION:
            errors.setdefault("__all__", []).append(
                _("An organisation can have at most %(limit)s webhook subscriptions; delete one first.")
                % {"limit": MAX_SUBSCRIPTIONS_PER_ORGANISATION}
            )
    return errors


@transaction.atomic
def webhook_subscription_create(
    *, actor: Actor, url: str, topics: list[str], description: str = "", is_active: bool = True
) -> WebhookSubscriptionCreated:
    """A subscription with a new signing secret (returned once; only its encryption is stored)."""
    _require_manager(actor)
    _require_feature(actor.organisation)
    Organisation.objects.select_for_update().filter(pk=actor.organisation.pk).first()  # count, then add
    count = WebhookSubscription.objects.for_organisation(actor.organisation).count()
    if count >= MAX_SUBSCRIPTIONS_PER_ORGANISATION:
        raise LimitExceeded(
            _("An organisation can have at most %(limit)s webhook subscriptions; delete one first.")
            % {"limit": MAX_SUBSCRIPTIONS_PER_ORGANISATION},
            limit=MAX_SUBSCRIPTIONS_PER_ORGANISATION,
            used=count,
        )
    secret = signing.generate_secret()
    subscription = WebhookSubscription(
        organisation=actor.organisation,
        url=(url or "").strip(),
        topics=list(topics or []),
        description=(description or "").strip(),
        is_active=is_active,
        secret_encrypted=crypto.encrypt(secret),
        secret_hint=secret[:10],
    )
    _validate(subscription, check_url=True, check_topics=True)
    subscription.save()
    audit_change(  # never the secret
        actor=actor,
        action="webhooksubscription.create",
        obj=subscription,
        after=audit_snapshot(subscription, only=tuple(UPDATABLE_FIELDS)),
    )
    return WebhookSubscriptionCreated(subscription=subscription, secret=secret)


#: what an update may change (issue 12: an explicit field list, not ``**fields``)
UPDATABLE_FIELDS = ("url", "topics", "description", "is_active")


@transaction.atomic
def webhook_subscription_update(*, actor: Actor, subscription: WebhookSubscription, data: dict) -> WebhookSubscription:
    """Change URL, topics, description or the active flag (``UPDATABLE_FIELDS``).

    Re-activating needs the webhooks feature, clears the failure count and the reason
    it was disabled; de-activating stops new deliveries (pending ones are not sent).
    """
    _require_manager(actor)
    fields = dict(data)
    before = audit_snapshot(subscription, only=UPDATABLE_FIELDS)
    unknown = set(fields) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"Cannot update {sorted(unknown)}")
    now = timezone.now()
    activating = fields.get("is_active") is True and not subscription.is_active
    deactivating = fields.get("is_active") is False and subscription.is_active
    if activating:
        _require_feature(actor.organisation)
    for key, value in fields.items():
        setattr(subscription, key, value.strip() if isinstance(value, str) else value)
    if activating:
        subscription.consecutive_failures = 0
        subscription.disabled_at = None
        subscription.disabled_reason = ""
    if deactivating:
        subscription.disabled_at = now
        subscription.disabled_reason = _("Deactivated by %(actor)s.") % {"actor": actor.label}
    _validate(subscription, check_url="url" in fields, check_topics="topics" in fields)
    subscription.save()
    audit_change(
        actor=actor,
        action="webhooksubscription.update",
        obj=subscription,
        before=before,
        after=audit_snapshot(subscription, only=UPDATABLE_FIELDS),
    )
    return subscription


@transaction.atomic
def webhook_subscription_delete(*, actor: Actor, subscription: WebhookSubscription) -> None:
    """Delete the subscription with its delivery log; nothing more is sent to it."""
    _require_manager(actor)
    pk, url = subscription.pk, subscription.url
    subscription.delete()
    audit_change(
        actor=actor, action="webhooksubscription.destroy", obj=subscription, object_id=pk, changes={"url": [url, None]}
    )


@transaction.atomic
def webhook_subscription_rotate_secret(*, actor: Actor, subscription: WebhookSubscription) -> WebhookSecretRotated:
    """A new signing secret (returned once). The replaced one keeps signing too for 24 hours;
    rotating again within them drops the older one at once (only the newest previous secret signs)."""
    _require_manager(actor)
    now = timezone.now()
    locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    secret = signing.generate_secret()
    locked.previous_secret_encrypted = locked.secret_encrypted
    locked.previous_secret_expires_at = now + SECRET_ROTATION_GRACE
    locked.secret_encrypted = crypto.encrypt(secret)
    locked.secret_hint = secret[:10]
    locked.secret_rotated_at = now
    locked.save()
    audit_change(  # the hint of the new secret only
        actor=actor, action="webhooksubscription.rotate_secret", obj=locked, changes={"secret_hint": ["…", secret[:10]]}
    )
    return WebhookSecretRotated(
        subscription=locked, secret=secret, previous_secret_expires_at=locked.previous_secret_expires_at
    )


@transaction.atomic
def webhook_subscription_test(*, actor: Actor, subscription: WebhookSubscription) -> WebhookDelivery:
    """Send a ``ping`` event to this subscription only (even while it is inactive)."""
    _require_manager(actor)
    now = timezone.now()
    event = OutboxEvent.objects.create(
        organisation=subscription.organisation,
        topic=events.PING,
        payload={"subscription_id": subscription.pk, "message": PING_MESSAGE},
        request_id=current_request_id() or "",
        actor_label=actor.label,
        dispatched_at=now,  # addressed to one subscription: never fanned out
    )
    delivery = WebhookDelivery.objects.create(
        organisation=subscription.organisation, subscription=subscription, event=event, manual=True, next_attempt_at=now
    )
    audit_change(
        actor=actor,
        action="webhooksubscription.test",
        obj=subscription,
        changes={"ping_delivery_id": [None, delivery.pk]},
    )
    _enqueue_on_commit("webhook_delivery_send_task", delivery.pk, subscription.organisation_id)
    return delivery


@transaction.atomic
def webhook_delivery_redeliver(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivered or failed delivery again, with a fresh retry schedule (same event id)."""
    _require_manager(actor)
    now = timezone.now()
    rescheduled = WebhookDelivery.objects.filter(
        pk=delivery.pk, status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.FAILED]
    ).update(
        status=DeliveryStatus.PENDING,
        manual=True,
        round_attempts=0,
        next_attempt_at=now,
        failed_at=None,
        updated_at=now,
    )
    if not rescheduled:
        raise Conflict(_("This delivery is already scheduled; wait for its attempt to finish."))
    audit_change(
        actor=actor,
        action="webhookdelivery.redeliver",
        obj=delivery,
        changes={"status": [delivery.status, DeliveryStatus.PENDING]},
    )
    _enqueue_on_commit("webhook_delivery_send_task", delivery.pk, delivery.organisation_id)
    delivery.refresh_from_db()
    return delivery
