"""SSRF (OWASP API7): with the development settings off, as in production, webhooks only go to
public HTTPS addresses, checked when a subscription is saved *and* before every attempt;
redirects are never followed."""

from __future__ import annotations

import socket

import pytest

from integrations.choices import AttemptOutcome, DeliveryStatus
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.transport import is_public_address

from .receiver import Answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_policy(settings):
    settings.WEBHOOKS_ALLOW_INSECURE_URLS = False
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False


def subscribe(api, url, topics=("*",)):
    return api.post("/v1/webhooks", {"url": url, "topics": list(topics)}, format="json")


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",  # loopback
        "https://127.8.9.10:8443/hook",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://api.localhost/hook",
        "https://10.0.0.5/hook",  # private
        "https://172.16.4.1/hook",
        "https://192.168.1.20/hook",
        "https://[fd00::1]/hook",
        "https://169.254.169.254/latest/meta-data/",  # link-local: the cloud metadata service
        "https://[fe80::1]/hook",
        "https://100.64.0.1/hook",  # carrier-grade NAT
        "https://0.0.0.0/hook",  # unspecified
        "https://[::ffff:127.0.0.1]/hook",  # IPv4 inside IPv6
        "https://[::ffff:10.0.0.1]/hook",
        "https://2130706433/hook",  # 127.0.0.1 written as one number
        "https://224.0.0.1/hook",  # multicast
        "https://[64:ff9b::5db8:d70e]/hook",  # NAT64 (issue 13 point 12), even around a public IPv4
        "https://[64:ff9b::a00:1]/hook",  # NAT64 around 10.0.0.1
    ],
)
def test_non_public_addresses_are_refused_when_subscribing(api, production_policy, url):
    response = subscribe(api, url)

    assert response.status_code == 422, response.json()
    assert list(response.json()["errors"]) == ["url"]
    message = response.json()["errors"]["url"][0]
    assert "localhost" in message or "private, loopback or link-local" in message or message == "Enter a valid URL."
    assert WebhookSubscription.objects.count() == 0


def test_plain_http_is_refused_unless_allowed(api, production_policy, settings):
    refused = subscribe(api, "http://hooks.example.com/hook")
    settings.WEBHOOKS_ALLOW_INSECURE_URLS = True
    allowed = subscribe(api, "http://93.184.215.14/hook")

    assert refused.status_code == 422
    assert refused.json()["errors"]["url"] == ["Use an https:// URL: plain HTTP is not allowed for webhooks."]
    assert allowed.status_code == 201


def test_public_addresses_are_accepted(api, production_policy):
    response = subscribe(api, "https://93.184.215.14/hooks/tys")

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("::ffff:169.254.169.254", False),
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
        ("ff02::1", False),
        ("64:ff9b::5db8:d70e", False),  # NAT64 (issue 13 point 12)
        ("64:ff9b:1::1", False),
    ],
)
def test_address_classification(address, public):
    import ipaddress

    assert is_public_address(ipaddress.ip_address(address)) is public


def test_the_address_is_checked_again_before_every_attempt(api, receiver, settings, committed, organisation, system):
    """A subscription saved while private addresses were allowed is not sent once they are not."""
    from integrations import services

    response = subscribe(api, f"http://localhost:{receiver.port}/hook")
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False

    with committed():
        services.record_event(organisation, "organisation.producer.created", {"id": 1}, actor=system)

    delivery = WebhookDelivery.objects.get(subscription_id=response.json()["id"])
    assert delivery.status == DeliveryStatus.FAILED  # refused at once: no retry would help
    [attempt] = delivery.attempts.all()
    assert attempt.outcome == AttemptOutcome.REFUSED
    assert attempt.error.startswith("localhost resolves to a non-public address")
    assert receiver.requests == []


def test_plain_http_is_checked_again_before_every_attempt(api, receiver, settings, committed, organisation, system):
    from integrations import services

    subscribe(api, receiver.url())
    settings.WEBHOOKS_ALLOW_INSECURE_URLS = False

    with committed():
        services.record_event(organisation, "organisation.producer.created", {"id": 1}, actor=system)

    attempt = WebhookDelivery.objects.get().attempts.get()
    assert (attempt.outcome, attempt.error) == (
        AttemptOutcome.REFUSED,
        "Plain HTTP is not allowed for webhooks; use https://.",
    )
    assert receiver.requests == []


def test_redirects_are_not_followed(api, receiver, committed, organisation, system):
    from integrations import services

    subscribe(api, receiver.url("/hook"))
    receiver.script(Answer(302, headers={"Location": receiver.url("/elsewhere")}), 200)

    with committed():
        services.record_event(organisation, "organisation.producer.created", {"id": 1}, actor=system)

    first, second = WebhookDelivery.objects.get().attempts.order_by("number")
    assert (first.outcome, first.status_code) == (AttemptOutcome.HTTP_ERROR, 302)
    assert first.error == f"Redirects are not followed (302 to {receiver.url('/elsewhere')})."
    assert second.outcome == AttemptOutcome.SUCCESS  # the retry went to the subscribed URL again
    assert [r.path for r in receiver.requests] == ["/hook", "/hook"]


def test_the_request_goes_to_the_checked_address_with_the_host_name_kept(
    api, receiver, committed, organisation, system, monkeypatch
):
    """The connection is pinned to the address that passed the check (no second DNS lookup to
    rebind), while ``Host`` still names the subscribed host."""
    from integrations import services

    lookups = []
    real_getaddrinfo = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        lookups.append(host)
        if host == "hooks.customer.test":
            return real_getaddrinfo("127.0.0.1", port, *args, **kwargs)
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    subscribe(api, f"http://hooks.customer.test:{receiver.port}/hook")
    lookups.clear()

    with committed():
        services.record_event(organisation, "organisation.producer.created", {"id": 1}, actor=system)

    [request] = receiver.wait_for(1)
    assert request.headers["host"] == f"hooks.customer.test:{receiver.port}"
    # resolved once, for the check; the connection went to that address (a literal needs no DNS)
    assert lookups == ["hooks.customer.test", "127.0.0.1"]
