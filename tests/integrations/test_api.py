"""The webhook REST API: CRUD, secrets shown once, topics, scopes, roles, problems, tenancy, logs."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from integrations import crypto
from integrations.choices import DeliveryStatus
from integrations.events import topic_list
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.services import MAX_SUBSCRIPTIONS_PER_ORGANISATION
from organisations.choices import Role
from organisations.models import AuditEvent
from organisations.plans import PlanCode
from tests.integrations.factories import (
    WebhookAttemptFactory,
    WebhookDeliveryFactory,
    WebhookSubscriptionFactory,
    assert_secret_format,
)

pytestmark = pytest.mark.django_db

CONTRACT_TOPICS = {"payroll.run.approved", "hr.complaint.created", "import.batch.completed", "report.export.ready"}
ORGANISATION_TOPICS = {
    "organisation.workspace.created",
    "organisation.workspace.updated",
    "organisation.producer.created",
    "organisation.producer.updated",
    "organisation.member.invited",
}
PAYROLL_TOPICS = {"payroll.transaction.created", "payroll.transaction.updated", "payroll.override.created"}


def create(api, **body):
    payload = {"url": "https://hooks.example.com/tys", "topics": ["payroll.run.approved"], **body}
    return api.post("/v1/webhooks", payload, format="json")


# =============================================================================
# Create, read, update, delete
# =============================================================================


def test_create_shows_the_secret_once_and_stores_it_encrypted(api, organisation):
    response = create(api, description="Finance sync")

    assert response.status_code == 201
    body = response.json()
    assert_secret_format(body["secret"])
    assert body["secret_hint"] == body["secret"][:10]
    assert response["Location"].endswith(f"/v1/webhooks/{body['id']}")
    assert response["Cache-Control"] == "no-store"
    assert {k: body[k] for k in ("url", "topics", "description", "is_active", "consecutive_failures")} == {
        "url": "https://hooks.example.com/tys",
        "topics": ["payroll.run.approved"],
        "description": "Finance sync",
        "is_active": True,
        "consecutive_failures": 0,
    }
    stored = WebhookSubscription.objects.get()
    assert stored.organisation == organisation
    assert body["secret"] not in stored.secret_encrypted
    assert crypto.decrypt(stored.secret_encrypted) == body["secret"]
    detail = api.get(f"/v1/webhooks/{body['id']}").json()
    assert "secret" not in detail
    assert detail["secret_hint"] == body["secret_hint"]


def test_list_update_and_delete(api):
    first = create(api).json()
    second = create(api, url="https://other.example.com/hook", topics=["*"]).json()

    listed = api.get("/v1/webhooks").json()
    patched = api.patch(
        f"/v1/webhooks/{first['id']}",
        {"topics": ["hr.complaint.created", "payroll.run.approved"], "description": "HR", "is_active": False},
        format="json",
    )
    deleted = api.delete(f"/v1/webhooks/{second['id']}")

    assert [row["id"] for row in listed["results"]] == [first["id"], second["id"]]
    assert all("secret" not in row for row in listed["results"])
    assert patched.status_code == 200
    assert patched.json()["topics"] == ["hr.complaint.created", "payroll.run.approved"]
    assert patched.json()["is_active"] is False
    assert patched.json()["disabled_reason"].startswith("Deactivated by oauth:")
    assert deleted.status_code == 204
    assert api.get(f"/v1/webhooks/{second['id']}").status_code == 404
    assert list(WebhookSubscription.objects.values_list("id", flat=True)) == [first["id"]]


def test_star_means_every_topic_and_absorbs_the_others(api):
    response = create(api, topics=["payroll.run.approved", "*"])

    assert response.json()["topics"] == ["*"]


def test_reactivating_clears_the_failure_count(api, organisation):
    subscription = WebhookSubscriptionFactory(
        organisation=organisation,
        is_active=False,
        consecutive_failures=3,
        disabled_at=timezone.now(),
        disabled_reason="Disabled automatically after 3 consecutive failed events.",
    )

    body = api.patch(f"/v1/webhooks/{subscription.pk}", {"is_active": True}, format="json").json()

    assert (body["is_active"], body["consecutive_failures"], body["disabled_at"], body["disabled_reason"]) == (
        True,
        0,
        None,
        "",
    )


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"topics": ["payroll.run.exploded"]}, "topics", "Unknown topic: payroll.run.exploded."),
        ({"topics": []}, "topics", "This list may not be empty."),
        ({"url": "not a url"}, "url", "Enter a valid URL."),
        ({"url": "ftp://files.example.com/in"}, "url", "Enter a valid URL."),
        ({"url": "https://user:pw@hooks.example.com/"}, "url", "Do not put credentials in the URL"),
        ({"description": "x" * 501}, "description", "Ensure this field has no more than 500 characters."),
    ],
)
def test_invalid_input_is_a_422_naming_the_field(api, body, field, message):
    response = create(api, **body)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert list(problem["errors"]) == [field]
    assert problem["errors"][field][0].startswith(message)
    assert WebhookSubscription.objects.count() == 0


def test_an_organisation_has_at_most_twenty_subscriptions(api, organisation):
    WebhookSubscriptionFactory.create_batch(MAX_SUBSCRIPTIONS_PER_ORGANISATION, organisation=organisation)

    response = create(api)

    assert response.status_code == 422
    assert response.json()["type"].endswith("/plan-limit")
    assert response.json()["limit"] == MAX_SUBSCRIPTIONS_PER_ORGANISATION


def test_a_plan_without_webhooks_cannot_subscribe(organisation, make_api_client):
    organisation.plan = PlanCode.STARTER
    organisation.save()

    response = create(make_api_client(organisation))

    assert response.status_code == 403
    assert response.json()["detail"] == "Your organisation's plan or settings do not include webhooks."


def test_an_idempotent_replay_of_create_never_repeats_the_secret(api):
    first = api.post(
        "/v1/webhooks",
        {"url": "https://hooks.example.com/x", "topics": ["*"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="create-hook-1",
    )
    replay = api.post(
        "/v1/webhooks",
        {"url": "https://hooks.example.com/x", "topics": ["*"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="create-hook-1",
    )

    assert first.json()["secret"].startswith("whsec_")
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    assert replay.json()["secret"] is None
    assert WebhookSubscription.objects.count() == 1


def test_secrets_never_reach_the_audit_trail(api):
    created = create(api).json()
    rotated = api.post(f"/v1/webhooks/{created['id']}/rotate-secret").json()

    trail = json.dumps(list(AuditEvent.objects.values("action", "changes")))

    assert created["secret"] not in trail
    assert rotated["secret"] not in trail
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "webhooksubscription.create",
        "webhooksubscription.rotate_secret",
    ]


# =============================================================================
# Topics
# =============================================================================


def test_topics_lists_the_catalogue(api):
    response = api.get("/v1/webhooks/topics?page_size=100")

    assert response.status_code == 200
    rows = response.json()["results"]
    # later apps add their own topics; these are the contract's and the first apps'
    assert {row["name"] for row in rows} >= CONTRACT_TOPICS | ORGANISATION_TOPICS | PAYROLL_TOPICS
    assert response.json()["pagination"]["total"] == len(rows) == len(topic_list())
    assert [row["name"] for row in rows] == sorted(row["name"] for row in rows)
    approved = next(row for row in rows if row["name"] == "payroll.run.approved")
    assert approved == {
        "name": "payroll.run.approved",
        "domain": "payroll",
        "description": (
            "A payroll run was approved (it moved from draft to ready or paid; its payload's status says which)."
        ),
    }


# =============================================================================
# Rotation
# =============================================================================


def test_rotating_returns_a_new_secret_and_keeps_the_old_one_for_24_hours(api):
    created = create(api).json()

    frozen = timezone.now().replace(microsecond=0)
    with time_machine.travel(frozen, tick=False):
        response = api.post(f"/v1/webhooks/{created['id']}/rotate-secret")

    body = response.json()
    assert response.status_code == 200
    assert_secret_format(body["secret"])
    assert body["secret"] != created["secret"]
    assert body["secret_hint"] == body["secret"][:10]
    assert body["secret_rotated_at"] == frozen.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body["previous_secret_expires_at"] == (frozen + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%SZ")
    stored = WebhookSubscription.objects.get()
    assert crypto.decrypt(stored.secret_encrypted) == body["secret"]
    assert crypto.decrypt(stored.previous_secret_encrypted) == created["secret"]


# =============================================================================
# Scopes, roles, problems
# =============================================================================


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/v1/webhooks"),
        ("post", "/v1/webhooks"),
        ("get", "/v1/webhooks/topics"),
        ("get", "/v1/webhooks/{id}"),
        ("patch", "/v1/webhooks/{id}"),
        ("delete", "/v1/webhooks/{id}"),
        ("post", "/v1/webhooks/{id}/rotate-secret"),
        ("post", "/v1/webhooks/{id}/test"),
        ("get", "/v1/webhooks/{id}/deliveries"),
        ("get", "/v1/webhooks/{id}/deliveries/{delivery}"),
        ("post", "/v1/webhooks/{id}/deliveries/{delivery}/redeliver"),
    ],
)
def test_every_endpoint_needs_webhooks_manage(method, path, organisation, make_api_client):
    delivery = WebhookDeliveryFactory(subscription__organisation=organisation)
    api = make_api_client(organisation, scopes=["webhooks.read", "webhooks.write", "workspaces.read"])

    response = getattr(api, method)(path.format(id=delivery.subscription_id, delivery=delivery.pk), {}, format="json")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/missing-scope")
    assert response.json()["required_scope"] == "webhooks.manage"


def test_anonymous_is_401(anonymous_api):
    response = anonymous_api.get("/v1/webhooks")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.HR, Role.PRODUCER, Role.EMPLOYEE])
def test_only_owners_and_admins_manage_webhooks(role, organisation, make_member, session_client):
    client = session_client(make_member(organisation, role))

    listing = client.get("/v1/webhooks")
    creating = client.post(
        "/v1/webhooks", {"url": "https://a.example.com/", "topics": ["*"]}, content_type="application/json"
    )

    assert (listing.status_code, creating.status_code) == (403, 403)
    assert listing.json()["detail"] == "Only owners and admins can manage webhooks."
    assert WebhookSubscription.objects.count() == 0


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_owners_and_admins_manage_webhooks_in_the_browser(role, organisation, make_member, session_client):
    client = session_client(make_member(organisation, role))

    response = client.post(
        "/v1/webhooks", {"url": "https://a.example.com/", "topics": ["*"]}, content_type="application/json"
    )

    assert response.status_code == 201


def test_unsupported_method_is_a_405_problem(api, organisation):
    subscription = WebhookSubscriptionFactory(organisation=organisation)

    response = api.put(f"/v1/webhooks/{subscription.pk}", {}, format="json")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"


# =============================================================================
# Tenancy (the matrix in tests/platform/test_tenancy_matrix.py covers the rest)
# =============================================================================


def test_another_tenants_deliveries_and_redelivery_are_404(api, other_organisation):
    theirs = WebhookDeliveryFactory(subscription__organisation=other_organisation)
    sub, pk = theirs.subscription_id, theirs.pk

    responses = [
        api.get(f"/v1/webhooks/{sub}/deliveries"),
        api.get(f"/v1/webhooks/{sub}/deliveries/{pk}"),
        api.post(f"/v1/webhooks/{sub}/deliveries/{pk}/redeliver"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert all(r.json()["detail"] == "Not found." for r in responses)
    assert WebhookDelivery.objects.get(pk=pk).status == DeliveryStatus.DELIVERED


def test_a_delivery_is_only_found_under_its_own_subscription(api, organisation):
    mine = WebhookDeliveryFactory(subscription__organisation=organisation)
    other_subscription = WebhookSubscriptionFactory(organisation=organisation)

    response = api.get(f"/v1/webhooks/{other_subscription.pk}/deliveries/{mine.pk}")

    assert response.status_code == 404


# =============================================================================
# The delivery log
# =============================================================================


def test_delivery_log_shows_attempts_status_duration_body_and_next_attempt(api, organisation):
    subscription = WebhookSubscriptionFactory(organisation=organisation)
    retrying = WebhookDeliveryFactory(
        subscription=subscription,
        status=DeliveryStatus.PENDING,
        delivered_at=None,
        last_status_code=500,
        last_error="The receiver answered 500.",
        next_attempt_at=timezone.now() + timedelta(seconds=30),
        event__topic="organisation.producer.created",
    )
    WebhookAttemptFactory(
        delivery=retrying,
        number=1,
        outcome="http_error",
        status_code=500,
        duration_ms=87,
        response_body="boom",
        error="The receiver answered 500.",
    )
    done = WebhookDeliveryFactory(subscription=subscription)
    WebhookAttemptFactory(delivery=done, number=1)

    response = api.get(f"/v1/webhooks/{subscription.pk}/deliveries")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [done.pk, retrying.pk]
    row = rows[1]
    assert row["status"] == "pending"
    assert row["topic"] == "organisation.producer.created"
    assert row["event_id"] == retrying.event_id
    assert row["payload"] == retrying.event.payload
    assert row["next_attempt_at"] is not None
    assert row["attempts"] == [
        {
            "number": 1,
            "requested_at": row["attempts"][0]["requested_at"],
            "duration_ms": 87,
            "outcome": "http_error",
            "status_code": 500,
            "error": "The receiver answered 500.",
            "response_body": "boom",
        }
    ]
    filtered = api.get(f"/v1/webhooks/{subscription.pk}/deliveries?status=pending").json()["results"]
    assert [r["id"] for r in filtered] == [retrying.pk]
    assert api.get(f"/v1/webhooks/{subscription.pk}/deliveries?status=lost").status_code == 422


def test_redelivering_a_pending_delivery_is_a_409(api, organisation):
    delivery = WebhookDeliveryFactory(subscription__organisation=organisation, status=DeliveryStatus.PENDING)

    response = api.post(f"/v1/webhooks/{delivery.subscription_id}/deliveries/{delivery.pk}/redeliver")

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"


def test_subscription_filters(api, organisation):
    everything = WebhookSubscriptionFactory(organisation=organisation, topics=["*"])
    payroll = WebhookSubscriptionFactory(organisation=organisation, topics=["payroll.run.approved"])
    WebhookSubscriptionFactory(organisation=organisation, topics=["hr.complaint.created"], is_active=False)

    by_topic = api.get("/v1/webhooks?topic=payroll.run.approved").json()["results"]
    inactive = api.get("/v1/webhooks?is_active=false").json()["results"]

    assert [r["id"] for r in by_topic] == [everything.pk, payroll.pk]
    assert [r["topics"] for r in inactive] == [["hr.complaint.created"]]
