"""Issue 13 point 12, through HTTP: every request made with an impersonation token is on the
audit trail (reads included), and owners and admins grant integration clients their
organisation through the API and the Integrations page."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from organisations.choices import Role
from organisations.models import ApiToken, AuditEvent
from tests.organisations.factories import MembershipFactory, ProducerFactory

pytestmark = pytest.mark.django_db

IMPERSONATOR_SCOPES = ("impersonation", "producers.read", "producers.write", "workspaces.read")


def bearer(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


@pytest.fixture
def impersonator(organisation, make_api_client):
    return make_api_client(organisation, scopes=IMPERSONATOR_SCOPES)


@pytest.fixture
def as_producer(impersonator, organisation):
    membership = MembershipFactory(organisation=organisation, role=Role.PRODUCER)
    producer = ProducerFactory(workspace__office__organisation=organisation, membership=membership)
    response = impersonator.post("/v1/impersonations", {"producer_id": producer.pk}, format="json")
    assert response.status_code == 201, response.content
    client = bearer(response.json()["access_token"])
    client.producer = producer
    return client


def impersonation_rows():
    return list(
        AuditEvent.objects.filter(impersonated_producer__isnull=False)
        .order_by("id")
        .values_list("method", "path", "action", "status_code", "source")
    )


def test_every_impersonation_read_is_audited(as_producer, impersonator):
    producer = as_producer.producer

    listed = as_producer.get("/v1/producers")
    one = as_producer.get(f"/v1/producers/{producer.pk}")
    missing = as_producer.get("/v1/producers/999999")

    assert (listed.status_code, one.status_code, missing.status_code) == (200, 200, 404)
    assert impersonation_rows() == [
        ("GET", "/v1/producers", "impersonation.read", 200, "api"),
        ("GET", f"/v1/producers/{producer.pk}", "impersonation.read", 200, "api"),
        ("GET", "/v1/producers/999999", "impersonation.read", 404, "api"),
    ]
    row = AuditEvent.objects.filter(impersonated_producer=producer).order_by("id").first()
    assert row.application == impersonator.application
    assert row.request_id == listed["X-TrackYourSheets-Request-Id"]


def test_a_refused_impersonation_write_is_audited_once(as_producer):
    producer = as_producer.producer

    response = as_producer.patch(f"/v1/producers/{producer.pk}", {"display_name": "X"}, format="json")

    assert response.status_code == 403
    assert [(m, p, s) for m, p, _a, s, _src in impersonation_rows()] == [("PATCH", f"/v1/producers/{producer.pk}", 403)]


def test_impersonation_graphql_reads_are_audited(as_producer):
    response = as_producer.post("/graphql", {"query": "{ producers { edges { node { id } } } }"}, format="json")

    assert response.status_code == 200, response.content
    assert impersonation_rows() == [("POST", "/graphql", "impersonation.request", 200, "graphql")]


def test_other_credentials_reading_write_no_rows(impersonator):
    impersonator.get("/v1/producers")

    assert AuditEvent.objects.count() == 0


# =============================================================================
# Integration grants: owners and admins, through the API and the Integrations page
# =============================================================================


@pytest.fixture
def vendor_client(other_organisation, make_api_client):
    """A multi-tenant integration: a client of another organisation."""
    return make_api_client(other_organisation, scopes=("workspaces.read", "integrations.read"))


def test_an_owner_grants_a_vendor_client_through_the_api(owner, session_client, vendor_client, organisation):
    browser = session_client(owner)
    client_id = vendor_client.application.client_id
    before = vendor_client.get("/v1/workspaces", HTTP_X_TRACKYOURSHEETS_ORGANISATION=organisation.slug)

    created = browser.post("/v1/integration-grants", {"client_id": client_id}, content_type="application/json")
    again = browser.post("/v1/integration-grants", {"client_id": client_id}, content_type="application/json")
    listed = browser.get("/v1/integration-grants")
    after = vendor_client.get("/v1/workspaces", HTTP_X_TRACKYOURSHEETS_ORGANISATION=organisation.slug)

    assert before.status_code == 403
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["client_id"] == client_id
    assert body["granted_by"] == owner.user.email
    assert created["Location"].endswith(f"/v1/integration-grants/{body['id']}")
    assert again.json()["id"] == body["id"]
    assert [row["id"] for row in listed.json()["results"]] == [body["id"]]
    assert after.status_code == 200
    assert AuditEvent.objects.get(path="/v1/integration-grants").object_id == str(body["id"])

    withdrawn = browser.delete(f"/v1/integration-grants/{body['id']}")

    assert withdrawn.status_code == 204
    assert vendor_client.get("/v1/workspaces", HTTP_X_TRACKYOURSHEETS_ORGANISATION=organisation.slug).status_code == 403
    # the delete's audit row names the grant it deleted (issue 13 point 6)
    assert AuditEvent.objects.get(path=f"/v1/integration-grants/{body['id']}").object_id == str(body["id"])


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EMPLOYEE, Role.HR])
def test_other_roles_cannot_grant(role, make_member, organisation, session_client, vendor_client):
    browser = session_client(make_member(organisation, role))

    response = browser.post(
        "/v1/integration-grants",
        {"client_id": vendor_client.application.client_id},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_an_oauth_client_cannot_grant(api, vendor_client):
    response = api.post("/v1/integration-grants", {"client_id": vendor_client.application.client_id}, format="json")

    assert response.status_code == 403


def test_granting_an_unknown_or_own_client_is_422(owner, session_client, api):
    browser = session_client(owner)

    unknown = browser.post("/v1/integration-grants", {"client_id": "nope"}, content_type="application/json")
    own = browser.post(
        "/v1/integration-grants", {"client_id": api.application.client_id}, content_type="application/json"
    )

    assert unknown.status_code == 422
    assert unknown.json()["errors"] == {"client_id": ["No OAuth client has this client ID."]}
    assert own.status_code == 422
    assert list(own.json()["errors"]) == ["client_id"]


def test_an_admin_grants_and_withdraws_on_the_integrations_page(
    make_member, organisation, session_client, vendor_client
):
    browser = session_client(make_member(organisation, Role.ADMIN))
    client_id = vendor_client.application.client_id

    granted = browser.post("/app/integrations/grants", {"client_id": client_id})
    page = browser.get("/app/integrations")
    bad = browser.post("/app/integrations/grants", {"client_id": "nope"})

    assert granted.status_code == 302
    assert client_id in page.content.decode()
    assert vendor_client.get("/v1/workspaces", HTTP_X_TRACKYOURSHEETS_ORGANISATION=organisation.slug).status_code == 200
    assert bad.status_code == 200
    assert "No OAuth client has this client ID." in bad.content.decode()

    grant_id = vendor_client.application.grants.get().pk
    withdrawn = browser.post(f"/app/integrations/grants/{grant_id}/withdraw")

    assert withdrawn.status_code == 302
    assert vendor_client.get("/v1/workspaces", HTTP_X_TRACKYOURSHEETS_ORGANISATION=organisation.slug).status_code == 403


# =============================================================================
# Personal tokens with an IP allowlist (issue 13 point 7)
# =============================================================================


def create_token(browser, **body):
    return browser.post(
        "/v1/api-tokens", {"name": "Office script", "scopes": ["workspaces.read"], **body}, format="json"
    )


@pytest.fixture
def browser(owner, client):
    api = APIClient()
    api.force_login(owner.user)
    return api


def test_a_token_takes_addresses_and_ranges(browser):
    created = create_token(browser, allowed_ips=["203.0.113.7", " 198.51.100.0/24", "2001:db8::/32", "203.0.113.7"])

    assert created.status_code == 201, created.content
    assert created.json()["allowed_ips"] == ["203.0.113.7", "198.51.100.0/24", "2001:db8::/32"]
    assert browser.get(f"/v1/api-tokens/{created.json()['id']}").json()["allowed_ips"] == created.json()["allowed_ips"]


@pytest.mark.parametrize("entry", ["203.0.113.300", "10.0.0.5/24", "example.com", "2001:db8::/200", ""])
def test_invalid_allowlist_entries_are_422(browser, entry):
    response = create_token(browser, allowed_ips=["203.0.113.7", entry])

    assert response.status_code == 422
    assert [name.split("[")[0] for name in response.json()["errors"]] == ["allowed_ips"]  # "" fails as a blank item
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize("header", ["bearer", "api_key"])
def test_a_token_works_only_from_its_allowlist(browser, header, organisation):
    token = create_token(browser, allowed_ips=["203.0.113.7", "198.51.100.0/24", "2001:db8::/32"]).json()["token"]
    credential = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if header == "bearer" else {"HTTP_X_API_KEY": token}
    script = APIClient()

    allowed = [
        script.get("/v1/workspaces", REMOTE_ADDR=address, **credential).status_code
        for address in ("203.0.113.7", "198.51.100.42", "2001:db8::5", "::ffff:203.0.113.7")
    ]
    refused = script.get("/v1/workspaces", REMOTE_ADDR="192.0.2.1", **credential)

    assert allowed == [200, 200, 200, 200]
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["detail"] == "The API token may not be used from this address."
    row = AuditEvent.objects.get(action="api_token.address_refused")
    assert (row.status_code, row.changes, row.path, row.api_token_id) == (
        401,
        {"address": [None, "192.0.2.1"]},
        "/v1/workspaces",
        ApiToken.objects.get().pk,
    )
    assert row.request_id == refused["X-TrackYourSheets-Request-Id"]


def test_a_token_without_allowlist_works_from_anywhere(browser):
    token = create_token(browser).json()["token"]

    response = bearer(token).get("/v1/workspaces", REMOTE_ADDR="192.0.2.1")

    assert response.status_code == 200


def test_x_forwarded_for_counts_only_behind_trusted_proxies(browser, settings):
    token = create_token(browser, allowed_ips=["203.0.113.7"]).json()["token"]
    script = bearer(token)
    spoofed = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}

    without_proxy = script.get("/v1/workspaces", **spoofed)
    settings.API_TRUSTED_PROXY_COUNT = 1
    behind_proxy = script.get("/v1/workspaces", **spoofed)
    forged_left = script.get("/v1/workspaces", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7, 192.0.2.9")

    assert (without_proxy.status_code, behind_proxy.status_code, forged_left.status_code) == (401, 200, 401)


def test_the_tokens_page_sets_an_allowlist(owner, session_client):
    page = session_client(owner)
    form = page.get("/app/settings/api-tokens").content.decode()
    once = form.split('name="once" value="', 1)[1].split('"', 1)[0]

    bad = page.post(
        "/app/settings/api-tokens",
        {"name": "Script", "scopes": ["workspaces.read"], "allowed_ips": "not-an-ip", "once": once},
    )
    made = page.post(
        "/app/settings/api-tokens",
        {"name": "Script", "scopes": ["workspaces.read"], "allowed_ips": "203.0.113.7\n198.51.100.0/24", "once": once},
    )

    assert bad.status_code == 200
    assert "Not an IP address or CIDR range: not-an-ip." in bad.content.decode()
    assert made.status_code == 200
    assert ApiToken.objects.get().allowed_ips == ["203.0.113.7", "198.51.100.0/24"]
    assert "198.51.100.0/24" in page.get("/app/settings/api-tokens").content.decode()


def test_a_refused_post_with_an_idempotency_key_is_recorded_once(browser, office):
    token = create_token(browser, allowed_ips=["203.0.113.7"]).json()["token"]

    response = APIClient().post(
        "/v1/workspaces",
        {"name": "North", "office_id": office.pk},
        format="json",
        REMOTE_ADDR="192.0.2.1",
        HTTP_X_API_KEY=token,
        HTTP_IDEMPOTENCY_KEY="k-1",
    )

    assert response.status_code == 401
    assert AuditEvent.objects.filter(action="api_token.address_refused").count() == 1
