"""What crosses the boundary. For now: the event outbox that services write to."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import TenantModel


class OutboxEvent(TenantModel):
    """A domain event, written in the same transaction as the change that caused it.

    Delivery (webhooks) reads undelivered rows; an event is never lost because a
    broker or receiver was down (DESIGN §5).
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
