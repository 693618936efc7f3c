"""Delivery through the whole pipeline to a real receiver on 127.0.0.1, with Celery in-process
(the embedded default): body, headers, signatures, retries, failure, redelivery, topic
filtering, tenancy, disabling, rotation and the sweep."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from integrations import services, tasks
from integrations.choices import AttemptOutcome, DeliveryStatus
from integrations.models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription
from organisations import services as structure
from organisations.choices import Role
from organisations.models import AuditEvent
from tests.organisations.factories import ProducerFactory

from .conftest import TEST_RETRY_SCHEDULE
from .factories import FACTORY_SECRET, WebhookDeliveryFactory, WebhookSubscriptionFactory
from .receiver import Answer

pytestmark = pytest.mark.django_db


def verify_trackyoursheets_signature(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The receiver's recipe of the API guide, copied verbatim: the test proves the documentation."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamp = next((value for name, value in fields if name == "t"), None)
    if timestamp is None or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False  # missing, or too old or too new: a replay
    expected = hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, value) for name, value in fields if name == "v1")


def subscribe(api, receiver, topics=("*",), path="/hook", **extra) -> dict:
    response = api.post("/v1/webhooks", {"url": receiver.url(path), "topics": list(topics), **extra}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def create_workspace(api, office, committed, name="North Pod") -> dict:
    with committed():
        response = api.post("/v1/workspaces", {"name": name, "office_id": office.pk}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


# =============================================================================
# What arrives
# =============================================================================


def test_an_event_arrives_with_the_documented_body_and_headers(api, receiver, committed, office, organisation):
    subscription = subscribe(api, receiver)

    workspace = create_workspace(api, office, committed)

    [request] = receiver.wait_for(1)
    event = OutboxEvent.objects.get(topic="organisation.workspace.created")
    assert request.path == "/hook"
    assert request.json == {
        "id": event.pk,
        "topic": "organisation.workspace.created",
        "created_at": event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "organisation_id": organisation.pk,
        "data": {
            "id": workspace["id"],
            "name": "North Pod",
            "office_id": office.pk,
            "status": "active",
            "agent_membership_ids": [],
        },
    }
    headers = request.headers
    assert headers["content-type"] == "application/json"
    assert headers["x-trackyoursheets-event-id"] == str(event.pk)
    assert headers["x-trackyoursheets-topic"] == "organisation.workspace.created"
    assert headers["webhook-id"] == str(event.pk)
    assert headers["webhook-timestamp"].isdigit()
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 10
    signature = headers["x-trackyoursheets-signature"]
    assert signature.startswith(f"t={headers['webhook-timestamp']},v1=")
    assert len(signature.split(",")) == 2
    assert headers["webhook-signature"].startswith("v1,")
    assert len(headers["webhook-signature"].split(" ")) == 1
    assert verify_trackyoursheets_signature(subscription["secret"], signature, request.body)
    assert Webhook(subscription["secret"]).verify(request.body, headers) == request.json
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempt_count, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert delivery.subscription_id == subscription["id"]
    assert OutboxEvent.objects.get(pk=event.pk).dispatched_at is not None


def test_a_tampered_body_or_wrong_secret_does_not_verify(api, receiver, committed, office):
    subscription = subscribe(api, receiver)
    create_workspace(api, office, committed)
    [request] = receiver.wait_for(1)
    tampered = request.body.replace(b"North Pod", b"South Pod")

    header = request.headers["x-trackyoursheets-signature"]
    assert not verify_trackyoursheets_signature(subscription["secret"], header, tampered)
    assert not verify_trackyoursheets_signature(FACTORY_SECRET, header, request.body)
    with pytest.raises(WebhookVerificationError):
        Webhook(subscription["secret"]).verify(tampered, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(FACTORY_SECRET).verify(request.body, request.headers)


# =============================================================================
# Retries, failure, redelivery
# =============================================================================


def test_500_twice_then_200_is_delivered_on_the_third_attempt(api, receiver, committed, office):
    subscribe(api, receiver)
    receiver.script(500, 500, 200)

    create_workspace(api, office, committed)

    requests = receiver.wait_for(3)
    assert len({r.event_id for r in requests}) == 1
    assert [r.headers["x-trackyoursheets-attempt"] for r in requests] == ["1", "2", "3"]
    gaps = [b.at - a.at for a, b in zip(requests, requests[1:], strict=False)]
    for gap, scheduled in zip(gaps, TEST_RETRY_SCHEDULE, strict=False):
        assert gap >= scheduled * 0.8 - 0.01  # exponential backoff with ±20 % jitter
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempt_count == 3
    assert list(delivery.attempts.values_list("number", "outcome", "status_code")) == [
        (1, AttemptOutcome.HTTP_ERROR, 500),
        (2, AttemptOutcome.HTTP_ERROR, 500),
        (3, AttemptOutcome.SUCCESS, 200),
    ]
    assert WebhookSubscription.objects.get().consecutive_failures == 0


@pytest.mark.django_db(transaction=True)
def test_receiver_down_for_the_whole_schedule_fails_then_redeliver_succeeds(api, receiver, committed, office):
    """Committing for real (as a request does): the in-process delivery ends before the answer."""
    subscription = subscribe(api, receiver)
    receiver.stop()

    create_workspace(api, office, committed)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempt_count == 1 + len(TEST_RETRY_SCHEDULE)  # the first try and three retries
    assert set(delivery.attempts.values_list("outcome", flat=True)) == {AttemptOutcome.NETWORK_ERROR}
    assert delivery.next_attempt_at is None
    assert receiver.requests == []

    receiver.start()  # back, on the same port
    response = api.post(f"/v1/webhooks/{subscription['id']}/deliveries/{delivery.pk}/redeliver")

    assert response.status_code == 202
    assert response.json()["status"] == "delivered"
    assert response.json()["attempt_count"] == 5
    [request] = receiver.wait_for(1)
    assert request.event_id == delivery.event_id
    # the header stays within its documented range (1 to 4); the log counts on (issue 13 point 12)
    assert request.headers["x-trackyoursheets-attempt"] == "1"
    assert WebhookDelivery.objects.get().attempts.order_by("-number").first().number == 5
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_timeout_is_a_failed_attempt_and_retried(api, receiver, committed, office, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    subscribe(api, receiver)
    receiver.script(Answer(200, delay=1.0), 200)

    create_workspace(api, office, committed)

    attempts = list(WebhookAttempt.objects.order_by("number").values_list("outcome", "error"))
    assert attempts == [
        (AttemptOutcome.TIMEOUT, "No answer within 0.3 seconds."),
        (AttemptOutcome.SUCCESS, ""),
    ]
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_the_response_body_is_kept_truncated(api, receiver, committed, office):
    subscribe(api, receiver)
    receiver.script(Answer(503, body=b"x" * 10_000))
    receiver.script(200)

    create_workspace(api, office, committed)

    first = WebhookAttempt.objects.get(number=1)
    assert (first.status_code, len(first.response_body)) == (503, 2048)
    assert first.error == "The receiver answered 503."


# =============================================================================
# Who receives what
# =============================================================================


def test_only_subscriptions_wanting_the_topic_receive_it(api, receiver, committed, office, organisation):
    workspaces_only = subscribe(api, receiver, topics=["organisation.workspace.created"], path="/workspaces")
    producers_only = subscribe(api, receiver, topics=["organisation.producer.created"], path="/producers")
    everything = subscribe(api, receiver, topics=["*"], path="/everything")

    workspace = create_workspace(api, office, committed)
    with committed():
        api.post("/v1/producers", {"display_name": "Paula", "workspace_id": workspace["id"]}, format="json")

    requests = receiver.wait_for(4)
    assert sorted((r.path, r.json["topic"]) for r in requests) == [
        ("/everything", "organisation.producer.created"),
        ("/everything", "organisation.workspace.created"),
        ("/producers", "organisation.producer.created"),
        ("/workspaces", "organisation.workspace.created"),
    ]
    assert sorted(WebhookDelivery.objects.values_list("subscription_id", flat=True)) == sorted(
        [workspaces_only["id"], producers_only["id"], everything["id"], everything["id"]]
    )


def test_another_organisations_subscription_never_receives_an_event(
    api, other_api, receiver, committed, office, organisation, other_organisation
):
    subscribe(other_api, receiver, topics=["*"], path="/rival")
    ours = subscribe(api, receiver, topics=["*"], path="/ours")

    create_workspace(api, office, committed)
    time.sleep(0.2)

    assert [r.path for r in receiver.requests] == ["/ours"]
    assert receiver.requests[0].json["organisation_id"] == organisation.pk
    assert list(WebhookDelivery.objects.values_list("subscription_id", "organisation_id")) == [
        (ours["id"], organisation.pk)
    ]


def test_an_inactive_subscription_receives_nothing(api, receiver, committed, office):
    subscribe(api, receiver, is_active=False)

    create_workspace(api, office, committed)
    time.sleep(0.2)

    assert receiver.requests == []
    assert WebhookDelivery.objects.count() == 0


def test_a_rolled_back_change_sends_nothing(api, receiver, committed, office, system):
    subscribe(api, receiver)

    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        services.record_event(system.organisation, "organisation.workspace.created", {"id": 1})
        raise RuntimeError("the change failed")

    assert OutboxEvent.objects.count() == 0
    assert receiver.requests == []


def test_an_unregistered_topic_is_refused(system):
    with pytest.raises(ValueError, match="register it"):
        services.record_event(system.organisation, "organisation.workspace.renamed", {"id": 1})


# =============================================================================
# Test pings
# =============================================================================


@pytest.mark.django_db(transaction=True)
def test_the_test_endpoint_sends_a_ping_to_that_subscription_only(api, receiver, organisation):
    target = subscribe(api, receiver, path="/target", is_active=False)
    subscribe(api, receiver, path="/other")

    response = api.post(f"/v1/webhooks/{target['id']}/test")

    assert response.status_code == 202
    assert response.json()["status"] == "delivered"
    assert response.json()["topic"] == "ping"
    [request] = receiver.wait_for(1)
    assert request.path == "/target"
    assert request.json["topic"] == "ping"
    assert request.json["data"] == {
        "subscription_id": target["id"],
        "message": "This is a test event from TrackYourSheets.",
    }
    assert Webhook(target["secret"]).verify(request.body, request.headers)["topic"] == "ping"
    log = api.get(f"/v1/webhooks/{target['id']}/deliveries").json()["results"]
    assert [(row["topic"], row["status"], row["manual"]) for row in log] == [("ping", "delivered", True)]


# =============================================================================
# Failing endpoints are disabled, and admins are told
# =============================================================================


def test_n_consecutive_failed_events_disable_the_subscription_and_email_admins(
    api, receiver, committed, office, organisation, make_member, settings
):
    settings.WEBHOOK_RETRY_SCHEDULE = [0.05]
    owner = make_member(organisation, Role.OWNER)
    admin = make_member(organisation, Role.ADMIN)
    make_member(organisation, Role.EMPLOYEE)
    subscription = subscribe(api, receiver)
    receiver.stop()

    for n in range(4):
        create_workspace(api, office, committed, name=f"Pod {n}")

    stored = WebhookSubscription.objects.get()
    assert stored.is_active is False
    assert stored.consecutive_failures == 3
    assert stored.disabled_reason == "Disabled automatically after 3 consecutive failed events."
    statuses = list(WebhookDelivery.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["failed", "failed", "failed"]  # the fourth event found it disabled: no delivery
    [message] = mail.outbox
    assert sorted(message.to) == sorted([owner.user.email, admin.user.email])
    assert message.subject == f"Webhook endpoint disabled: {subscription['url']}"
    assert f"/app/webhooks/{subscription['id']}" in message.body
    audit = AuditEvent.objects.get(action="webhooksubscription.disable")
    assert (audit.source, audit.object_id, audit.actor_label) == ("system", str(subscription["id"]), "system")


def test_a_success_resets_the_failure_count(api, receiver, committed, office):
    subscribe(api, receiver)
    receiver.script(*[500] * 4)  # the first event fails its whole schedule

    create_workspace(api, office, committed, name="Pod A")
    failed = WebhookSubscription.objects.get().consecutive_failures
    create_workspace(api, office, committed, name="Pod B")

    assert failed == 1
    assert WebhookSubscription.objects.get().consecutive_failures == 0


def test_pending_deliveries_of_a_deactivated_subscription_are_not_sent(
    api, receiver, organisation, django_capture_on_commit_callbacks
):
    subscription = subscribe(api, receiver)
    event = OutboxEvent.objects.create(organisation=organisation, topic="organisation.producer.updated", payload={})
    with django_capture_on_commit_callbacks() as sends:
        services.outbox_event_dispatch(event_id=event.pk, organisation_id=organisation.pk)

    # switched off after the event was fanned out, before its delivery ran
    WebhookSubscription.objects.filter(pk=subscription["id"]).update(is_active=False)
    for send in sends:
        send()

    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "The subscription is inactive; the event was not sent."
    assert receiver.requests == []
    assert WebhookSubscription.objects.get().consecutive_failures == 0


# =============================================================================
# Secret rotation: both secrets sign for 24 hours
# =============================================================================


def test_during_24_hours_after_a_rotation_both_secrets_sign(api, receiver, committed, office, system):
    subscription = subscribe(api, receiver)
    old_secret = subscription["secret"]

    def change_and_receive(name):
        expected = len(receiver.requests) + 1
        with committed():
            structure.workspace_create(actor=system, office=office, name=name)
        return receiver.wait_for(expected)[-1]

    def verifies(secret, request) -> bool:
        header = request.headers["x-trackyoursheets-signature"]
        by_recipe = verify_trackyoursheets_signature(secret, header, request.body)
        try:
            by_library = Webhook(secret).verify(request.body, request.headers) == request.json
        except WebhookVerificationError:
            by_library = False
        assert by_recipe == by_library
        return by_recipe

    with time_machine.travel(timezone.now(), tick=True) as traveller:
        new_secret = api.post(f"/v1/webhooks/{subscription['id']}/rotate-secret").json()["secret"]
        during = change_and_receive("During the grace")
        during_checks = (verifies(new_secret, during), verifies(old_secret, during))
        traveller.shift(timedelta(hours=23, minutes=59))
        late = change_and_receive("At the end of the grace")
        late_checks = (verifies(new_secret, late), verifies(old_secret, late))
        traveller.shift(timedelta(minutes=2))
        after = change_and_receive("After the grace")
        after_checks = (verifies(new_secret, after), verifies(old_secret, after))

    assert (during_checks, late_checks, after_checks) == ((True, True), (True, True), (True, False))
    for request in (during, late):  # v1,<new> v1,<old>; t=…,v1=<new>,v1=<old>
        assert len(request.headers["webhook-signature"].split(" ")) == 2
        assert len(request.headers["x-trackyoursheets-signature"].split(",")) == 3
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert len(after.headers["x-trackyoursheets-signature"].split(",")) == 2


def test_rotating_again_keeps_only_the_newest_previous_secret(api, receiver, committed, office):
    subscription = subscribe(api, receiver)
    second = api.post(f"/v1/webhooks/{subscription['id']}/rotate-secret").json()["secret"]
    third = api.post(f"/v1/webhooks/{subscription['id']}/rotate-secret").json()["secret"]

    create_workspace(api, office, committed)

    [request] = receiver.wait_for(1)
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(third).verify(request.body, request.headers)
    Webhook(second).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(subscription["secret"]).verify(request.body, request.headers)


# =============================================================================
# Never lost: the sweep, idempotent dispatch, the in-flight cap, crashed workers
# =============================================================================


def test_the_sweep_delivers_what_was_never_enqueued(api, receiver, office, organisation, settings, committed):
    settings.WEBHOOK_SWEEP_GRACE_SECONDS = 0
    subscribe(api, receiver)
    # the broker was down: the change and its event committed, the dispatch message never left
    producer = ProducerFactory(workspace__office=office)
    event = OutboxEvent.objects.create(
        organisation=organisation, topic="organisation.producer.updated", payload={"id": producer.pk}
    )

    with committed():
        tasks.webhook_delivery_sweep_task.apply()

    [request] = receiver.wait_for(1)
    assert request.event_id == event.pk
    assert OutboxEvent.objects.get(pk=event.pk).dispatched_at is not None


def test_the_sweep_leaves_recent_events_to_the_normal_path(api, receiver, organisation, committed):
    subscribe(api, receiver)
    OutboxEvent.objects.create(organisation=organisation, topic="organisation.producer.updated", payload={})

    result = services.webhook_sweep()

    assert (result.events, result.deliveries) == (0, 0)


def test_dispatching_twice_makes_one_delivery_per_subscription(api, receiver, organisation, committed):
    first = subscribe(api, receiver, path="/a")
    second = subscribe(api, receiver, path="/b")
    event = OutboxEvent.objects.create(organisation=organisation, topic="organisation.producer.updated", payload={})

    with committed():
        created = services.outbox_event_dispatch(event_id=event.pk, organisation_id=organisation.pk)
        again = services.outbox_event_dispatch(event_id=event.pk, organisation_id=organisation.pk)

    assert (len(created), again) == (2, [])
    assert sorted(WebhookDelivery.objects.values_list("subscription_id", flat=True)) == [first["id"], second["id"]]
    assert sorted(r.path for r in receiver.wait_for(2)) == ["/a", "/b"]


def test_a_delivery_is_held_while_its_organisation_has_the_maximum_in_flight(
    api, receiver, organisation, committed, settings
):
    settings.WEBHOOK_MAX_IN_FLIGHT_PER_ORGANISATION = 1
    subscribe(api, receiver)
    first = OutboxEvent.objects.create(organisation=organisation, topic="organisation.producer.updated", payload={})
    second = OutboxEvent.objects.create(organisation=organisation, topic="organisation.producer.updated", payload={})
    services.outbox_event_dispatch(event_id=first.pk, organisation_id=organisation.pk)
    services.outbox_event_dispatch(event_id=second.pk, organisation_id=organisation.pk)
    busy, waiting = WebhookDelivery.objects.order_by("id")
    # another worker is sending the first one right now
    WebhookDelivery.objects.filter(pk=busy.pk).update(
        status=DeliveryStatus.DELIVERING, lease_token="x", lease_expires_at=timezone.now() + timedelta(seconds=30)
    )

    held = services.webhook_delivery_attempt(delivery_id=waiting.pk, organisation_id=organisation.pk)
    WebhookDelivery.objects.filter(pk=busy.pk).update(status=DeliveryStatus.DELIVERED, lease_token="")
    sent = services.webhook_delivery_attempt(delivery_id=waiting.pk, organisation_id=organisation.pk)

    assert held.state == "busy"
    assert (sent.state, sent.status) == ("sent", DeliveryStatus.DELIVERED)
    assert [r.event_id for r in receiver.requests] == [second.pk]


def test_a_delivery_whose_worker_died_is_tried_again(api, receiver, organisation, committed, settings):
    settings.WEBHOOK_SWEEP_GRACE_SECONDS = 0
    subscribe(api, receiver)
    event = OutboxEvent.objects.create(organisation=organisation, topic="organisation.producer.updated", payload={})
    services.outbox_event_dispatch(event_id=event.pk, organisation_id=organisation.pk)
    delivery = WebhookDelivery.objects.get()
    # a worker claimed it, then died mid-request: its lease ran out a second ago
    started = timezone.now() - timedelta(seconds=61)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DELIVERING,
        attempt_count=1,
        round_attempts=1,
        last_attempt_at=started,
        lease_token="dead-worker",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
        next_attempt_at=None,
    )

    with committed():
        swept = services.webhook_sweep()

    assert swept.deliveries == 1
    [request] = receiver.wait_for(1)
    assert request.headers["x-trackyoursheets-attempt"] == "2"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert list(delivery.attempts.values_list("number", "outcome")) == [
        (1, AttemptOutcome.INTERRUPTED),
        (2, AttemptOutcome.SUCCESS),
    ]


def test_an_attempt_that_is_not_due_does_nothing(api, receiver, organisation):
    subscribe(api, receiver)
    event = OutboxEvent.objects.create(organisation=organisation, topic="organisation.producer.updated", payload={})
    services.outbox_event_dispatch(event_id=event.pk, organisation_id=organisation.pk)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))

    result = services.webhook_delivery_attempt(delivery_id=delivery.pk, organisation_id=organisation.pk)
    wrong_tenant = services.webhook_delivery_attempt(delivery_id=delivery.pk, organisation_id=organisation.pk + 1)

    assert (result.state, wrong_tenant.state) == ("not_due", "not_due")
    assert receiver.requests == []


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_one_delivery_send_it_once(receiver, organisation):
    """Sixteen workers claim the same due delivery at once: one sends, the others find it taken."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    delivery_id = WebhookDeliveryFactory(
        subscription=WebhookSubscriptionFactory(organisation=organisation, url=receiver.url()),
        status=DeliveryStatus.PENDING,
        attempt_count=0,
        round_attempts=0,
        delivered_at=None,
        last_status_code=None,
        next_attempt_at=timezone.now(),
    ).pk
    receiver.default = Answer(200, delay=0.2)

    def attempt(_):
        try:
            return services.webhook_delivery_attempt(delivery_id=delivery_id, organisation_id=organisation.pk).state
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        states = list(pool.map(attempt, range(16)))

    assert sorted(states) == ["not_due"] * 15 + ["sent"]
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().attempt_count == 1


def test_task_events_are_delivered_to_a_subscription_wanting_them(api, receiver, committed, organisation):
    from tests.timetracking.factories import ProjectFactory

    project = ProjectFactory(client__organisation=organisation)
    subscribe(api, receiver, topics=["time.task.created", "time.task.completed"], path="/tasks")

    with committed():
        created = api.post(
            "/v1/tasks", {"project_id": project.pk, "name": "Login", "estimated_hours": "6"}, format="json"
        )
    with committed():
        api.patch(f"/v1/tasks/{created.json()['id']}", {"name": "Log in"}, format="json")  # updated: not wanted
    with committed():
        api.patch(f"/v1/tasks/{created.json()['id']}", {"status": "done"}, format="json")

    requests = receiver.wait_for(2)
    assert [(r.path, r.json["topic"]) for r in requests] == [
        ("/tasks", "time.task.created"),
        ("/tasks", "time.task.completed"),
    ]
    assert requests[1].json["data"] == {
        "id": created.json()["id"],
        "project_id": project.pk,
        "name": "Log in",
        "status": "done",
        "priority": 3,
        "assignee_id": None,
        "estimated_hours": "6.00",
    }
    assert list(OutboxEvent.objects.order_by("id").values_list("topic", flat=True)) == [
        "time.task.created",
        "time.task.updated",
        "time.task.completed",
    ]
