"""The webhook pages' table (issue 14 point 5) on the shared :class:`~trackyoursheets.web.tables.Table`."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web.tables import DATETIME, NUMBER, Column, Table


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
