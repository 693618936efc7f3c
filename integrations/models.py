"""What crosses the boundary: the event outbox and webhook delivery (issue 5).

An event is written to the outbox in the transaction of the change that caused it.
Delivery fans each event out to one :class:`WebhookDelivery` per matching
subscription, and every try of a delivery is a :class:`WebhookAttempt` row. All
delivery state lives here (``next_attempt_at``, the lease of a claimed delivery),
not in the broker, so a broker outage or a dead worker loses nothing (DESIGN §5).
"""

from __future__ import annotations

from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import TenantModel, TenantQuerySet

from .choices import AttemptOutcome, DeliveryStatus
from .events import ALL_TOPICS

__all__ = [
    "OutboxEvent",
    "WebhookSubscription",
    "WebhookDelivery",
    "WebhookAttempt",
]


class OutboxEvent(TenantModel):
    """A domain event, written in the same transaction as the change that caused it.

    Delivery (webhooks) reads undelivered rows; an event is never lost because a
    broker or receiver was down (DESIGN §5). ``dispatched_at`` is set when the event
    has been fanned out to its subscriptions' deliveries.
    """

    topic = models.CharField(_("topic"), max_length=100, db_index=True)
    payload = models.JSONField(_("payload"), default=dict)
    request_id = models.CharField(_("request id"), max_length=128, blank=True)
    actor_label = models.CharField(_("actor"), max_length=255, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["organisation", "topic", "created_at"], name="integrations_outbox_topic")]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


# =============================================================================
# Webhooks
# =============================================================================


class OwnersAndAdminsQuerySet(TenantQuerySet):
    """Webhooks are managed by owners, admins and organisation-wide credentials only."""

    def restrict_to(self, actor) -> OwnersAndAdminsQuerySet:
        return self if actor.sees_whole_organisation else self.none()


class WebhookSubscriptionQuerySet(OwnersAndAdminsQuerySet):
    def active(self) -> WebhookSubscriptionQuerySet:
        return self.filter(is_active=True)


class WebhookSubscription(TenantModel):
    """An endpoint that receives the organisation's events of the chosen topics.

    The signing secret (``whsec_<base64>``, Standard Webhooks) is shown once and
    stored encrypted. After a rotation the previous secret keeps signing, next to
    the new one, until ``previous_secret_expires_at`` (24 hours).
    """

    unbounded_text_fields = ("secret_encrypted", "previous_secret_encrypted")

    url = models.URLField(_("URL"), max_length=2000, validators=[URLValidator(schemes=["http", "https"])])
    topics = models.JSONField(_("topics"), default=list, help_text=_('Topic names, or ["*"] for every topic.'))
    description = models.CharField(_("description"), max_length=500, blank=True)
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    secret_encrypted = models.TextField(_("signing secret (encrypted)"))
    secret_hint = models.CharField(_("secret hint"), max_length=16, help_text=_("Its first characters."))
    previous_secret_encrypted = models.TextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(_("previous secret signs until"), null=True, blank=True)
    secret_rotated_at = models.DateTimeField(_("secret rotated at"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(
        _("consecutive failed events"), default=0, help_text=_("Reset by any successful delivery.")
    )
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("disabled because"), max_length=300, blank=True)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["organisation", "is_active"], name="integrations_sub_active")]

    def __str__(self) -> str:
        return self.url

    def wants(self, topic: str) -> bool:
        """Whether an event of ``topic`` is for this subscription (``ping`` never is: it is sent to one)."""
        return ALL_TOPICS in self.topics or topic in self.topics


class WebhookDeliveryQuerySet(OwnersAndAdminsQuerySet):
    pass


class WebhookDelivery(TenantModel):
    """One event for one subscription: exactly one row per pair, however often it is tried.

    A worker *claims* a due delivery (``pending`` and ``next_attempt_at`` reached, or
    ``delivering`` with an expired lease) with a conditional UPDATE, so two workers
    never send the same attempt; ``lease_token`` proves the claim when the result is
    written. ``round_attempts`` counts the tries since the delivery was (re)scheduled.
    """

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="webhook_deliveries")
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    manual = models.BooleanField(
        _("manual"), default=False, help_text=_("A test or a redelivery: sent even if the subscription is inactive.")
    )
    attempt_count = models.PositiveIntegerField(_("attempts"), default=0)
    round_attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="integrations_webhookdelivery_unique_subscription_event"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="integrations_delivery_due"),
            models.Index(fields=["organisation", "status"], name="integrations_delivery_org"),
        ]

    def __str__(self) -> str:
        return f"event {self.event_id} → subscription {self.subscription_id}"


class WebhookAttempt(TenantModel):
    """One HTTP request of a delivery and what came back (the response body is truncated)."""

    unbounded_text_fields = ("response_body",)

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(_("attempt"))
    requested_at = models.DateTimeField(_("requested at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=AttemptOutcome.choices)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response_body = models.TextField(_("response body (truncated)"), blank=True)

    objects = OwnersAndAdminsQuerySet.as_manager()

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="integrations_webhookattempt_unique_number"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.get_outcome_display()}"


# the report exports (issue 17) live in their package; imported here so Django finds the model
from .exports.models import ReportExport  # noqa: E402

__all__ += ["ReportExport"]
