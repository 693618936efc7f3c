"""Delivering events: the outbox fan-out, one delivery attempt (claim, send, finish), the sweep."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.actors import system_actor
from organisations.audit import audit_change
from organisations.models import Organisation

from .. import crypto, selectors, signing, transport
from ..choices import AttemptOutcome, DeliveryStatus
from ..conf import WebhookSettings, webhook_settings
from ..models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription
from ._common import _enqueue, _enqueue_on_commit, logger


def outbox_event_enqueue(event_id: int, organisation_id: int) -> None:
    """The outbox's dispatcher (registered from ``apps.py``): fan the committed event out in a task."""
    _enqueue("outbox_event_dispatch_task", event_id, organisation_id)


def outbox_events_enqueue(event_ids: list[int], organisation_id: int) -> None:
    """The dispatcher's batch form (events recorded together by ``outbox.record_events``): one
    task fans them all out."""
    _enqueue("outbox_events_dispatch_task", list(event_ids), organisation_id)


def outbox_event_dispatch(*, event_id: int, organisation_id: int) -> list[int]:
    """Fan one event out to its deliveries, once: one row per matching subscription.

    Only subscriptions of the event's own organisation are considered (tenancy).
    Claiming the event (``dispatched_at``) and creating its deliveries is one
    transaction, so a crash leaves it undispatched for the sweep, and a second
    dispatcher finds it claimed. Returns the new delivery ids.
    """
    with transaction.atomic():
        now = timezone.now()
        claimed = OutboxEvent.objects.filter(
            pk=event_id, organisation_id=organisation_id, dispatched_at__isnull=True
        ).update(dispatched_at=now)
        if not claimed:
            return []
        event = OutboxEvent.objects.select_related("organisation").get(pk=event_id)
        return _fan_out(event.organisation, [event], now)


def outbox_events_dispatch(*, event_ids: list[int], organisation_id: int) -> list[int]:
    """:func:`outbox_event_dispatch` for many events of one organisation in one transaction and a
    fixed number of statements: the still undispatched ones are claimed under a row lock (a
    concurrent dispatcher of the same event waits, then finds it claimed), and their deliveries
    are created together. Returns the new delivery ids."""
    with transaction.atomic():
        now = timezone.now()
        events = list(
            OutboxEvent.objects.select_for_update()
            .filter(pk__in=event_ids, organisation_id=organisation_id, dispatched_at__isnull=True)
            .only("id", "organisation_id", "topic")  # not the payloads: a sync's batch is a thousand of them
            .order_by("id")
        )
        if not events:
            return []
        OutboxEvent.objects.filter(pk__in=[e.pk for e in events]).update(dispatched_at=now)
        organisation = Organisation.objects.get(pk=organisation_id)
        return _fan_out(organisation, events, now)


def _fan_out(organisation: Organisation, events: list[OutboxEvent], now: datetime) -> list[int]:
    """One delivery per (event, matching subscription), each sent by its own task after commit."""
    if not (organisation.is_active and organisation.has_feature("webhooks")):
        return []
    subscriptions = selectors.webhook_subscription_active(organisation_id=organisation.pk)
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(organisation_id=organisation.pk, subscription=s, event=event, next_attempt_at=now)
            for event in events
            for s in subscriptions
            if s.wants(event.topic)
        ]
    )
    ids = [d.pk for d in deliveries]
    for pk in ids:
        _enqueue_on_commit("webhook_delivery_send_task", pk, organisation.pk)
    return ids


@dataclass(frozen=True)
class AttemptResult:
    """What ``webhook_delivery_attempt`` did.

    ``state``: ``"sent"`` (an attempt was made; ``status`` says what followed),
    ``"not_due"`` (nothing to do: not due, claimed by another worker, or gone) or
    ``"busy"`` (the organisation already has its maximum of deliveries in flight).
    """

    state: str
    status: str | None = None
    next_attempt_at: datetime | None = None


@dataclass
class _Claim:
    delivery: WebhookDelivery
    token: str
    number: int
    started_at: datetime


def _due(now: datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.DELIVERING, lease_expires_at__lt=now
    )


def _delivery_claim(delivery_id: int, organisation_id: int, conf: WebhookSettings) -> _Claim | str:
    """Take a due delivery for this worker, or say why not (``"not_due"``, ``"busy"``).

    The conditional UPDATE (``WHERE status=pending AND next_attempt_at<=now``, or an
    expired lease) is what makes the claim exclusive: on PostgreSQL a second worker
    waits for the first's row lock, re-reads the row and updates nothing (the first
    ``SELECT ... FOR UPDATE SKIP LOCKED`` lets it give up without waiting); SQLite
    serialises write transactions. The organisation row is locked while in-flight
    deliveries are counted, so the cap is exact across workers.
    """
    with transaction.atomic():
        now = timezone.now()
        row = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(_due(now), pk=delivery_id, organisation_id=organisation_id)
            .only("id", "status", "attempt_count", "last_attempt_at")
            .first()
        )
        if row is None:
            return "not_due"
        Organisation.objects.select_for_update(no_key=True).filter(pk=organisation_id).values_list("pk").first()
        in_flight = (
            WebhookDelivery.objects.filter(
                organisation_id=organisation_id, status=DeliveryStatus.DELIVERING, lease_expires_at__gt=now
            )
            .exclude(pk=delivery_id)
            .count()
        )
        if in_flight >= conf.max_in_flight_per_organisation:
            return "busy"
        token = secrets.token_hex(16)
        claimed = WebhookDelivery.objects.filter(_due(now), pk=delivery_id).update(
            status=DeliveryStatus.DELIVERING,
            lease_token=token,
            lease_expires_at=now + timedelta(seconds=conf.lease_seconds),
            attempt_count=F("attempt_count") + 1,
            round_attempts=F("round_attempts") + 1,
            last_attempt_at=now,
            next_attempt_at=None,
            updated_at=now,
        )
        if not claimed:
            return "not_due"
        if row.status == DeliveryStatus.DELIVERING:
            # the worker that held it died mid-attempt: say so in the log, then try again
            WebhookAttempt.objects.create(
                organisation_id=organisation_id,
                delivery_id=delivery_id,
                number=row.attempt_count,
                requested_at=row.last_attempt_at or now,
                outcome=AttemptOutcome.INTERRUPTED,
                error=_("The worker stopped before this attempt finished."),
            )
        delivery = WebhookDelivery.objects.select_related("subscription", "event").get(pk=delivery_id)
    return _Claim(delivery=delivery, token=token, number=delivery.attempt_count, started_at=now)


def _signing_secrets(subscription: WebhookSubscription, now: datetime) -> list[str]:
    """The current secret, and the previous one while its rotation grace lasts."""
    found = [crypto.decrypt(subscription.secret_encrypted)]
    if (
        subscription.previous_secret_encrypted
        and subscription.previous_secret_expires_at
        and subscription.previous_secret_expires_at > now
    ):
        found.append(crypto.decrypt(subscription.previous_secret_encrypted))
    return found


def _retry_delay(conf: WebhookSettings, round_attempts: int) -> float | None:
    """Seconds until the next try after the ``round_attempts``-th failed one, or None when exhausted.

    Exponential schedule from the settings, with ±``WEBHOOK_RETRY_JITTER`` so that a
    receiver coming back is not hit by every retry at once.
    """
    if round_attempts > len(conf.retry_schedule):
        return None
    base = conf.retry_schedule[round_attempts - 1]
    return max(0.0, base * random.uniform(1 - conf.retry_jitter, 1 + conf.retry_jitter))


def webhook_delivery_attempt(*, delivery_id: int, organisation_id: int) -> AttemptResult:
    """Make the next attempt of a delivery if it is due, and record what happened."""
    conf = webhook_settings()
    claim = _delivery_claim(delivery_id, organisation_id, conf)
    if isinstance(claim, str):
        return AttemptResult(state=claim)
    delivery = claim.delivery
    subscription = delivery.subscription
    if not subscription.is_active and not delivery.manual:
        result = transport.SendResult(
            AttemptOutcome.REFUSED, error=_("The subscription is inactive; the event was not sent.")
        )
        return _delivery_finish(claim, result, conf, counts_against_subscription=False)
    body = signing.event_body(delivery.event)
    now = timezone.now()
    headers = signing.delivery_headers(
        event_id=delivery.event_id,
        topic=delivery.event.topic,
        body=body,
        secrets_=_signing_secrets(subscription, now),
        timestamp=int(now.timestamp()),
        delivery_id=delivery.pk,
        # the try within the current round (1 to 1 + the retry schedule), also on a redelivery,
        # as the guide documents; the log's attempt number keeps counting (issue 13 point 12)
        attempt=min(delivery.round_attempts, len(conf.retry_schedule) + 1),
    )
    result = transport.send(subscription.url, body, headers, conf)  # outside any transaction
    return _delivery_finish(claim, result, conf)


def _delivery_finish(
    claim: _Claim, result: transport.SendResult, conf: WebhookSettings, *, counts_against_subscription: bool = True
) -> AttemptResult:
    delivery = claim.delivery
    with transaction.atomic():
        now = timezone.now()
        fields: dict = {
            "lease_token": "",
            "lease_expires_at": None,
            "last_status_code": result.status_code,
            "last_error": result.error[:500],
            "updated_at": now,
        }
        delay = None if result.outcome == AttemptOutcome.REFUSED else _retry_delay(conf, delivery.round_attempts)
        if result.succeeded:
            fields.update(status=DeliveryStatus.DELIVERED, delivered_at=now, failed_at=None, next_attempt_at=None)
        elif delay is None:
            fields.update(status=DeliveryStatus.FAILED, failed_at=now, next_attempt_at=None)
        else:
            fields.update(status=DeliveryStatus.PENDING, next_attempt_at=now + timedelta(seconds=delay))
        updated = WebhookDelivery.objects.filter(pk=delivery.pk, lease_token=claim.token).update(**fields)
        if not updated:
            # our lease ran out and another worker took the delivery over: its attempt decides
            logger.warning("Delivery %s: lease lost during attempt %s; result not recorded", delivery.pk, claim.number)
            return AttemptResult(state="not_due")
        WebhookAttempt.objects.create(
            organisation_id=delivery.organisation_id,
            delivery_id=delivery.pk,
            number=claim.number,
            requested_at=claim.started_at,
            duration_ms=result.duration_ms,
            outcome=result.outcome,
            status_code=result.status_code,
            error=result.error[:500],
            response_body=result.response_body[: conf.response_body_limit],
        )
        status = fields["status"]
        if status == DeliveryStatus.DELIVERED:
            WebhookSubscription.objects.filter(pk=delivery.subscription_id, consecutive_failures__gt=0).update(
                consecutive_failures=0
            )
        elif status == DeliveryStatus.FAILED and counts_against_subscription:
            _subscription_count_failure(delivery.subscription_id, conf, now)
    return AttemptResult(state="sent", status=status, next_attempt_at=fields.get("next_attempt_at"))


def _subscription_count_failure(subscription_id: int, conf: WebhookSettings, now: datetime) -> None:
    """One more failed event in a row; at ``WEBHOOK_DISABLE_AFTER_FAILURES`` the subscription is
    disabled, audited, and its organisation's owners and admins are emailed."""
    WebhookSubscription.objects.filter(pk=subscription_id).update(consecutive_failures=F("consecutive_failures") + 1)
    subscription = WebhookSubscription.objects.select_related("organisation").get(pk=subscription_id)
    if not subscription.is_active or subscription.consecutive_failures < conf.disable_after_failures:
        return
    reason = _("Disabled automatically after %(count)s consecutive failed events.") % {
        "count": subscription.consecutive_failures
    }
    disabled = WebhookSubscription.objects.filter(pk=subscription_id, is_active=True).update(
        is_active=False, disabled_at=now, disabled_reason=reason, updated_at=now
    )
    if not disabled:
        return
    audit_change(
        actor=system_actor(subscription.organisation),
        action="webhooksubscription.disable",
        obj=subscription,
        changes={"is_active": [True, False], "disabled_reason": ["", reason]},
    )
    logger.warning("Webhook subscription %s disabled: %s", subscription_id, reason)
    _enqueue_on_commit("webhook_subscription_disabled_notify_task", subscription_id, subscription.organisation_id)


def webhook_subscription_notify_disabled(*, subscription_id: int, organisation_id: int) -> int:
    """Email the organisation's owners and admins that a subscription was disabled; returns how many."""
    subscription = (
        WebhookSubscription.objects.for_organisation(organisation_id)
        .select_related("organisation")
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None or subscription.is_active:
        return 0  # deleted or re-enabled meanwhile: nothing to tell
    recipients = selectors.organisation_admin_emails(organisation_id=organisation_id)
    if not recipients:
        return 0
    subject = _("Webhook endpoint disabled: %(url)s") % {"url": subscription.url}
    body = _(
        "TrackYourSheets stopped sending events to %(url)s for %(organisation)s.\n\n%(reason)s\n\n"
        "Fix the endpoint, then re-activate the subscription and redeliver the failed events under "
        "Webhooks (/app/webhooks/%(id)s) or through the API (PATCH /v1/webhooks/%(id)s with "
        '{"is_active": true}).'
    ) % {
        "url": subscription.url,
        "organisation": subscription.organisation.name,
        "reason": subscription.disabled_reason,
        "id": subscription.pk,
    }
    return send_mail(subject, body, None, recipients)


@dataclass(frozen=True)
class SweepResult:
    events: int
    deliveries: int


def webhook_sweep() -> SweepResult:
    """Enqueue what the normal path missed: events not dispatched and deliveries overdue
    by more than ``WEBHOOK_SWEEP_GRACE_SECONDS`` (a broker outage, a lost message, a dead
    worker whose lease ran out, or a retry scheduled further out than a countdown may)."""
    conf = webhook_settings()
    now = timezone.now()
    before = now - timedelta(seconds=conf.sweep_grace)
    event_rows = selectors.outbox_event_undispatched(before=before, limit=conf.sweep_batch)
    for event_id, organisation_id in event_rows:
        _enqueue("outbox_event_dispatch_task", event_id, organisation_id)
    delivery_rows = selectors.webhook_delivery_overdue(now=now, before=before, limit=conf.sweep_batch)
    for delivery_id, organisation_id in delivery_rows:
        _enqueue("webhook_delivery_send_task", delivery_id, organisation_id)
    if event_rows or delivery_rows:
        logger.info("Webhook sweep: %s events, %s deliveries enqueued", len(event_rows), len(delivery_rows))
    return SweepResult(events=len(event_rows), deliveries=len(delivery_rows))
