"""The webhook pages at /app/webhooks/: owners and admins list, create, edit, rotate, test, delete,
read the delivery log and redeliver; everything through the services, audited as "page"."""

from __future__ import annotations

import pytest
from django.utils import timezone

from integrations import crypto
from integrations.choices import DeliveryStatus
from integrations.models import WebhookDelivery, WebhookSubscription
from organisations.choices import Role
from organisations.models import AuditEvent

from .factories import WebhookAttemptFactory, WebhookDeliveryFactory, WebhookSubscriptionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.integrations.urls")]


@pytest.fixture
def owner_client(organisation, make_member, session_client):
    return session_client(make_member(organisation, Role.OWNER))


def form_data(url, topics=("*",), description="", is_active=True) -> dict:
    data = {"url": url, "topics": list(topics), "description": description}
    if is_active:
        data["is_active"] = "on"
    return data


@pytest.mark.parametrize("role", [Role.MANAGER, Role.HR, Role.PRODUCER, Role.EMPLOYEE])
def test_only_owners_and_admins_open_the_pages(role, organisation, make_member, session_client):
    client = session_client(make_member(organisation, role))

    assert client.get("/app/webhooks/").status_code == 403
    assert client.post("/app/webhooks/new", form_data("https://a.example.com/")).status_code == 403
    assert WebhookSubscription.objects.count() == 0


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/app/webhooks/")

    assert response.status_code == 302
    assert response["Location"].startswith("/app/login")


def test_list_shows_the_organisations_webhooks_only(owner_client, organisation, other_organisation):
    WebhookSubscriptionFactory(organisation=organisation, url="https://ours.example.com/hook")
    WebhookSubscriptionFactory(organisation=other_organisation, url="https://theirs.example.com/hook")

    html = owner_client.get("/app/webhooks/").content.decode()

    assert "https://ours.example.com/hook" in html
    assert "theirs.example.com" not in html


def test_creating_shows_the_secret_once_and_audits(owner_client, organisation):
    response = owner_client.post(
        "/app/webhooks/new", form_data("https://hooks.example.com/in", ["payroll.run.approved"], "Finance")
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    subscription = WebhookSubscription.objects.get()
    secret = crypto.decrypt(subscription.secret_encrypted)
    assert secret in response.content.decode()
    assert (subscription.url, subscription.topics, subscription.description) == (
        "https://hooks.example.com/in",
        ["payroll.run.approved"],
        "Finance",
    )
    assert secret not in owner_client.get(f"/app/webhooks/{subscription.pk}").content.decode()
    audit = AuditEvent.objects.get(action="webhooksubscription.create")
    assert (audit.source, audit.object_id) == ("page", str(subscription.pk))
    assert secret not in str(audit.changes)


def test_a_refused_url_is_shown_on_the_form(owner_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False

    response = owner_client.post("/app/webhooks/new", form_data("https://10.0.0.8/hook"))

    assert response.status_code == 200
    assert "private, loopback or link-local" in response.content.decode()
    assert WebhookSubscription.objects.count() == 0


def test_editing_saves_through_the_service_and_audits(owner_client, organisation):
    subscription = WebhookSubscriptionFactory(organisation=organisation, topics=["*"])

    response = owner_client.post(
        f"/app/webhooks/{subscription.pk}",
        form_data(subscription.url, ["hr.complaint.created"], "HR desk", is_active=False),
    )

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.topics, subscription.description, subscription.is_active) == (
        ["hr.complaint.created"],
        "HR desk",
        False,
    )
    audit = AuditEvent.objects.get(action="webhooksubscription.update")
    assert audit.changes["topics"] == [["*"], ["hr.complaint.created"]]


def test_rotating_shows_the_new_secret_once(owner_client, organisation):
    subscription = WebhookSubscriptionFactory(organisation=organisation)

    response = owner_client.post(f"/app/webhooks/{subscription.pk}/rotate-secret")

    subscription.refresh_from_db()
    new_secret = crypto.decrypt(subscription.secret_encrypted)
    html = response.content.decode()
    assert new_secret in html
    assert "The previous secret also signs every delivery until" in html
    assert subscription.previous_secret_expires_at > timezone.now()


def test_test_ping_and_the_log_and_redelivery(owner_client, organisation, receiver, committed):
    subscription = WebhookSubscriptionFactory(organisation=organisation, url=receiver.url())
    failed = WebhookDeliveryFactory(
        subscription=subscription,
        status=DeliveryStatus.FAILED,
        delivered_at=None,
        last_status_code=500,
        last_error="The receiver answered 500.",
    )
    WebhookAttemptFactory(
        delivery=failed,
        number=1,
        outcome="http_error",
        status_code=500,
        response_body="nope",
        error="The receiver answered 500.",
    )

    with committed():
        pinged = owner_client.post(f"/app/webhooks/{subscription.pk}/test")
    with committed():
        redelivered = owner_client.post(f"/app/webhooks/{subscription.pk}/deliveries/{failed.pk}/redeliver")
    page = owner_client.get(f"/app/webhooks/{subscription.pk}")

    assert (pinged.status_code, redelivered.status_code) == (302, 302)
    assert sorted(r.json["topic"] for r in receiver.wait_for(2)) == ["organisation.workspace.created", "ping"]
    assert WebhookDelivery.objects.get(pk=failed.pk).status == DeliveryStatus.DELIVERED
    html = page.content.decode()
    assert "ping" in html and "nope" in html and "The receiver answered 500." in html
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "webhooksubscription.test",
        "webhookdelivery.redeliver",
    }
    filtered = owner_client.get(f"/app/webhooks/{subscription.pk}?status=failed").content.decode()
    assert "Nothing sent yet." in filtered


def test_deleting_asks_then_deletes(owner_client, organisation):
    subscription = WebhookSubscriptionFactory(organisation=organisation)

    confirm = owner_client.get(f"/app/webhooks/{subscription.pk}/delete")
    deleted = owner_client.post(f"/app/webhooks/{subscription.pk}/delete")

    assert confirm.status_code == 200
    assert deleted.status_code == 302
    assert WebhookSubscription.objects.count() == 0
    assert AuditEvent.objects.get().action == "webhooksubscription.destroy"


def test_another_organisations_webhook_is_404(owner_client, other_organisation):
    theirs = WebhookSubscriptionFactory(organisation=other_organisation)
    delivery = WebhookDeliveryFactory(subscription=theirs)

    responses = [
        owner_client.get(f"/app/webhooks/{theirs.pk}"),
        owner_client.post(f"/app/webhooks/{theirs.pk}", form_data("https://x.example.com/")),
        owner_client.post(f"/app/webhooks/{theirs.pk}/rotate-secret"),
        owner_client.post(f"/app/webhooks/{theirs.pk}/test"),
        owner_client.post(f"/app/webhooks/{theirs.pk}/delete"),
        owner_client.post(f"/app/webhooks/{theirs.pk}/deliveries/{delivery.pk}/redeliver"),
    ]

    assert [r.status_code for r in responses] == [404] * 6
    assert WebhookSubscription.objects.get().url == theirs.url
