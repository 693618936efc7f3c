"""The query-count guard (non-negotiable 6): a list endpoint issues the same number
of SQL queries for 1 row as for 100. Every new list endpoint joins ``LISTS`` (its app's ``tests/<app>/matrix.py``)."""

from __future__ import annotations

import pytest

from integrations.models import WebhookSubscription
from organisations import services
from organisations.actors import Actor, system_actor
from organisations.audit import audit_record
from organisations.choices import Role
from organisations.models import OAuthApplicationGrant
from tests.integrations.factories import WebhookAttemptFactory, WebhookSubscriptionFactory
from tests.organisations.factories import (
    MembershipFactory,
    OAuthApplicationFactory,
    OfficeFactory,
    OrganisationFactory,
    ProducerFactory,
    WorkspaceAgentFactory,
    WorkspaceFactory,
)
from tests.platform.registry import collect

pytestmark = pytest.mark.django_db


def make_workspace(org, n):
    workspace = WorkspaceFactory(office=OfficeFactory(organisation=org), name=f"WS {n:03d}")
    WorkspaceAgentFactory(workspace=workspace, membership__role=Role.PRODUCER)
    WorkspaceAgentFactory(workspace=workspace, membership__role=Role.MANAGER)
    return workspace


def make_producer(org, n):
    return ProducerFactory(
        workspace__office__organisation=org,
        membership=MembershipFactory(organisation=org, role=Role.PRODUCER),
        display_name=f"Producer {n:03d}",
    )


def make_audit_event(org, n):
    membership = MembershipFactory(organisation=org)
    actor = Actor(
        organisation=org,
        user=membership.user,
        membership=membership,
        kind="oauth",
        application=OAuthApplicationFactory(organisation=org),
    )
    return audit_record(actor=actor, source="api", action=f"workspace.update.{n}")


def make_member(org, n):
    """Every other member is invited (with an invitation row), the others active in an office."""
    if n % 2:
        return services.member_invite(
            actor=system_actor(org), email=f"invitee{n:03d}@example.test", role=Role.EMPLOYEE, base_url="http://x/"
        ).membership
    return MembershipFactory(organisation=org, office=OfficeFactory(organisation=org, name=f"Office {n:03d}"))


def make_integration_grant(org, n):
    """A client of another organisation granted ``org`` (issue 13 point 12)."""
    vendor = OrganisationFactory(name=f"Vendor {n:03d}")
    return OAuthApplicationGrant.objects.create(
        application=OAuthApplicationFactory(organisation=vendor), organisation=org
    )


def make_webhook_subscription(org, n):
    return WebhookSubscriptionFactory(organisation=org, url=f"https://hooks{n:03d}.example.com/in")


#: the delivery log is listed under one subscription, made with a known id
WEBHOOK_LOG_ID = 900_001


def make_webhook_delivery(org, n):
    subscription = WebhookSubscription.objects.filter(pk=WEBHOOK_LOG_ID).first() or WebhookSubscriptionFactory(
        id=WEBHOOK_LOG_ID, organisation=org
    )
    first = WebhookAttemptFactory(delivery__subscription=subscription, number=1, outcome="http_error", status_code=500)
    return WebhookAttemptFactory(delivery=first.delivery, number=2).delivery


#: (list URL, factory(org, n) making one fully-related row)
LISTS = [
    ("/v1/offices", lambda org, n: OfficeFactory(organisation=org, name=f"Office {n:03d}")),
    ("/v1/workspaces", make_workspace),
    ("/v1/producers", make_producer),
    ("/v1/audit-events", make_audit_event),
    ("/v1/members", make_member),
    (
        "/v1/api-tokens",
        lambda org, n: (
            services.api_token_create(
                actor=system_actor(org),
                membership=MembershipFactory(organisation=org),
                name=f"Token {n:03d}",
                scopes=["workspaces.read"],
            ).api_token
        ),
    ),
    ("/v1/integration-grants", make_integration_grant),
    ("/v1/webhooks", make_webhook_subscription),
    (f"/v1/webhooks/{WEBHOOK_LOG_ID}/deliveries", make_webhook_delivery),
]


# every app's own entries (tests/<app>/matrix.py)
LISTS += collect("LISTS")


@pytest.mark.parametrize(("url", "make"), LISTS, ids=[u for u, _ in LISTS])
def test_list_query_count_does_not_grow_with_page_size(url, make, api, organisation, count_queries):
    make(organisation, 0)

    def fetch():
        response = api.get(f"{url}?page_size=100")
        assert response.status_code == 200
        return response

    one = count_queries(fetch)
    for n in range(1, 100):
        make(organisation, n)
    hundred = count_queries(fetch)

    assert len(fetch().json()["results"]) == 100
    assert hundred == one
