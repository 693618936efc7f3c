"""Events recorded together (``integrations.outbox.record_events``, e.g. a bulk approval): one INSERT,
one fan-out after commit, and still each event delivered to each matching subscription exactly
once, signed as one at a time. In-process Celery (the embedded default) and a real receiver."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from standardwebhooks import Webhook

from integrations import services
from integrations.models import OutboxEvent, WebhookDelivery
from integrations.outbox import record_events

from .test_delivery import subscribe, verify_trackyoursheets_signature

pytestmark = pytest.mark.django_db

CREATED = "organisation.workspace.created"
UPDATED = "organisation.workspace.updated"


def test_a_batch_reaches_each_matching_subscription_once(api, receiver, committed, organisation, system):
    everything = subscribe(api, receiver, path="/all")
    created_only = subscribe(api, receiver, topics=[CREATED], path="/created")

    with committed(), transaction.atomic():
        events = record_events(
            organisation,
            [(CREATED, {"id": 1}), (UPDATED, {"id": 1}), (CREATED, {"id": 2})],
            actor=system,
        )

    requests = receiver.wait_for(5)
    first, second, third = (e.pk for e in events)
    arrived = sorted((r.path, int(r.headers["x-trackyoursheets-event-id"])) for r in requests)
    assert arrived == sorted(
        [("/all", first), ("/all", second), ("/all", third), ("/created", first), ("/created", third)]
    )
    secrets = {"/all": everything["secret"], "/created": created_only["secret"]}
    for request in requests:
        signature = request.headers["x-trackyoursheets-signature"]
        assert verify_trackyoursheets_signature(secrets[request.path], signature, request.body)
        assert Webhook(secrets[request.path]).verify(request.body, request.headers) == request.json
    assert {r.json["data"]["id"] for r in requests} == {1, 2}
    assert WebhookDelivery.objects.count() == 5
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 0
    assert [e.topic for e in OutboxEvent.objects.order_by("id")] == [CREATED, UPDATED, CREATED]
    assert {e.actor_label for e in OutboxEvent.objects.all()} == {system.label}


def test_a_batch_is_fanned_out_once_whoever_runs_it_again(api, receiver, organisation, system):
    subscribe(api, receiver)
    with transaction.atomic():  # inside the test's transaction: the after-commit fan-out does not run
        events = record_events(organisation, [(CREATED, {"id": 1}), (CREATED, {"id": 2})], actor=system)
    ids = [e.pk for e in events]

    first = services.outbox_events_dispatch(event_ids=ids, organisation_id=organisation.pk)
    again = services.outbox_events_dispatch(event_ids=ids, organisation_id=organisation.pk)
    one_by_one = [services.outbox_event_dispatch(event_id=pk, organisation_id=organisation.pk) for pk in ids]

    assert len(first) == 2
    assert again == []
    assert one_by_one == [[], []]
    assert WebhookDelivery.objects.count() == 2


def test_another_organisations_events_are_not_claimed(api, receiver, organisation, other_organisation, system):
    subscribe(api, receiver)
    with transaction.atomic():
        [event] = record_events(organisation, [(CREATED, {"id": 1})], actor=system)

    assert services.outbox_events_dispatch(event_ids=[event.pk], organisation_id=other_organisation.pk) == []
    assert OutboxEvent.objects.get(pk=event.pk).dispatched_at is None


def test_recording_and_fanning_out_a_batch_takes_the_same_statements_for_2_or_20(api, receiver, organisation, system):
    subscribe(api, receiver)

    def statements(count: int) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as recorded, transaction.atomic():
            events = record_events(organisation, [(CREATED, {"id": n}) for n in range(count)], actor=system)
        with CaptureQueriesContext(connection) as dispatched:
            services.outbox_events_dispatch(event_ids=[e.pk for e in events], organisation_id=organisation.pk)
        return len(recorded), len(dispatched)

    assert statements(2) == statements(20)


def test_an_unknown_topic_refuses_the_whole_batch(organisation, system):
    with pytest.raises(ValueError, match="Unknown event topic"):
        record_events(organisation, [(CREATED, {"id": 1}), ("no.such.topic", {})], actor=system)
    assert not OutboxEvent.objects.exists()
