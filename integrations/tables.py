"""The webhook pages' table (issue 14 point 5) on the shared :class:`~trackyoursheets.web.tables.Table`."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web.formats import format_datetime
from trackyoursheets.web.tables import CHOICE, DATETIME, NUMBER, Column, Table


def _status(subscription) -> str:
    return str(_("Active") if subscription.is_active else _("Inactive"))


class WebhookTable(Table):
    name = "webhooks"
    noun = _("webhooks")
    empty_text = _("No webhooks yet.")
    columns = (
        Column(
            "url",
            _("Endpoint"),
            sort="url",
            link=lambda s: reverse("webhooks:detail", args=[s.pk]),
            detail=lambda s: s.description,
        ),
        Column("topics", _("Topics"), accessor=lambda s: " ".join(s.topics)),
        Column(
            "status",
            _("Status"),
            accessor=_status,
            sort="is_active",
            detail=lambda s: "" if s.is_active else s.disabled_reason,
        ),
        Column("consecutive_failures", _("Failed in a row"), kind=NUMBER, sort="consecutive_failures"),
        Column("created_at", _("Created"), kind=DATETIME, sort="created_at"),
    )


class DeliveryTable(Table):
    """A subscription's deliveries: attempts and the redeliver button as cell templates."""

    name = "webhook-deliveries"
    noun = _("deliveries")
    empty_text = _("Nothing sent yet.")
    columns = (
        Column(
            "event",
            _("Event"),
            accessor="event_id",
            sort="event__created_at",
            detail=lambda d: format_datetime(d.event.created_at),
        ),
        Column("topic", _("Topic"), accessor="event.topic", sort="event__topic"),
        Column("status", _("Status"), kind=CHOICE, sort="status"),
        Column(
            "attempts",
            _("Attempts"),
            accessor="attempt_count",
            sort="attempt_count",
            template="integrations/webhooks/_attempts_cell.html",
        ),
        Column("last_status_code", _("Last answer"), detail=lambda d: d.last_error),
        Column("next_attempt_at", _("Next attempt"), kind=DATETIME, sort="next_attempt_at"),
        Column("actions", _("Actions"), template="integrations/webhooks/_redeliver_cell.html"),
    )
