"""Django admin for webhooks: subscriptions through the services (secret shown once), the
delivery log read-only with redelivery, every change in the audit trail."""

from __future__ import annotations

import re

import pytest

from integrations import crypto
from integrations.choices import DeliveryStatus
from integrations.models import WebhookDelivery, WebhookSubscription
from organisations.models import AuditEvent
from tests.organisations.factories import OrganisationFactory

from .factories import WebhookAttemptFactory, WebhookDeliveryFactory, WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_changelists_and_pages_answer(admin_client, organisation):
    attempt = WebhookAttemptFactory(delivery__subscription__organisation=organisation)
    delivery = attempt.delivery

    assert admin_client.get("/admin/integrations/webhooksubscription/").status_code == 200
    assert admin_client.get("/admin/integrations/webhooksubscription/add/").status_code == 200
    assert (
        admin_client.get(f"/admin/integrations/webhooksubscription/{delivery.subscription_id}/change/").status_code
        == 200
    )
    assert admin_client.get("/admin/integrations/webhookdelivery/").status_code == 200
    assert admin_client.get(f"/admin/integrations/webhookdelivery/{delivery.pk}/change/").status_code == 200
    assert admin_client.get("/admin/integrations/webhookdelivery/add/").status_code == 403
    assert admin_client.get("/admin/integrations/webhookattempt/").status_code == 200
    assert admin_client.get(f"/admin/integrations/webhookattempt/{attempt.pk}/change/").status_code == 200
    assert admin_client.get("/admin/integrations/webhookattempt/add/").status_code == 403


def test_adding_a_subscription_shows_its_secret_once_and_audits(admin_client, organisation):
    response = admin_client.post(
        "/admin/integrations/webhooksubscription/add/",
        {
            "organisation": organisation.pk,
            "url": "https://hooks.example.com/a",
            "topics": ["*"],
            "description": "Staff made",
            "is_active": "on",
        },
        follow=True,
    )

    subscription = WebhookSubscription.objects.get()
    secret = crypto.decrypt(subscription.secret_encrypted)
    assert any(secret in m for m in messages_of(response))
    assert (subscription.organisation, subscription.topics) == (organisation, ["*"])
    assert AuditEvent.objects.get().action == "webhooksubscription.create"
    assert AuditEvent.objects.get().source == "admin"


def test_the_admin_applies_the_url_policy(admin_client, organisation, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False

    response = admin_client.post(
        "/admin/integrations/webhooksubscription/add/",
        {"organisation": organisation.pk, "url": "https://169.254.169.254/", "topics": ["*"], "is_active": "on"},
    )

    assert response.status_code == 200
    assert "private, loopback or link-local" in response.content.decode()
    assert WebhookSubscription.objects.count() == 0


def test_changing_a_subscription_goes_through_the_service(admin_client, organisation):
    subscription = WebhookSubscriptionFactory(
        organisation=organisation, is_active=False, consecutive_failures=4, disabled_reason="Disabled automatically."
    )

    admin_client.post(
        f"/admin/integrations/webhooksubscription/{subscription.pk}/change/",
        {"url": subscription.url, "topics": ["payroll.run.approved"], "description": "", "is_active": "on"},
    )

    subscription.refresh_from_db()
    assert (subscription.is_active, subscription.consecutive_failures, subscription.disabled_reason) == (True, 0, "")
    assert subscription.topics == ["payroll.run.approved"]


def test_rotating_in_the_admin_shows_the_new_secret(admin_client, organisation):
    subscription = WebhookSubscriptionFactory(organisation=organisation)

    response = admin_client.post(
        "/admin/integrations/webhooksubscription/",
        {"action": "rotate_secret", "_selected_action": [subscription.pk]},
        follow=True,
    )

    subscription.refresh_from_db()
    new_secret = crypto.decrypt(subscription.secret_encrypted)
    assert any(new_secret in m for m in messages_of(response))
    assert subscription.previous_secret_encrypted


def test_redelivering_from_the_admin(admin_client, organisation):
    failed = WebhookDeliveryFactory(subscription__organisation=organisation, status=DeliveryStatus.FAILED)
    pending = WebhookDeliveryFactory(subscription__organisation=organisation, status=DeliveryStatus.PENDING)

    response = admin_client.post(
        "/admin/integrations/webhookdelivery/",
        {"action": "redeliver", "_selected_action": [failed.pk, pending.pk]},
        follow=True,
    )

    assert WebhookDelivery.objects.get(pk=failed.pk).status == DeliveryStatus.PENDING
    assert "1 deliveries rescheduled." in messages_of(response)
    assert any("still pending" in m for m in messages_of(response))


@pytest.mark.parametrize(
    "path", ["integrations/webhooksubscription", "integrations/webhookdelivery", "integrations/webhookattempt"]
)
def test_changelist_queries_do_not_grow_with_rows(admin_client, count_queries, path):
    def build():
        WebhookAttemptFactory(delivery__subscription__organisation=OrganisationFactory())

    def changelist():
        assert admin_client.get(f"/admin/{path}/").status_code == 200

    build()
    changelist()
    one = count_queries(changelist)
    for _ in range(9):
        build()

    assert count_queries(changelist) == one


def test_secrets_are_never_shown_in_the_admin(admin_client, organisation):
    subscription = WebhookSubscriptionFactory(organisation=organisation)
    secret = crypto.decrypt(subscription.secret_encrypted)

    html = admin_client.get(f"/admin/integrations/webhooksubscription/{subscription.pk}/change/").content.decode()

    assert secret not in html
    assert subscription.secret_encrypted not in html
    assert re.search(r"whsec_\w{4}…", html)
