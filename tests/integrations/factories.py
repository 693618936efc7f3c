"""Factories for the integrations app; rows take their organisation from their parents (STYLE §7.2)."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from integrations import crypto, signing
from integrations.choices import AttemptOutcome, DeliveryStatus
from integrations.models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription
from tests.organisations.factories import OrganisationFactory

#: the secret every factory-made subscription signs with (tests verify with it)
FACTORY_SECRET = "whsec_" + "MfKQ9r8GKYqrTz2dx1ZNQ+nFBL5PuNXZmeq2xqEh6dk="


class OutboxEventFactory(DjangoModelFactory):
    class Meta:
        model = OutboxEvent

    organisation = factory.SubFactory(OrganisationFactory)
    topic = "organisation.workspace.created"
    payload = factory.Sequence(lambda n: {"id": n, "name": f"Workspace {n}"})
    dispatched_at = factory.LazyFunction(timezone.now)


class WebhookSubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = WebhookSubscription

    organisation = factory.SubFactory(OrganisationFactory)
    url = factory.Sequence(lambda n: f"https://hooks{n}.example.com/trackyoursheets")
    topics = factory.LazyFunction(lambda: ["*"])
    description = "Finance sync"
    secret_encrypted = factory.LazyFunction(lambda: crypto.encrypt(FACTORY_SECRET))
    secret_hint = FACTORY_SECRET[:10]


class WebhookDeliveryFactory(DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    subscription = factory.SubFactory(WebhookSubscriptionFactory)
    organisation = factory.SelfAttribute("subscription.organisation")
    event = factory.SubFactory(OutboxEventFactory, organisation=factory.SelfAttribute("..organisation"))
    status = DeliveryStatus.DELIVERED
    attempt_count = 1
    round_attempts = 1
    delivered_at = factory.LazyFunction(timezone.now)
    last_status_code = 200


class WebhookAttemptFactory(DjangoModelFactory):
    class Meta:
        model = WebhookAttempt

    delivery = factory.SubFactory(WebhookDeliveryFactory)
    organisation = factory.SelfAttribute("delivery.organisation")
    number = factory.Sequence(lambda n: n + 1)
    requested_at = factory.LazyFunction(timezone.now)
    duration_ms = 12
    outcome = AttemptOutcome.SUCCESS
    status_code = 200
    response_body = "ok"


def assert_secret_format(secret: str) -> None:
    import base64

    assert secret.startswith(signing.SECRET_PREFIX)
    assert len(base64.b64decode(secret.removeprefix(signing.SECRET_PREFIX))) == 32
