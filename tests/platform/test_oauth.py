"""OAuth 2.1 client credentials at /oauth/token (DESIGN §4), through HTTP."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken

from organisations import services
from tests.conftest import issue_token

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def credentials(organisation):
    created = services.api_client_create(
        organisation=organisation, name="Finance sync", scopes=["workspaces.read", "producers.read", "producers.write"]
    )
    return created.application.client_id, created.client_secret


def post_json(client, body):
    return client.post("/oauth/token", data=json.dumps(body), content_type="application/json")


def test_token_by_json_body_as_in_the_guide(client, credentials):
    client_id, secret = credentials

    response = post_json(
        client,
        {
            "client_id": client_id,
            "client_secret": secret,
            "grant_type": "client_credentials",
            "scope": "workspaces.read producers.read",
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "workspaces.read producers.read"
    assert "refresh_token" not in body


def test_token_by_form_body_defaults_to_every_granted_scope(client, credentials):
    client_id, secret = credentials

    response = client.post(
        "/oauth/token", {"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"}
    )

    assert response.status_code == 200
    assert sorted(response.json()["scope"].split()) == ["producers.read", "producers.write", "workspaces.read"]


def test_token_by_http_basic_auth(client, credentials):
    import base64

    client_id, secret = credentials
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()

    response = client.post("/oauth/token", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}")

    assert response.status_code == 200


def test_issued_token_works_on_the_api_and_expires_in_an_hour(client, credentials):
    client_id, secret = credentials
    token = post_json(
        client, {"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"}
    ).json()["access_token"]

    response = client.get("/v1/workspaces", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    stored = AccessToken.objects.get()
    assert abs((stored.expires - timezone.now()) - timedelta(hours=1)) < timedelta(seconds=30)
    assert stored.token != token  # only a checksum is kept (RFC 9700 storage)


def test_wrong_secret_is_a_401_problem_with_oauth_fields(client, credentials):
    client_id, _ = credentials

    response = post_json(client, {"client_id": client_id, "client_secret": "nope", "grant_type": "client_credentials"})

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["error"] == "invalid_client"
    assert body["status"] == 401
    assert body["instance"] == f"urn:trackyoursheets:request:{response['X-TrackYourSheets-Request-Id']}"


def test_blank_secret_never_authenticates(client, credentials):
    client_id, _ = credentials

    response = post_json(client, {"client_id": client_id, "client_secret": "", "grant_type": "client_credentials"})

    assert response.status_code == 401


def test_scope_escalation_is_refused(client, credentials):
    client_id, secret = credentials

    response = post_json(
        client,
        {
            "client_id": client_id,
            "client_secret": secret,
            "grant_type": "client_credentials",
            "scope": "workspaces.read payroll.write",
        },
    )

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["error"] == "invalid_scope"
    assert AccessToken.objects.count() == 0


def test_unsupported_grant_type_is_a_problem(client, credentials):
    client_id, secret = credentials

    response = post_json(client, {"client_id": client_id, "client_secret": secret, "grant_type": "made_up"})

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["error"] == "unsupported_grant_type"


def test_malformed_json_body_is_a_400_problem(client):
    response = client.post("/oauth/token", data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["error"] == "invalid_request"


def test_deactivated_organisation_gets_no_token_and_its_tokens_stop_working(client, organisation, credentials):
    client_id, secret = credentials
    token = post_json(
        client, {"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"}
    ).json()["access_token"]
    organisation.is_active = False
    organisation.save()

    refused = post_json(client, {"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"})
    api_call = client.get("/v1/workspaces", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert refused.status_code in (400, 401)
    assert api_call.status_code == 401


def test_expired_token_is_refused(client, organisation, make_api_client):
    application = make_api_client(organisation).application
    token = issue_token(application, ttl_seconds=-1)

    response = client.get("/v1/workspaces", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_scopes_shrink_when_the_client_grant_shrinks(client, organisation, make_api_client):
    api = make_api_client(organisation, scopes=("workspaces.read",))
    api.application.scopes = ""
    api.application.save()

    response = api.get("/v1/workspaces")

    assert response.status_code == 403
    assert response.json()["required_scope"] == "workspaces.read"


def test_revoked_token_stops_working(client, credentials):
    client_id, secret = credentials
    token = post_json(
        client, {"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"}
    ).json()["access_token"]

    revoke = client.post("/oauth/revoke", {"token": token, "client_id": client_id, "client_secret": secret})
    after = client.get("/v1/workspaces", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert revoke.status_code == 200
    assert after.status_code == 401
