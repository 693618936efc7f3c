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

By sub-domain: ``delivery.py`` (the outbox fan-out, attempts, the sweep) and
``subscriptions.py`` (webhook subscriptions); ``_common.py`` the limits and enqueueing.
Callers say ``from integrations import services``.
"""

from ..outbox import record_event  # re-exported; its home is integrations.outbox
from ._common import MAX_SUBSCRIPTIONS_PER_ORGANISATION, PING_MESSAGE, SECRET_ROTATION_GRACE, TASKS_MODULE, logger
from .delivery import (
    AttemptResult,
    SweepResult,
    outbox_event_dispatch,
    outbox_event_enqueue,
    outbox_events_dispatch,
    outbox_events_enqueue,
    webhook_delivery_attempt,
    webhook_subscription_notify_disabled,
    webhook_sweep,
)
from .subscriptions import (
    UPDATABLE_FIELDS,
    WebhookSecretRotated,
    WebhookSubscriptionCreated,
    webhook_delivery_redeliver,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_problems,
    webhook_subscription_rotate_secret,
    webhook_subscription_test,
    webhook_subscription_update,
)

__all__ = [
    "record_event",
    "MAX_SUBSCRIPTIONS_PER_ORGANISATION",
    "PING_MESSAGE",
    "SECRET_ROTATION_GRACE",
    "TASKS_MODULE",
    "logger",
    "AttemptResult",
    "SweepResult",
    "outbox_event_dispatch",
    "outbox_event_enqueue",
    "outbox_events_dispatch",
    "outbox_events_enqueue",
    "webhook_delivery_attempt",
    "webhook_subscription_notify_disabled",
    "webhook_sweep",
    "UPDATABLE_FIELDS",
    "WebhookSecretRotated",
    "WebhookSubscriptionCreated",
    "webhook_delivery_redeliver",
    "webhook_subscription_create",
    "webhook_subscription_delete",
    "webhook_subscription_problems",
    "webhook_subscription_rotate_secret",
    "webhook_subscription_test",
    "webhook_subscription_update",
]
