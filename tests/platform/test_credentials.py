"""Credential lifecycle (issue 3 points 1-4), through HTTP: secret rotation with a 24-hour
grace, introspection and revocation, multi-organisation clients, impersonation tokens and
personal API tokens. Time is frozen with time-machine; nothing of ours is mocked."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from oauth2_provider.models import AccessToken
from rest_framework.test import APIClient

from organisations import services
from organisations.actors import system_actor
from organisations.choices import MembershipStatus, ProducerStatus, Role
from organisations.models import ApiToken, ImpersonationToken, OAuthApplication, OAuthClientSecret
from tests.conftest import ALL_SCOPES, issue_token
from tests.organisations.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProducerFactory,
    WorkspaceAgentFactory,
    WorkspaceFactory,
)

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
T0 = datetime(2031, 3, 4, 9, 0, 0, tzinfo=UTC)
ISO_Z = "%Y-%m-%dT%H:%M:%SZ"


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def post_json(client, url, body, **extra):
    return client.post(url, data=json.dumps(body), content_type="application/json", **extra)


def new_client(organisation, scopes=("workspaces.read", "producers.read")):
    created = services.api_client_create(organisation=organisation, name="Sync", scopes=list(scopes))
    return created.application, created.client_secret


def token_request(client, client_id, secret):
    return post_json(
        client, "/oauth/token", {"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"}
    )


def introspect(client, token, authorization):
    return client.post("/oauth/introspect", {"token": token}, HTTP_AUTHORIZATION=authorization)


def revoke(client, token, authorization):
    return client.post("/oauth/revoke", {"token": token}, HTTP_AUTHORIZATION=authorization)


def bearer(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# =============================================================================
# Secret rotation (POST /oauth/rotate)
# =============================================================================


def test_rotation_returns_a_new_secret_once_and_the_old_one_works_for_24_hours(client, organisation):
    application, old = new_client(organisation)

    with time_machine.travel(T0, tick=False) as traveller:
        rotated = post_json(client, "/oauth/rotate", {"client_id": application.client_id, "client_secret": old})

        assert rotated.status_code == 200
        assert rotated["Cache-Control"] == "no-store"
        body = rotated.json()
        assert set(body) == {"client_id", "client_secret", "previous_secret_expires_at"}
        assert body["client_id"] == application.client_id
        assert body["previous_secret_expires_at"] == (T0 + timedelta(hours=24)).strftime(ISO_Z)
        new = body["client_secret"]
        assert new != old
        # stored hashed only, never in clear
        stored = OAuthApplication.objects.get(pk=application.pk).client_secret
        previous = OAuthClientSecret.objects.get()
        assert stored != new and check_password(new, stored)
        assert previous.secret_hash != old and check_password(old, previous.secret_hash)

        assert token_request(client, application.client_id, old).status_code == 200
        assert token_request(client, application.client_id, new).status_code == 200

        traveller.shift(timedelta(hours=23, minutes=59, seconds=59))
        assert token_request(client, application.client_id, old).status_code == 200

        traveller.shift(timedelta(seconds=2))
        refused = token_request(client, application.client_id, old)
        assert refused.status_code == 401
        assert refused.json()["error"] == "invalid_client"
        assert token_request(client, application.client_id, new).status_code == 200


def test_rotation_by_http_basic_and_by_form_body(client, organisation):
    application, first = new_client(organisation)

    by_basic = client.post("/oauth/rotate", HTTP_AUTHORIZATION=basic(application.client_id, first))
    second = by_basic.json()["client_secret"]
    by_form = client.post("/oauth/rotate", {"client_id": application.client_id, "client_secret": second})

    assert by_basic.status_code == 200
    assert by_form.status_code == 200
    assert by_form.json()["client_secret"] not in (first, second)


def test_rotating_with_a_wrong_secret_is_a_401_problem_and_changes_nothing(client, organisation):
    application, secret = new_client(organisation)
    before = OAuthApplication.objects.get(pk=application.pk).client_secret

    response = post_json(client, "/oauth/rotate", {"client_id": application.client_id, "client_secret": "nope"})
    blank = post_json(client, "/oauth/rotate", {"client_id": application.client_id, "client_secret": ""})
    anonymous = client.post("/oauth/rotate")

    assert [response.status_code, blank.status_code, anonymous.status_code] == [401, 401, 401]
    assert response["Content-Type"] == PROBLEM
    assert response.json()["error"] == "invalid_client"
    assert response.json()["status"] == 401
    assert OAuthApplication.objects.get(pk=application.pk).client_secret == before
    assert OAuthClientSecret.objects.count() == 0
    assert token_request(client, application.client_id, secret).status_code == 200


def test_a_previous_secret_cannot_rotate(client, organisation):
    application, old = new_client(organisation)
    post_json(client, "/oauth/rotate", {"client_id": application.client_id, "client_secret": old})

    response = post_json(client, "/oauth/rotate", {"client_id": application.client_id, "client_secret": old})

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert OAuthClientSecret.objects.count() == 1


def test_rotating_again_ends_the_grace_of_every_secret_but_the_one_just_replaced(client, organisation):
    """Issue 13 point 12 (was: the two newest previous secrets stayed valid, so after two
    rotations the original still got tokens)."""
    application, a = new_client(organisation)
    cid = application.client_id

    with time_machine.travel(T0, tick=False) as traveller:
        b = post_json(client, "/oauth/rotate", {"client_id": cid, "client_secret": a}).json()["client_secret"]
        traveller.shift(timedelta(hours=1))
        second = post_json(client, "/oauth/rotate", {"client_id": cid, "client_secret": b}).json()
        c = second["client_secret"]

        # a's grace ended with the second rotation; b (just replaced) gets its 24 h
        assert second["previous_secret_expires_at"] == (T0 + timedelta(hours=25)).strftime(ISO_Z)
        assert [token_request(client, cid, s).status_code for s in (a, b, c)] == [401, 200, 200]

        traveller.shift(timedelta(hours=1))
        d = post_json(client, "/oauth/rotate", {"client_id": cid, "client_secret": c}).json()["client_secret"]
        assert [token_request(client, cid, s).status_code for s in (a, b, c, d)] == [401, 401, 200, 200]

        traveller.move_to(T0 + timedelta(hours=26, seconds=1))
        assert [token_request(client, cid, s).status_code for s in (c, d)] == [401, 200]


def test_using_a_previous_secret_records_when(client, organisation):
    application, old = new_client(organisation)
    with time_machine.travel(T0, tick=False) as traveller:
        post_json(client, "/oauth/rotate", {"client_id": application.client_id, "client_secret": old})
        traveller.shift(timedelta(hours=2))

        token_request(client, application.client_id, old)

    assert OAuthClientSecret.objects.get().last_used_at == T0 + timedelta(hours=2)


def test_revoking_previous_secrets_skips_the_grace(client, organisation):
    application, old = new_client(organisation)
    post_json(client, "/oauth/rotate", {"client_id": application.client_id, "client_secret": old})

    services.oauth_client_previous_secrets_revoke(application=application)

    assert token_request(client, application.client_id, old).status_code == 401


# =============================================================================
# Introspection (RFC 7662) and revocation (RFC 7009)
# =============================================================================


def test_introspect_with_client_credentials_describes_a_token_of_its_organisation(client, organisation):
    application, secret = new_client(organisation)
    with time_machine.travel(T0, tick=False):
        token = token_request(client, application.client_id, secret).json()["access_token"]
        sibling, sibling_secret = new_client(organisation)

        own = introspect(client, token, basic(application.client_id, secret))
        by_body = post_json(
            client,
            "/oauth/introspect",
            {"token": token, "client_id": sibling.client_id, "client_secret": sibling_secret},
        )

    assert own.status_code == 200
    assert own["Cache-Control"] == "no-store"
    assert own.json() == {
        "active": True,
        "token_type": "Bearer",
        "scope": "producers.read workspaces.read",
        "client_id": application.client_id,
        "exp": int((T0 + timedelta(hours=1)).timestamp()),
        "organisation": "acme",
    }
    assert by_body.json() == own.json()


def test_introspect_never_describes_another_organisations_token(client, organisation, other_organisation):
    theirs, their_secret = new_client(other_organisation)
    their_token = token_request(client, theirs.client_id, their_secret).json()["access_token"]
    ours, our_secret = new_client(organisation)

    response = introspect(client, their_token, basic(ours.client_id, our_secret))

    assert response.status_code == 200
    assert response.json() == {"active": False}


def test_introspect_expired_revoked_and_unknown_tokens_are_inactive(client, organisation):
    application, secret = new_client(organisation)
    auth = basic(application.client_id, secret)
    with time_machine.travel(T0, tick=False) as traveller:
        expiring = token_request(client, application.client_id, secret).json()["access_token"]
        revoked = token_request(client, application.client_id, secret).json()["access_token"]
        client.post("/oauth/revoke", {"token": revoked}, HTTP_AUTHORIZATION=auth)
        traveller.shift(timedelta(hours=1, seconds=1))

        answers = [
            client.post("/oauth/introspect", {"token": t}, HTTP_AUTHORIZATION=auth).json()
            for t in (expiring, revoked, "no-such-token")
        ]

    assert answers == [{"active": False}] * 3


def test_introspect_needs_client_credentials_and_a_token(client, organisation):
    application, secret = new_client(organisation)
    token = token_request(client, application.client_id, secret).json()["access_token"]

    wrong = client.post("/oauth/introspect", {"token": token}, HTTP_AUTHORIZATION=basic(application.client_id, "x"))
    with_bearer_only = client.post("/oauth/introspect", {"token": token}, HTTP_AUTHORIZATION=f"Bearer {token}")
    no_token = client.post("/oauth/introspect", {}, HTTP_AUTHORIZATION=basic(application.client_id, secret))

    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    assert with_bearer_only.status_code == 401
    assert (no_token.status_code, no_token.json()["error"]) == (400, "invalid_request")
    assert no_token["Content-Type"] == PROBLEM


def test_a_previous_secret_in_its_grace_can_revoke_and_introspect(client, organisation):
    application, old = new_client(organisation)
    token = token_request(client, application.client_id, old).json()["access_token"]
    post_json(client, "/oauth/rotate", {"client_id": application.client_id, "client_secret": old})
    auth = basic(application.client_id, old)

    active = client.post("/oauth/introspect", {"token": token}, HTTP_AUTHORIZATION=auth).json()["active"]
    revocation = post_json(
        client, "/oauth/revoke", {"token": token, "client_id": application.client_id, "client_secret": old}
    )

    assert active is True
    assert revocation.status_code == 200
    assert bearer(token).get("/v1/workspaces").status_code == 401


def test_a_client_cannot_revoke_another_clients_token(client, organisation, other_organisation):
    theirs, their_secret = new_client(other_organisation)
    their_token = token_request(client, theirs.client_id, their_secret).json()["access_token"]
    ours, our_secret = new_client(organisation)

    response = revoke(client, their_token, basic(ours.client_id, our_secret))

    assert response.status_code == 200  # RFC 7009: no disclosure
    assert bearer(their_token).get("/v1/workspaces").status_code == 200


# =============================================================================
# Multi-organisation clients (x-trackyoursheets-organisation)
# =============================================================================


@pytest.fixture
def multi_org(organisation, other_organisation, make_api_client):
    api = make_api_client(organisation, scopes=("workspaces.read",))
    services.oauth_client_grant_organisation(actor=system_actor(other_organisation), application=api.application)
    ours = WorkspaceFactory(office__organisation=organisation)
    theirs = WorkspaceFactory(office__organisation=other_organisation)
    return api, ours, theirs


def test_a_multi_organisation_client_without_the_header_is_a_422_problem(multi_org):
    api, _ours, _theirs = multi_org

    response = api.get("/v1/workspaces")

    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == (
        "x-trackyoursheets-organisation is required: this client can act in several organisations"
    )
    assert list(response.json()["errors"]) == ["x-trackyoursheets-organisation"]


def test_the_header_selects_one_granted_organisation_and_sees_only_its_data(multi_org, organisation):
    api, ours, theirs = multi_org

    by_slug = api.get("/v1/workspaces", HTTP_X_TRACKYOURSHEETS_ORGANISATION="rival")
    by_id = api.get("/v1/workspaces", HTTP_X_TRACKYOURSHEETS_ORGANISATION=str(organisation.pk))
    cross = api.get(f"/v1/workspaces/{ours.pk}", HTTP_X_TRACKYOURSHEETS_ORGANISATION="rival")

    assert ids(by_slug) == [theirs.pk]
    assert ids(by_id) == [ours.pk]
    assert cross.status_code == 404


def test_a_header_naming_an_organisation_not_granted_is_a_403_problem(multi_org):
    api, _ours, _theirs = multi_org
    OrganisationFactory(slug="third")

    response = api.get("/v1/workspaces", HTTP_X_TRACKYOURSHEETS_ORGANISATION="third")

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert "third" in response.json()["detail"]


def test_withdrawing_the_grant_makes_the_client_single_organisation_again(multi_org, organisation, other_organisation):
    api, ours, _theirs = multi_org

    services.oauth_client_revoke_organisation(
        actor=system_actor(organisation), application=api.application, organisation=other_organisation
    )

    assert ids(api.get("/v1/workspaces")) == [ours.pk]
    assert api.get("/v1/workspaces", HTTP_X_TRACKYOURSHEETS_ORGANISATION="rival").status_code == 403


def test_a_deactivated_granted_organisation_does_not_count(multi_org, other_organisation):
    api, ours, _theirs = multi_org
    other_organisation.is_active = False
    other_organisation.save()

    assert ids(api.get("/v1/workspaces")) == [ours.pk]
    assert api.get("/v1/workspaces", HTTP_X_TRACKYOURSHEETS_ORGANISATION="rival").status_code == 403


def test_only_people_or_the_system_of_the_granting_organisation_give_grants(
    organisation, other_organisation, make_api_client, make_member
):
    from trackyoursheets.exceptions import NotPermitted

    application = make_api_client(organisation).application
    integration = make_api_client(other_organisation).application
    integration_actor = services.Actor(organisation=other_organisation, kind="oauth", application=integration)
    employee = make_member(other_organisation, Role.EMPLOYEE)
    employee_actor = services.Actor(
        organisation=other_organisation, user=employee.user, membership=employee, kind="session"
    )

    with pytest.raises(NotPermitted):
        services.oauth_client_grant_organisation(actor=integration_actor, application=application)
    with pytest.raises(NotPermitted):
        services.oauth_client_grant_organisation(actor=employee_actor, application=application)
    with pytest.raises(ValidationError):
        services.oauth_client_grant_organisation(actor=system_actor(organisation), application=application)
    first = services.oauth_client_grant_organisation(actor=system_actor(other_organisation), application=application)
    again = services.oauth_client_grant_organisation(actor=system_actor(other_organisation), application=application)
    assert first == again


# =============================================================================
# Impersonation (POST /v1/impersonations)
# =============================================================================

IMPERSONATOR_SCOPES = ("impersonation", "producers.read", "producers.write", "workspaces.read", "organisation.read")


@pytest.fixture
def impersonator(organisation, make_api_client):
    return make_api_client(organisation, scopes=IMPERSONATOR_SCOPES)


@pytest.fixture
def producer(organisation):
    """A producer with a login, working in one workspace."""
    membership = MembershipFactory(organisation=organisation, role=Role.PRODUCER)
    return ProducerFactory(workspace__office__organisation=organisation, membership=membership)


def impersonate(api, producer_id, **body):
    return api.post("/v1/impersonations", {"producer_id": producer_id, **body}, format="json")


def test_impersonation_returns_a_short_lived_token_shown_once(impersonator, producer):
    with time_machine.travel(T0, tick=False):
        parent = issue_token(impersonator.application)
        response = impersonate(bearer(parent), producer.pk)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "expires_at", "producer_id", "scope"}
    assert re.fullmatch(r"tys_imp_[A-Za-z0-9]{32}", body["access_token"])
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["expires_at"] == (T0 + timedelta(seconds=900)).strftime(ISO_Z)
    assert body["producer_id"] == producer.pk
    assert body["scope"] == "organisation.read producers.read workspaces.read"  # read scopes only
    stored = ImpersonationToken.objects.get()
    assert stored.token_hash == sha256(body["access_token"])
    assert body["access_token"] not in (stored.prefix, stored.scopes)
    assert stored.parent_token_checksum == sha256(parent)
    assert AccessToken.objects.filter(token_checksum=sha256(parent)).exists()


def test_an_impersonation_sees_only_what_its_producer_sees(impersonator, organisation, producer):
    other = ProducerFactory(workspace__office__organisation=organisation)
    agent_of = WorkspaceAgentFactory(workspace__office__organisation=organisation, membership=producer.membership)
    as_producer = bearer(impersonate(impersonator, producer.pk).json()["access_token"])

    assert ids(as_producer.get("/v1/producers")) == [producer.pk]
    assert as_producer.get(f"/v1/producers/{other.pk}").status_code == 404
    assert sorted(ids(as_producer.get("/v1/workspaces"))) == sorted([producer.workspace_id, agent_of.workspace_id])
    assert as_producer.get(f"/v1/workspaces/{other.workspace_id}").status_code == 404
    assert ids(impersonator.get("/v1/producers")) != [producer.pk]  # the client itself sees them all


def test_an_impersonated_producer_without_a_login_sees_only_their_workspace(impersonator, organisation):
    loginless = ProducerFactory(workspace__office__organisation=organisation, membership=None)
    WorkspaceFactory(office__organisation=organisation)  # no producers, no agents
    ProducerFactory(workspace__office__organisation=organisation, membership=None)
    as_producer = bearer(impersonate(impersonator, loginless.pk).json()["access_token"])

    assert ids(as_producer.get("/v1/workspaces")) == [loginless.workspace_id]


def test_an_impersonation_cannot_write(impersonator, producer):
    as_producer = bearer(impersonate(impersonator, producer.pk).json()["access_token"])

    response = as_producer.patch(f"/v1/producers/{producer.pk}", {"display_name": "Changed"}, format="json")

    assert response.status_code == 403
    assert response.json()["required_scope"] == "producers.write"


def test_requests_made_with_an_impersonation_carry_both_identities(impersonator, producer):
    as_producer = bearer(impersonate(impersonator, producer.pk).json()["access_token"])

    response = as_producer.get("/v1/producers")

    actor = response.renderer_context["request"].auth
    assert actor.label == f"oauth:{impersonator.application.client_id} as producer:{producer.pk}"
    assert actor.kind == "impersonation"
    assert actor.application == impersonator.application
    assert actor.impersonated_producer_id == producer.pk
    assert actor.user == producer.membership.user
    assert "impersonation" not in actor.scopes


def test_impersonation_needs_the_impersonation_scope(organisation, make_api_client, producer):
    api = make_api_client(organisation, scopes=("producers.read",))

    response = impersonate(api, producer.pk)

    assert response.status_code == 403
    assert response.json()["required_scope"] == "impersonation"
    assert ImpersonationToken.objects.count() == 0


@pytest.mark.parametrize("ttl", [901, 59, "soon"])
def test_impersonation_ttl_is_capped_at_15_minutes(impersonator, producer, ttl):
    response = impersonate(impersonator, producer.pk, ttl_seconds=ttl)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["ttl_seconds"]
    assert ImpersonationToken.objects.count() == 0


def test_an_impersonation_expires_after_its_ttl(impersonator, producer):
    with time_machine.travel(T0, tick=False) as traveller:
        response = impersonate(bearer(issue_token(impersonator.application)), producer.pk, ttl_seconds=60)
        as_producer = bearer(response.json()["access_token"])
        assert response.json()["expires_in"] == 60

        traveller.shift(timedelta(seconds=59))
        assert as_producer.get("/v1/producers").status_code == 200
        traveller.shift(timedelta(seconds=1))
        expired = as_producer.get("/v1/producers")

    assert expired.status_code == 401
    assert expired["Content-Type"] == PROBLEM


def test_an_impersonation_never_outlives_its_parent_token(organisation, make_api_client, producer):
    application = make_api_client(organisation, scopes=IMPERSONATOR_SCOPES).application
    with time_machine.travel(T0, tick=False):
        parent = bearer(issue_token(application, ttl_seconds=300))
        response = impersonate(parent, producer.pk, ttl_seconds=900)

    assert response.json()["expires_in"] == 300
    assert response.json()["expires_at"] == (T0 + timedelta(seconds=300)).strftime(ISO_Z)


def test_revoking_the_parent_token_ends_the_impersonation(client, organisation, producer):
    application, secret = new_client(organisation, scopes=IMPERSONATOR_SCOPES)
    parent = token_request(client, application.client_id, secret).json()["access_token"]
    token = impersonate(bearer(parent), producer.pk).json()["access_token"]
    as_producer = bearer(token)
    assert as_producer.get("/v1/producers").status_code == 200

    client.post("/oauth/revoke", {"token": parent}, HTTP_AUTHORIZATION=basic(application.client_id, secret))
    after = as_producer.get("/v1/producers")
    introspected = introspect(client, token, basic(application.client_id, secret))

    assert after.status_code == 401
    assert introspected.json() == {"active": False}


def test_a_client_can_introspect_and_revoke_its_impersonation(client, organisation, producer):
    application, secret = new_client(organisation, scopes=IMPERSONATOR_SCOPES)
    auth = basic(application.client_id, secret)
    parent = token_request(client, application.client_id, secret).json()["access_token"]
    token = impersonate(bearer(parent), producer.pk).json()["access_token"]

    described = client.post("/oauth/introspect", {"token": token}, HTTP_AUTHORIZATION=auth).json()
    revocation = revoke(client, token, auth)

    assert described["active"] is True
    assert described["producer_id"] == producer.pk
    assert described["client_id"] == application.client_id
    assert revocation.status_code == 200
    assert bearer(token).get("/v1/producers").status_code == 401
    assert bearer(parent).get("/v1/producers").status_code == 200


def test_an_impersonation_cannot_create_another(impersonator, producer):
    as_producer = bearer(impersonate(impersonator, producer.pk).json()["access_token"])

    response = impersonate(as_producer, producer.pk)

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert ImpersonationToken.objects.count() == 1


def test_only_an_oauth_client_may_impersonate(organisation, owner, session_client, producer):
    personal = services.api_token_create(
        actor=system_actor(organisation), membership=owner, name="Script", scopes=["impersonation", "producers.read"]
    ).token
    by_token = impersonate(bearer(personal), producer.pk)
    by_session = post_json(session_client(owner), "/v1/impersonations", {"producer_id": producer.pk})

    assert by_token.status_code == 403
    assert by_session.status_code == 403
    assert ImpersonationToken.objects.count() == 0


def test_impersonation_of_another_tenants_producer_is_refused(impersonator, other_organisation):
    theirs = ProducerFactory(workspace__office__organisation=other_organisation)

    response = impersonate(impersonator, theirs.pk)

    assert response.status_code == 422
    assert "object does not exist" in str(response.json()["errors"]["producer_id"])
    assert ImpersonationToken.objects.count() == 0


def test_an_inactive_producer_cannot_be_impersonated(impersonator, producer):
    producer.status = ProducerStatus.INACTIVE
    producer.save()

    response = impersonate(impersonator, producer.pk)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["producer_id"]


# =============================================================================
# Personal API tokens (/v1/api-tokens)
# =============================================================================

LISTED_FIELDS = {
    "id",
    "name",
    "prefix",
    "scopes",
    "expires_at",
    "last_used_at",
    "revoked_at",
    "created_at",
    "membership_id",
    "allowed_ips",  # issue 13 point 7
}


def personal_token(membership, scopes=("workspaces.read",), **kwargs) -> str:
    return services.api_token_create(
        actor=system_actor(membership.organisation),
        membership=membership,
        name="Script",
        scopes=list(scopes),
        **kwargs,
    ).token


def test_a_person_creates_a_token_that_is_shown_once(owner, session_client):
    browser = session_client(owner)

    created = post_json(browser, "/v1/api-tokens", {"name": "Nightly export", "scopes": ["workspaces.read"]})
    listed = browser.get("/v1/api-tokens")
    detail = browser.get(f"/v1/api-tokens/{created.json()['id']}")

    assert created.status_code == 201
    body = created.json()
    assert set(body) == LISTED_FIELDS | {"token"}
    token = body["token"]
    assert re.fullmatch(r"tys_[A-Za-z0-9]{32}", token)
    assert body["prefix"] == token[:8]
    assert body["scopes"] == ["workspaces.read"]
    assert body["membership_id"] == owner.pk
    assert created["Location"].endswith(f"/v1/api-tokens/{body['id']}")
    stored = ApiToken.objects.get()
    assert stored.token_hash == sha256(token)
    assert token not in json.dumps(list(ApiToken.objects.values()), default=str)
    for response in (listed, detail):
        assert response.status_code == 200
        assert token not in response.content.decode()
    assert set(listed.json()["results"][0]) == LISTED_FIELDS
    assert "token" not in detail.json()


def test_a_personal_token_works_by_bearer_and_by_x_api_key(organisation, make_member):
    member = make_member(organisation, Role.OWNER)
    token = personal_token(member)
    workspace = WorkspaceFactory(office__organisation=organisation)

    by_bearer = bearer(token).get("/v1/workspaces")
    by_key = APIClient().get("/v1/workspaces", HTTP_X_API_KEY=token)

    assert ids(by_bearer) == [workspace.pk]
    assert ids(by_key) == [workspace.pk]
    actor = by_key.renderer_context["request"].auth
    assert (actor.kind, actor.user, actor.membership) == ("token", member.user, member)
    assert actor.api_token == ApiToken.objects.get()
    assert actor.label == f"{member.user} (token {token[:8]})"


def test_a_personal_token_cannot_name_another_organisation(organisation, other_organisation, make_member):
    api = bearer(personal_token(make_member(organisation, Role.OWNER)))

    own = api.get("/v1/workspaces", HTTP_X_TRACKYOURSHEETS_ORGANISATION="acme")
    other = api.get("/v1/workspaces", HTTP_X_TRACKYOURSHEETS_ORGANISATION="rival")

    assert own.status_code == 200
    assert other.status_code == 403
    assert other["Content-Type"] == PROBLEM


def test_new_secrets_never_reach_the_audit_trail(organisation, owner, session_client, impersonator, producer):
    from organisations.models import AuditEvent

    token = post_json(session_client(owner), "/v1/api-tokens", {"name": "x", "scopes": ["workspaces.read"]})
    impersonation = impersonate(impersonator, producer.pk)

    trail = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert sorted(AuditEvent.objects.values_list("object_type", flat=True)) == [
        "organisations.ApiToken",
        "organisations.ImpersonationToken",
    ]
    assert token.json()["token"] not in trail
    assert impersonation.json()["access_token"] not in trail


@pytest.mark.parametrize("key", ["not-a-token", "tys_" + "x" * 32, "tys_imp_" + "x" * 32])
def test_an_unknown_x_api_key_is_a_401_problem(key):
    response = APIClient().get("/v1/workspaces", HTTP_X_API_KEY=key)

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM


def test_a_personal_token_acts_with_its_members_role(organisation, make_member):
    member = make_member(organisation, Role.PRODUCER)
    mine = ProducerFactory(workspace__office__organisation=organisation, membership=member)
    ProducerFactory(workspace__office__organisation=organisation)

    response = bearer(personal_token(member, scopes=("producers.read",))).get("/v1/producers")

    assert ids(response) == [mine.pk]


def test_an_expired_personal_token_is_a_401_problem(organisation, make_member):
    member = make_member(organisation, Role.OWNER)
    with time_machine.travel(T0, tick=False) as traveller:
        token = personal_token(member, expires_at=T0 + timedelta(days=1))
        assert bearer(token).get("/v1/workspaces").status_code == 200

        traveller.shift(timedelta(days=1))
        response = bearer(token).get("/v1/workspaces")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "The API token has expired."


def test_a_token_cannot_be_created_already_expired(owner, session_client):
    response = post_json(
        session_client(owner),
        "/v1/api-tokens",
        {"name": "Old", "scopes": ["workspaces.read"], "expires_at": "2001-01-01T00:00:00Z"},
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["expires_at"]


def test_revoking_a_token_stops_it_at_once(organisation, make_member):
    member = make_member(organisation, Role.EMPLOYEE)
    token = personal_token(member)
    api = bearer(token)
    pk = ApiToken.objects.get().pk

    revocation = api.delete(f"/v1/api-tokens/{pk}")
    after = api.get("/v1/workspaces")

    assert revocation.status_code == 204
    assert after.status_code == 401
    assert after.json()["detail"] == "The API token has been revoked."
    assert ApiToken.objects.get().revoked_at is not None


def test_revoking_twice_keeps_the_first_time(organisation, owner, make_member, session_client):
    member = make_member(organisation)
    personal_token(member)
    token = ApiToken.objects.get()
    with time_machine.travel(T0, tick=False) as traveller:
        browser = session_client(owner)
        first = browser.delete(f"/v1/api-tokens/{token.pk}")
        traveller.shift(timedelta(hours=1))
        second = browser.delete(f"/v1/api-tokens/{token.pk}")

    assert [first.status_code, second.status_code] == [204, 204]
    assert ApiToken.objects.get().revoked_at == T0


def test_a_deactivated_members_tokens_stop_working(organisation, make_member):
    member = make_member(organisation, Role.OWNER)
    token = personal_token(member)
    member.status = MembershipStatus.DEACTIVATED
    member.save()

    response = bearer(token).get("/v1/workspaces")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM


def test_a_personal_token_is_limited_by_its_scopes(organisation, make_member):
    member = make_member(organisation, Role.OWNER)
    api = bearer(personal_token(member, scopes=("workspaces.read",)))

    response = api.get("/v1/producers")

    assert response.status_code == 403
    assert response.json()["required_scope"] == "producers.read"


def test_a_personal_token_grants_only_scopes_it_holds(organisation, make_member):
    member = make_member(organisation, Role.OWNER)
    api = bearer(personal_token(member, scopes=("workspaces.read", "producers.read")))

    wider = api.post("/v1/api-tokens", {"name": "More", "scopes": ["workspaces.read", "payroll.write"]}, format="json")
    narrower = api.post("/v1/api-tokens", {"name": "Less", "scopes": ["workspaces.read"]}, format="json")

    assert wider.status_code == 403
    assert wider["Content-Type"] == PROBLEM
    assert list(wider.json()["errors"]) == ["scopes"]
    assert "payroll.write" in wider.json()["detail"]
    assert narrower.status_code == 201
    assert narrower.json()["scopes"] == ["workspaces.read"]


def test_a_token_made_by_a_token_cannot_outlive_it(organisation, make_member):
    member = make_member(organisation, Role.OWNER)
    with time_machine.travel(T0, tick=False):
        api = bearer(personal_token(member, expires_at=T0 + timedelta(days=7)))

        inherited = api.post("/v1/api-tokens", {"name": "Child", "scopes": ["workspaces.read"]}, format="json")
        longer = api.post(
            "/v1/api-tokens",
            {"name": "Child", "scopes": ["workspaces.read"], "expires_at": (T0 + timedelta(days=8)).strftime(ISO_Z)},
            format="json",
        )

    assert inherited.json()["expires_at"] == (T0 + timedelta(days=7)).strftime(ISO_Z)
    assert longer.status_code == 422
    assert list(longer.json()["errors"]) == ["expires_at"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": ["made.up"]}, "scopes[0]"),
        ({"scopes": ["workspaces.read"]}, "name"),
    ],
)
def test_token_input_is_validated(owner, session_client, body, field):
    response = post_json(session_client(owner), "/v1/api-tokens", body)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


def test_an_oauth_client_cannot_create_personal_tokens(api):
    response = api.post("/v1/api-tokens", {"name": "Sneaky", "scopes": ["workspaces.read"]}, format="json")

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert ApiToken.objects.count() == 0


def test_an_oauth_client_needs_the_integrations_scope_to_see_tokens(organisation, make_api_client, make_member):
    personal_token(make_member(organisation))
    api = make_api_client(organisation, scopes=("workspaces.read",))

    listing = api.get("/v1/api-tokens")
    revocation = api.delete(f"/v1/api-tokens/{ApiToken.objects.get().pk}")

    assert (listing.status_code, listing.json()["required_scope"]) == (403, "integrations.read")
    assert (revocation.status_code, revocation.json()["required_scope"]) == (403, "integrations.write")


def test_an_impersonation_cannot_manage_tokens(impersonator, producer):
    personal_token(producer.membership)
    as_producer = bearer(impersonate(impersonator, producer.pk).json()["access_token"])

    responses = [
        as_producer.get("/v1/api-tokens"),
        as_producer.post("/v1/api-tokens", {"name": "x", "scopes": ["workspaces.read"]}, format="json"),
        as_producer.delete(f"/v1/api-tokens/{ApiToken.objects.get().pk}"),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert ApiToken.objects.get().revoked_at is None


def test_people_see_their_own_tokens_and_owners_see_all(organisation, owner, make_member, session_client):
    employee = make_member(organisation, Role.EMPLOYEE)
    colleague = make_member(organisation, Role.MANAGER)
    personal_token(employee)
    personal_token(colleague)
    own, theirs = ApiToken.objects.get(membership=employee), ApiToken.objects.get(membership=colleague)
    as_employee = bearer(personal_token(employee))
    newest = ApiToken.objects.order_by("-id").first()

    assert ids(as_employee.get("/v1/api-tokens")) == [newest.pk, own.pk]
    assert as_employee.get(f"/v1/api-tokens/{theirs.pk}").status_code == 404
    assert as_employee.delete(f"/v1/api-tokens/{theirs.pk}").status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert ids(session_client(owner).get("/v1/api-tokens")) == [newest.pk, theirs.pk, own.pk]


def test_another_tenants_tokens_are_never_listed_or_revoked(owner, other_organisation, session_client):
    personal_token(MembershipFactory(organisation=other_organisation, role=Role.OWNER))
    theirs = ApiToken.objects.get()
    browser = session_client(owner)

    assert ids(browser.get("/v1/api-tokens")) == []
    assert browser.delete(f"/v1/api-tokens/{theirs.pk}").status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_last_used_at_is_written_at_most_once_a_minute(organisation, make_member):
    api = bearer(personal_token(make_member(organisation, Role.OWNER)))
    with time_machine.travel(T0, tick=False) as traveller:
        api.get("/v1/workspaces")
        first = ApiToken.objects.get().last_used_at
        traveller.shift(timedelta(seconds=59))
        api.get("/v1/workspaces")
        unchanged = ApiToken.objects.get().last_used_at
        traveller.shift(timedelta(seconds=2))
        api.get("/v1/workspaces")
        moved = ApiToken.objects.get().last_used_at

    assert (first, unchanged, moved) == (T0, T0, T0 + timedelta(seconds=61))


def test_api_token_filters(organisation, owner, session_client):
    with time_machine.travel(T0, tick=False) as traveller:
        personal_token(owner, expires_at=T0 + timedelta(minutes=5))
        expired = ApiToken.objects.get()
        personal_token(owner)
        active = ApiToken.objects.order_by("-id").first()
        personal_token(owner)
        revoked = ApiToken.objects.order_by("-id").first()
        browser = session_client(owner)
        browser.delete(f"/v1/api-tokens/{revoked.pk}")
        traveller.shift(timedelta(minutes=5))

        assert ids(browser.get("/v1/api-tokens?status=active")) == [active.pk]
        assert ids(browser.get("/v1/api-tokens?status=expired")) == [expired.pk]
        assert ids(browser.get("/v1/api-tokens?status=revoked")) == [revoked.pk]
        assert browser.get("/v1/api-tokens?status=bogus").status_code == 422


def test_every_scope_is_grantable_by_a_session(owner, session_client):
    response = post_json(session_client(owner), "/v1/api-tokens", {"name": "All", "scopes": list(ALL_SCOPES)})

    assert response.status_code == 201
    assert response.json()["scopes"] == sorted(ALL_SCOPES)


# =============================================================================
# Waiting on diffs outside this change (see the issue-3 credentials report)
# =============================================================================


def test_an_idempotent_replay_never_stores_or_repeats_the_secret(organisation, make_member):
    api = bearer(personal_token(make_member(organisation, Role.OWNER)))
    body = {"name": "Retry-safe", "scopes": ["workspaces.read"]}

    first = api.post("/v1/api-tokens", body, format="json", HTTP_IDEMPOTENCY_KEY="create-token-1")
    replay = api.post("/v1/api-tokens", body, format="json", HTTP_IDEMPOTENCY_KEY="create-token-1")

    from organisations.models import IdempotencyRecord

    secret = first.json()["token"]
    assert secret.encode() not in bytes(IdempotencyRecord.objects.get().response_body)
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == {**first.json(), "token": None}
    assert ApiToken.objects.count() == 2  # the creator's and one new token, never two new ones


def test_personal_tokens_stop_when_the_organisation_has_no_api_access(organisation, make_member):
    api = bearer(personal_token(make_member(organisation, Role.OWNER)))
    organisation.feature_toggles = {"api": False}
    organisation.save()

    response = api.get("/v1/workspaces")

    assert response.status_code == 403
