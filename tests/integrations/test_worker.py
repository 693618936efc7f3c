"""Delivery with REAL processes (CI's PostgreSQL + Redis pass): a Celery worker subprocess consuming
from Redis, Celery beat for the sweep, gunicorn recording events, and a private redis-server that is
stopped for real. Nothing here runs in-process: the test process only writes rows and watches the
receiver and the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import httpx
import pytest
from django.db import transaction
from standardwebhooks import Webhook

from integrations.choices import AttemptOutcome, DeliveryStatus
from integrations.models import OutboxEvent, WebhookDelivery
from integrations.outbox import record_events
from organisations import services as organisation_services
from organisations.actors import system_actor
from tests.conftest import issue_token
from tests.organisations.factories import OAuthApplicationFactory, OfficeFactory, OrganisationFactory
from trackyoursheets.celery import app as celery_app

from .processes import CeleryBeat, CeleryWorker, Gunicorn, RedisServer, wait_until
from .receiver import Answer

#: the test process publishes to the broker; a worker subprocess consumes (see conftest._celery_mode)
CELERY_EAGER = False

pytestmark = [
    pytest.mark.requires_postgres,
    pytest.mark.requires_redis,
    pytest.mark.django_db(transaction=True),
]


def verify_trackyoursheets_signature(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The recipe of the API guide."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamp = next((value for name, value in fields if name == "t"), None)
    if timestamp is None or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, value) for name, value in fields if name == "v1")


@pytest.fixture
def broker_url() -> str:
    celery_app.control.purge()  # messages left by other tests (other databases) are not ours
    return celery_app.conf.broker_url


@pytest.fixture
def processes():
    """Started processes, stopped (or killed) at the end whatever happens."""
    started = []

    def start(process):
        started.append(process)
        return process.start()

    yield start
    for process in reversed(started):
        process.stop()


@pytest.fixture
def worker(broker_url, processes):
    return processes(CeleryWorker(broker_url))


def subscribe(api, receiver, topics=("*",), path="/hook") -> dict:
    response = api.post("/v1/webhooks", {"url": receiver.url(path), "topics": list(topics)}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def delivery_states(**filters) -> list[str]:
    return list(WebhookDelivery.objects.filter(**filters).order_by("id").values_list("status", flat=True))


def wait_for_states(expected: list[str], timeout: float = 30, **filters) -> None:
    wait_until(lambda: delivery_states(**filters) == expected, timeout, f"deliveries {expected}")


# =============================================================================
# Retries and signatures through a real worker
# =============================================================================


def test_a_worker_delivers_on_the_third_attempt_after_two_500s(worker, receiver, api, office):
    subscription = subscribe(api, receiver)
    receiver.script(500, 500, 200)

    api.post("/v1/workspaces", {"name": "North Pod", "office_id": office.pk}, format="json")

    requests = receiver.wait_for(3, timeout=30)
    wait_for_states(["delivered"])
    event = OutboxEvent.objects.get(topic="organisation.workspace.created")
    assert [r.event_id for r in requests] == [event.pk] * 3
    last = requests[-1]
    assert Webhook(subscription["secret"]).verify(last.body, last.headers) == last.json
    header = last.headers["x-trackyoursheets-signature"]
    assert verify_trackyoursheets_signature(subscription["secret"], header, last.body)
    assert list(WebhookDelivery.objects.get().attempts.values_list("number", "status_code")) == [
        (1, 500),
        (2, 500),
        (3, 200),
    ]


def test_receiver_down_for_the_whole_schedule_fails_then_redelivery_succeeds(worker, receiver, api, office):
    subscription = subscribe(api, receiver)
    receiver.stop()

    api.post("/v1/workspaces", {"name": "North Pod", "office_id": office.pk}, format="json")

    wait_for_states(["failed"])
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempt_count == 4
    receiver.start()
    response = api.post(f"/v1/webhooks/{subscription['id']}/deliveries/{delivery.pk}/redeliver")
    assert response.status_code == 202
    [request] = receiver.wait_for(1, timeout=30)
    assert request.event_id == delivery.event_id
    wait_for_states(["delivered"])


# =============================================================================
# Never lost
# =============================================================================


def test_events_recorded_while_no_worker_runs_are_delivered_once_it_starts(
    broker_url, processes, receiver, api, other_api, office, organisation, other_organisation
):
    """Topic filtering and tenancy hold too: each subscription gets exactly its organisation's topics."""
    workspaces = subscribe(api, receiver, topics=["organisation.workspace.created"], path="/workspaces")
    producers = subscribe(api, receiver, topics=["organisation.producer.created"], path="/producers")
    theirs = subscribe(other_api, receiver, topics=["*"], path="/rival")
    rival_office = OfficeFactory(organisation=other_organisation)

    created = [
        api.post("/v1/workspaces", {"name": f"Pod {n}", "office_id": office.pk}, format="json").json() for n in range(5)
    ]
    api.post("/v1/producers", {"display_name": "Paula", "workspace_id": created[0]["id"]}, format="json")
    other_api.post("/v1/workspaces", {"name": "Rival Pod", "office_id": rival_office.pk}, format="json")
    time.sleep(0.5)
    assert receiver.requests == []  # queued in Redis, nobody consuming

    processes(CeleryWorker(broker_url))

    receiver.wait_for(7, timeout=30)
    wait_for_states(["delivered"] * 7)
    time.sleep(0.5)  # nothing more arrives
    by_path = {}
    for request in receiver.requests:
        by_path.setdefault(request.path, set()).add(request.event_id)
    ours = OutboxEvent.objects.filter(organisation=organisation)
    assert by_path == {
        "/workspaces": set(ours.filter(topic="organisation.workspace.created").values_list("id", flat=True)),
        "/producers": set(ours.filter(topic="organisation.producer.created").values_list("id", flat=True)),
        "/rival": set(OutboxEvent.objects.filter(organisation=other_organisation).values_list("id", flat=True)),
    }
    assert all(r.json["organisation_id"] == other_organisation.pk for r in receiver.requests if r.path == "/rival")
    counts = {s["id"]: WebhookDelivery.objects.filter(subscription_id=s["id"]).count() for s in (workspaces, producers)}
    counts[theirs["id"]] = WebhookDelivery.objects.filter(subscription_id=theirs["id"]).count()
    assert counts == {workspaces["id"]: 5, producers["id"]: 1, theirs["id"]: 1}


def test_nothing_is_lost_while_the_broker_is_down(processes, receiver):
    """A private Redis is the broker of a worker, beat and gunicorn; it is stopped while events are
    recorded through the API, then started again: every event arrives, and each event has exactly
    one delivery row per subscription (duplicates at the receiver only as at-least-once allows)."""
    redis = processes(RedisServer())
    worker = processes(CeleryWorker(redis.url))
    processes(CeleryBeat(redis.url))
    server = processes(Gunicorn(redis.url))
    organisation = OrganisationFactory()
    office = OfficeFactory(organisation=organisation)
    token = issue_token(OAuthApplicationFactory(organisation=organisation, scopes="workspaces.write webhooks.manage"))
    headers = {"Authorization": f"Bearer {token}"}
    first = httpx.post(server.url("/v1/webhooks"), json={"url": receiver.url("/a"), "topics": ["*"]}, headers=headers)
    second = httpx.post(server.url("/v1/webhooks"), json={"url": receiver.url("/b"), "topics": ["*"]}, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)

    redis.stop()
    statuses = [
        httpx.post(
            server.url("/v1/workspaces"), json={"name": f"Pod {n}", "office_id": office.pk}, headers=headers, timeout=30
        ).status_code
        for n in range(10)
    ]
    time.sleep(0.5)
    undispatched = OutboxEvent.objects.filter(organisation=organisation, dispatched_at__isnull=True).count()
    received_while_down = len(receiver.requests)
    redis.start()
    if not worker.running:
        # kombu's Redis transport can kill a worker that holds an unacknowledged message (acks late:
        # the 1-second sweep still running) when the broker goes away ("Restoring 1 unacknowledged
        # message(s)", then "Unrecoverable error: AttributeError ... 'hostname'"); a supervisor
        # starts it again, as here. The events recorded meanwhile wait in the database either way.
        worker.start()

    receiver.wait_for(20, timeout=60)
    wait_for_states(["delivered"] * 20, timeout=30, organisation=organisation)
    assert statuses == [201] * 10  # a broker outage never fails the change
    assert (undispatched, received_while_down) == (10, 0)
    event_ids = set(OutboxEvent.objects.filter(organisation=organisation).values_list("id", flat=True))
    for path in ("/a", "/b"):
        assert {r.event_id for r in receiver.requests if r.path == path} == event_ids  # each at least once
    pairs = list(WebhookDelivery.objects.values_list("event_id", "subscription_id"))
    assert len(pairs) == len(set(pairs)) == 20  # exactly one delivery per event and subscription


def test_a_delivery_whose_worker_was_killed_mid_request_is_sent_again(broker_url, processes, receiver, api, office):
    subscribe(api, receiver)
    receiver.script(Answer(200, delay=20))  # the first request hangs: the worker dies while waiting
    doomed = processes(CeleryWorker(broker_url))

    api.post("/v1/workspaces", {"name": "North Pod", "office_id": office.pk}, format="json")
    receiver.wait_for(1, timeout=30)
    doomed.kill()  # SIGKILL: no acknowledgement, no cleanup, its claim stays until the lease (3 s) runs out
    processes(CeleryWorker(broker_url))
    processes(CeleryBeat(broker_url))

    requests = receiver.wait_for(2, timeout=30)
    wait_for_states(["delivered"])
    assert requests[0].event_id == requests[1].event_id
    assert [r.headers["x-trackyoursheets-attempt"] for r in requests] == ["1", "2"]
    assert list(WebhookDelivery.objects.get().attempts.values_list("number", "outcome")) == [
        (1, AttemptOutcome.INTERRUPTED),
        (2, AttemptOutcome.SUCCESS),
    ]


def test_an_organisation_never_has_more_than_its_maximum_in_flight(broker_url, processes, receiver, api, office):
    subscribe(api, receiver)
    receiver.default = Answer(200, delay=0.3)
    processes(CeleryWorker(broker_url, concurrency=8, TEST_WEBHOOK_MAX_IN_FLIGHT="2"))

    for n in range(8):
        api.post("/v1/workspaces", {"name": f"Pod {n}", "office_id": office.pk}, format="json")

    receiver.wait_for(8, timeout=60)
    wait_for_states([DeliveryStatus.DELIVERED] * 8, timeout=30)
    assert receiver.max_active == 2


def test_a_worker_runs_the_system_actor_path_too(worker, receiver, api, organisation, office):
    """Events recorded by commands and tasks (no request) are delivered the same way."""
    subscribe(api, receiver)

    organisation_services.workspace_create(actor=system_actor(organisation), office=office, name="From a command")

    [request] = receiver.wait_for(1, timeout=30)
    assert request.json["data"]["name"] == "From a command"


# =============================================================================
# Events recorded together (a bulk approval): one task fans the batch out in the worker
# =============================================================================


def test_a_worker_fans_a_batch_out_once_per_event_and_subscription(worker, receiver, api, organisation):
    everything = subscribe(api, receiver, path="/all")
    created_only = subscribe(api, receiver, topics=["organisation.workspace.created"], path="/created")
    actor = system_actor(organisation)

    with transaction.atomic():  # committed for real: the batch task goes through Redis to the worker
        events = record_events(
            organisation,
            [
                ("organisation.workspace.created", {"id": 1}),
                ("organisation.workspace.updated", {"id": 1}),
                ("organisation.workspace.created", {"id": 2}),
            ],
            actor=actor,
        )

    requests = receiver.wait_for(5, timeout=30)
    wait_for_states(["delivered"] * 5)
    first, second, third = (e.pk for e in events)
    assert sorted((r.path, r.event_id) for r in requests) == sorted(
        [("/all", first), ("/all", second), ("/all", third), ("/created", first), ("/created", third)]
    )
    secrets = {"/all": everything["secret"], "/created": created_only["secret"]}
    for request in requests:
        assert Webhook(secrets[request.path]).verify(request.body, request.headers) == request.json
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()
