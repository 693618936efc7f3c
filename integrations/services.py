"""Services of the integrations app."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from trackyoursheets.api.request_id import current_request_id

from .models import OutboxEvent


def record_event(organisation, topic: str, payload: dict, *, actor=None) -> OutboxEvent:
    """Write a domain event to the outbox inside the caller's transaction.

    If the caller's transaction rolls back, the event goes with it: no event
    for a change that did not happen, and no change without its event.
    """
    body = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    with transaction.atomic():
        return OutboxEvent.objects.create(
            organisation=organisation,
            topic=topic,
            payload=body,
            request_id=current_request_id() or "",
            actor_label=actor.label if actor is not None else "",
        )
