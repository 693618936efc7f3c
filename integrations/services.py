"""Services of the integrations app: the event outbox and webhook delivery (issue 5).

How an event travels (DESIGN §5, STYLE §5.5):

1. ``record_event`` (``integrations/outbox.py``) writes an :class:`OutboxEvent` inside the
   caller's transaction and, on commit, calls ``outbox_event_enqueue`` (registered as the
   outbox's dispatcher in ``apps.py``), which enqueues ``outbox_event_dispatch_task``;
2. ``outbox_event_dispatch`` fans it out: one :class:`WebhookDelivery` per active
   subscription of *the event's organisation* that wants its topic, then enqueues
   ``webhook_delivery_send_task`` for each;
3. ``webhook_delivery_attempt`` claims a due delivery (atomic conditional UPDATE, at
   most ``WEBHOOK_MAX_IN_FLIGHT_PER_ORGANISATION`` claimed at once per organisation),
   sends it outside any transaction, and writes a :class:`WebhookAttempt` plus the
   next state: delivered, pending again at ``next_attempt_at`` (the retry schedule
   with jitter), or failed;
4. ``webhook_sweep`` (Celery beat, every minute) re-enqueues what a broker outage or
   a dead worker left behind: undispatched events and overdue deliveries.

Nothing is lost when the broker is down (the outbox row waits for the sweep), and
nothing is sent twice at once (the claim); a worker that dies mid-request leaves a
lease that runs out, and the delivery is tried again: at-least-once, so receivers
dedupe by event id.
"""

from __future__ import annotations

import logging
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.actors import Actor, system_actor
from organisations.audit import audit_change, audit_snapshot
from organisations.models import Organisation
from trackyoursheets.api.request_id import current_request_id
from trackyoursheets.celery import app as celery_app
from trackyoursheets.exceptions import Conflict, LimitExceeded, NotPermitted

from . import crypto, events, selectors, signing, transport
from .choices import AttemptOutcome, DeliveryStatus
from .conf import WebhookSettings, webhook_settings
from .models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription
from .outbox import record_event  # noqa: F401  (re-exported; its home is integrations.outbox)

logger = logging.getLogger("trackyoursheets.webhooks")

#: after a rotation the previous secret keeps signing (next to the new one) this long
SECRET_ROTATION_GRACE = timedelta(hours=24)
#: subscriptions per organisation (Stripe allows 16 endpoints; a handful is the norm)
MAX_SUBSCRIPTIONS_PER_ORGANISATION = 20
PING_MESSAGE = "This is a test event from TrackYourSheets."
TASKS_MODULE = "integrations.tasks"

# =============================================================================
# Enqueueing (only services enqueue, and only after commit: STYLE §5.3)
# =============================================================================


def _enqueue(task_name: str, *args) -> bool:
    """Send a task; a broker outage (or, eagerly, a failing delivery) never undoes a committed change.

    Tasks are found by name in the Celery registry (``integrations.tasks`` is loaded by
    ``apps.py``), so this module need not import the tasks that import it. Whatever is not
    enqueued is found by the beat sweep from the database state.
    """
    try:
        celery_app.tasks[f"{TASKS_MODULE}.{task_name}"].apply_async(args=args, retry=False)
        return True
    except Exception:
        logger.warning("Could not run or enqueue %s%s; the sweep will pick it up", task_name, args, exc_info=True)
        return False


def _enqueue_on_commit(task_name: str, *args) -> None:
    transaction.on_commit(partial(_enqueue, task_name, *args))


# =============================================================================
# The outbox
# =============================================================================


def outbox_event_enqueue(event_id: int, organisation_id: int) -> None:
    """The outbox's dispatcher (registered from ``apps.py``): fan the committed event out in a task."""
    _enqueue("outbox_event_dispatch_task", event_id, organisation_id)


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
        organisation = event.organisation
        if not (organisation.is_active and organisation.has_feature("webhooks")):
            return []
        subscriptions = selectors.webhook_subscription_matching(organisation_id=organisation_id, topic=event.topic)
        deliveries = WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(organisation_id=organisation_id, subscription=s, event=event, next_attempt_at=now)
                for s in subscriptions
            ]
        )
        ids = [d.pk for d in deliveries]
        for pk in ids:
            _enqueue_on_commit("webhook_delivery_send_task", pk, organisation_id)
    return ids


# =============================================================================
# Delivering one attempt
# =============================================================================


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
        attempt=claim.number,
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


# =============================================================================
# The sweep (Celery beat, every minute)
# =============================================================================


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


# =============================================================================
# Subscriptions (REST, pages and admin call these)
# =============================================================================


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
