"""Celery tasks of the integrations app (STYLE §5): thin, ids only, idempotent.

Delivery state lives in the database, not in the broker: a task only says "look at
this row now". Running one twice is harmless (the claim lets one of them through),
and losing one is harmless too (``webhook_delivery_sweep_task`` finds the row).

Without a broker (the embedded default, ``make run``) tasks run in-process; the send
task then waits out the retry schedule itself, since no worker or beat would.
With a broker, a retry comes back as a short countdown (at most
``WEBHOOK_MAX_COUNTDOWN_SECONDS``, far below Redis' one-hour visibility timeout, past
which a countdown task would run twice) or, further out, from the beat sweep.
"""

from __future__ import annotations

import random
import time

from celery import shared_task
from celery.utils.log import get_task_logger
from django.utils import timezone

from . import services
from .choices import DeliveryStatus
from .conf import webhook_settings

logger = get_task_logger(__name__)

#: how long a delivery that found its organisation at the in-flight cap waits before trying again
BUSY_RETRY_SECONDS = 1.0


@shared_task(acks_late=True, ignore_result=True)
def outbox_event_dispatch_task(event_id: int, organisation_id: int) -> None:
    """Fan one outbox event out to its subscriptions' deliveries (once; later runs do nothing)."""
    services.outbox_event_dispatch(event_id=event_id, organisation_id=organisation_id)


@shared_task(acks_late=True, ignore_result=True)
def outbox_events_dispatch_task(event_ids: list[int], organisation_id: int) -> None:
    """Fan outbox events recorded together out to their deliveries (each once; later runs do nothing)."""
    services.outbox_events_dispatch(event_ids=event_ids, organisation_id=organisation_id)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def webhook_delivery_send_task(self, delivery_id: int, organisation_id: int) -> str:
    """Make the due attempt of one delivery; schedule the next one if it failed."""
    while True:
        result = services.webhook_delivery_attempt(delivery_id=delivery_id, organisation_id=organisation_id)
        if result.state == "busy":
            if self.request.is_eager:  # in-process there is no worker to come back later: wait here
                time.sleep(BUSY_RETRY_SECONDS + random.random())
                continue
            raise self.retry(countdown=BUSY_RETRY_SECONDS + random.random())
        if result.status != DeliveryStatus.PENDING or result.next_attempt_at is None:
            return result.status or result.state
        delay = max(0.0, (result.next_attempt_at - timezone.now()).total_seconds())
        if self.request.is_eager:
            time.sleep(delay)
            continue
        if delay <= webhook_settings().max_countdown:
            raise self.retry(countdown=delay)
        return "scheduled"  # the sweep enqueues it when it is due


@shared_task(acks_late=True, ignore_result=True)
def webhook_delivery_sweep_task() -> None:
    """Celery beat, every minute: re-enqueue undispatched events and overdue deliveries."""
    services.webhook_sweep()


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def webhook_subscription_disabled_notify_task(subscription_id: int, organisation_id: int) -> None:
    """Tell the organisation's owners and admins that a subscription was disabled (SMTP errors retry)."""
    sent = services.webhook_subscription_notify_disabled(
        subscription_id=subscription_id, organisation_id=organisation_id
    )
    logger.info("Subscription %s disabled: %s owners/admins emailed", subscription_id, sent)
