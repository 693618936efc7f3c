"""The cross-tenant matrix (DESIGN §3): another organisation's object is a 404 on every
REST detail and mutation endpoint and is never listed.

Every new endpoint joins this matrix: add a :class:`Resource` to ``RESOURCES`` in its app's ``tests/<app>/matrix.py``
(and, for GraphQL, a :class:`Node` to ``GRAPHQL_NODES`` there; see tests/platform/registry.py).
A test at the bottom fails when a /v1/ route exists that the matrix does not cover.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver

from organisations import services
from organisations.actors import system_actor
from organisations.audit import audit_record
from organisations.models import OAuthApplicationGrant
from tests.integrations.factories import WebhookSubscriptionFactory
from tests.organisations.factories import (
    MembershipFactory,
    OAuthApplicationFactory,
    OfficeFactory,
    OrganisationFactory,
    ProducerFactory,
    WorkspaceFactory,
)
from tests.platform.registry import Resource, collect

pytestmark = pytest.mark.django_db


RESOURCES: list[Resource] = [
    Resource(
        name="offices",
        list_url="/v1/offices",
        make=lambda org: OfficeFactory(organisation=org),
        mutations=(("patch", "", {"name": "Taken over"}),),
    ),
    Resource(
        name="workspaces",
        list_url="/v1/workspaces",
        make=lambda org: WorkspaceFactory(office__organisation=org),
        mutations=(
            ("patch", "", {"name": "Taken over"}),
            ("delete", "", None),
            ("post", "/agents", {"membership_ids": []}),
        ),
    ),
    Resource(
        name="producers",
        list_url="/v1/producers",
        make=lambda org: ProducerFactory(workspace__office__organisation=org),
        mutations=(("patch", "", {"display_name": "Taken over"}),),
    ),
    Resource(
        # an OAuth client acts for its whole organisation: it lists (masked) and revokes its tokens
        name="api-tokens",
        list_url="/v1/api-tokens",
        make=lambda org: (
            services.api_token_create(
                actor=system_actor(org),
                membership=MembershipFactory(organisation=org),
                name="Script",
                scopes=["workspaces.read"],
            ).api_token
        ),
        mutations=(("delete", "", None),),
    ),
    Resource(
        # issue 13: clients of a third organisation granted this one; the OAuth client lists them
        # (integrations.read), writes are for owner and admin people (tests/platform/test_credentials_access.py)
        name="integration-grants",
        list_url="/v1/integration-grants",
        make=lambda org: OAuthApplicationGrant.objects.create(
            application=OAuthApplicationFactory(organisation=OrganisationFactory()), organisation=org
        ),
        mutations=(("delete", "", None),),
    ),
    Resource(
        name="audit-events",
        list_url="/v1/audit-events",
        make=lambda org: audit_record(actor=system_actor(org), source="system", action="test.made"),
    ),
    Resource(
        # issue 4: members (an OAuth client reads them; writes by owner/admin people, see test_members.py)
        name="members",
        list_url="/v1/members",
        make=lambda org: MembershipFactory(organisation=org),
        mutations=(("patch", "", {"role": "hr"}), ("patch", "", {"status": "deactivated"})),
    ),
    Resource(
        # POST /v1/impersonations is create-only: its one tenant-bound input is producer_id, which
        # is proven by test_impersonation_of_another_tenants_producer_is_refused in
        # tests/platform/test_credentials.py; here the producers an impersonation may target.
        name="impersonation-targets",
        list_url="/v1/producers",
        make=lambda org: ProducerFactory(workspace__office__organisation=org),
        detail=False,
        covers=("impersonations",),
    ),
    Resource(
        name="webhooks",
        list_url="/v1/webhooks",
        make=lambda org: WebhookSubscriptionFactory(organisation=org),
        mutations=(
            ("patch", "", {"description": "Taken over"}),
            ("delete", "", None),
            ("post", "/rotate-secret", None),
            ("post", "/test", None),
            ("get", "/deliveries", None),  # the delivery log of another tenant's subscription: 404 too
        ),
        # one delivery of another tenant (detail, redeliver) is proven 404 by
        # test_another_tenants_deliveries_and_redelivery_are_404 in tests/integrations/test_api.py;
        # the topic catalogue is the same for every organisation (no tenant data)
        covers=("webhooks/{id}/deliveries/{id}", "webhooks/{id}/deliveries/{id}/redeliver", "webhooks/topics"),
    ),
]

# every app's own entries (tests/<app>/matrix.py)
RESOURCES += collect("RESOURCES")

#: /v1/ routes that have no per-object data to leak (checked separately)
NON_OBJECT_ROUTES = {"info", "health", "schema", "organisations/current"} | set(collect("NON_OBJECT_ROUTES"))

IDS = [r.name for r in RESOURCES]


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_other_tenants_rows_are_never_listed(resource, api, organisation, other_organisation):
    ours = resource.make(organisation)
    theirs = resource.make(other_organisation)

    full = api.get(f"{resource.list_url}?page_size=100")
    minimal = api.get(f"{resource.list_url}?page_size=100", HTTP_PREFER="return=minimal")

    assert full.status_code == 200
    assert [row["id"] for row in full.json()["results"]] == [ours.pk]
    assert [row["id"] for row in minimal.json()["results"]] == [ours.pk]
    assert theirs.pk != ours.pk


@pytest.mark.parametrize("resource", [r for r in RESOURCES if r.detail], ids=[r.name for r in RESOURCES if r.detail])
def test_other_tenants_object_is_404(resource, api, other_organisation):
    theirs = resource.make(other_organisation)

    response = api.get(f"{resource.list_url}/{theirs.pk}")

    assert response.status_code == 404
    assert response.json()["detail"] == "Not found."


MUTATIONS = [(r, m) for r in RESOURCES for m in r.mutations]


@pytest.mark.parametrize(
    ("resource", "mutation"), MUTATIONS, ids=[f"{r.name}-{m[0]}{m[1] or ''}" for r, m in MUTATIONS]
)
def test_other_tenants_object_cannot_be_changed(resource, mutation, api, other_organisation):
    theirs = resource.make(other_organisation)
    before = type(theirs).objects.filter(pk=theirs.pk).values().get()
    method, suffix, body = mutation

    response = getattr(api, method)(f"{resource.list_url}/{theirs.pk}{suffix}", body, format="json")

    assert response.status_code == 404
    assert type(theirs).objects.filter(pk=theirs.pk).values().get() == before


def test_related_ids_of_another_tenant_are_refused_as_missing(api, other_organisation, organisation):
    their_office = OfficeFactory(organisation=other_organisation)
    their_workspace = WorkspaceFactory(office=their_office)
    their_member = MembershipFactory(organisation=other_organisation)
    our_workspace = WorkspaceFactory(office__organisation=organisation)

    responses = [
        api.post("/v1/workspaces", {"name": "x", "office_id": their_office.pk}, format="json"),
        api.post("/v1/producers", {"display_name": "x", "workspace_id": their_workspace.pk}, format="json"),
        api.post("/v1/producers", {"display_name": "x", "membership_id": their_member.pk}, format="json"),
        api.post(f"/v1/workspaces/{our_workspace.pk}/agents", {"membership_ids": [their_member.pk]}, format="json"),
    ]

    assert [r.status_code for r in responses] == [422, 422, 422, 422]
    assert all("object does not exist" in str(r.json()["errors"]) for r in responses)


def test_organisation_current_is_the_callers(api, organisation, other_organisation):
    assert api.get("/v1/organisations/current").json()["id"] == organisation.pk


def test_organisation_header_naming_another_tenant_is_refused(api, other_organisation):
    response = api.get("/v1/workspaces", HTTP_X_TRACKYOURSHEETS_ORGANISATION=other_organisation.slug)

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def _v1_routes() -> set[str]:
    """Every route under /v1/, with ids written as ``{id}``: ``workspaces/{id}/agents``."""
    import re

    routes = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            text = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, text)
            elif text.startswith("v1/"):
                text = re.sub(r"\(\?P<\w+>[^)]*\)|<[^>]+>", "{id}", text.removeprefix("v1/"))
                routes.add(text.replace("^", "").replace("$", ""))

    walk(get_resolver().url_patterns)
    return routes


def _covered_routes() -> set[str]:
    covered = set()
    for resource in RESOURCES:
        base = resource.list_url.removeprefix("/v1/")
        covered.add(base)
        if resource.detail:
            covered.add(f"{base}/{{id}}")
        covered |= {f"{base}/{{id}}{suffix}" for _, suffix, _ in resource.mutations}
        covered |= set(resource.covers)
    return covered


def test_every_v1_route_is_in_the_matrix():
    uncovered = _v1_routes() - _covered_routes() - NON_OBJECT_ROUTES

    assert sorted(uncovered) == []
