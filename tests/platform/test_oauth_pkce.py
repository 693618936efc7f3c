"""Issue 13 point 7, through HTTP: OAuth 2.1 authorization code with PKCE (S256) for apps that act
for a member: authorize as a signed-in member → consent page → code → token (verifier checked)
→ /v1 calls limited by the member's role → refresh → revocation from the member's settings."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from rest_framework.test import APIClient

from organisations.choices import MembershipStatus, Role
from organisations.models import OAuthApplication
from tests.organisations.factories import MembershipFactory, OrganisationFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

REDIRECT = "https://timer.example/callback"
APP_SCOPES = "workspaces.read workspaces.write webhooks.manage time.read"


def challenge_of(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture
def app():
    """A public third-party app of another organisation (its vendor)."""
    return OAuthApplication.objects.create(
        organisation=OrganisationFactory(name="Timer Vendor"),
        name="Pocket Timer",
        client_type=OAuthApplication.CLIENT_PUBLIC,
        authorization_grant_type=OAuthApplication.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT,
        scopes=APP_SCOPES,
    )


def authorize_query(app, challenge, scope="workspaces.read workspaces.write webhooks.manage", method="S256"):
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": method,
    }
    return "/oauth/authorize?" + urlencode(params)


def authorise(browser, app, verifier, **kwargs) -> str:
    """Consent as the signed-in member; the code from the redirect."""
    page = browser.get(authorize_query(app, challenge_of(verifier), **kwargs))
    assert page.status_code == 200, page.content
    form = page.context["form"]
    data = {name: field.value() for name, field in ((n, form[n]) for n in form.fields) if field.value() is not None}
    allowed = browser.post("/oauth/authorize", {**data, "allow": "Authorize"})
    assert allowed.status_code == 302, allowed.content
    location = urlsplit(allowed["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def exchange(client, app, code, verifier):
    return client.post(
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": app.client_id,
            "code_verifier": verifier,
        },
    )


def bearer(token):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


@pytest.fixture
def member(organisation):
    return MembershipFactory(organisation=organisation, role=Role.EMPLOYEE)


@pytest.fixture
def browser(client, member):
    client.force_login(member.user)
    return client


def test_the_consent_page_lists_the_app_and_its_scopes(browser, app):
    page = browser.get(authorize_query(app, challenge_of("v" * 50)))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Pocket Timer" in text and "Timer Vendor" in text
    for scope in ("workspaces.read", "workspaces.write", "webhooks.manage"):
        assert f"<code>{scope}</code>" in text


def test_signing_in_comes_first(client, app):
    response = client.get(authorize_query(app, challenge_of("v" * 50)))

    assert response.status_code == 302
    assert response["Location"].startswith("/app/login?next=")


def test_the_full_code_flow_acts_as_the_member_within_their_role(browser, app, client, member, organisation):
    verifier = secrets.token_urlsafe(48)
    WorkspaceFactory(office__organisation=organisation)

    code = authorise(browser, app, verifier)
    token = exchange(APIClient(), app, code, verifier)

    assert token.status_code == 200, token.content
    body = token.json()
    assert body["token_type"] == "Bearer" and body["refresh_token"]
    api = bearer(body["access_token"])
    as_app = api.get("/v1/workspaces")
    as_member = browser.get("/v1/workspaces")
    assert as_app.status_code == 200
    # the app sees exactly what the member sees themselves (an employee: not every workspace)
    assert as_app.json()["results"] == as_member.json()["results"]
    assert api.get("/v1/members").status_code == 403  # organisation.read was never granted
    actor = api.get("/v1/workspaces").renderer_context["request"].auth
    assert (actor.kind, actor.organisation, actor.membership) == ("oauth", organisation, member)
    # granted webhooks.manage is beyond an employee's role: dropped; never more than the member could
    assert actor.scopes == frozenset({"workspaces.read", "workspaces.write"})
    assert api.get("/v1/webhooks").status_code == 403
    # people-only actions stay people-only
    assert api.post("/v1/api-tokens", {"name": "x", "scopes": ["workspaces.read"]}, format="json").status_code == 403


def test_an_owner_keeps_the_scopes_their_role_allows(client, app, organisation):
    owner = MembershipFactory(organisation=organisation, role=Role.OWNER)
    client.force_login(owner.user)
    verifier = secrets.token_urlsafe(48)

    token = exchange(APIClient(), app, authorise(client, app, verifier), verifier).json()["access_token"]

    assert bearer(token).get("/v1/webhooks").status_code == 200


def test_a_wrong_or_missing_verifier_is_refused(browser, app):
    verifier = secrets.token_urlsafe(48)
    code = authorise(browser, app, verifier)

    wrong = exchange(APIClient(), app, code, secrets.token_urlsafe(48))
    missing = APIClient().post(
        "/oauth/token",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": app.client_id},
    )

    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert missing.status_code == 400


@pytest.mark.parametrize("method", ["plain", None])
def test_only_s256_challenges_are_accepted(browser, app, method):
    query = authorize_query(app, "v" * 50, method=method or "")
    if method is None:
        query = query.replace("&code_challenge=" + "v" * 50, "").replace("&code_challenge_method=", "")

    response = browser.get(query)

    # refused: an error redirect to the app (never a consent page)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert "error=invalid_request" in response["Location"]


def test_a_refresh_token_gives_a_new_pair(browser, app):
    verifier = secrets.token_urlsafe(48)
    first = exchange(APIClient(), app, authorise(browser, app, verifier), verifier).json()

    refreshed = APIClient().post(
        "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "client_id": app.client_id},
    )

    assert refreshed.status_code == 200, refreshed.content
    second = refreshed.json()
    assert second["access_token"] != first["access_token"]
    assert bearer(second["access_token"]).get("/v1/workspaces").status_code == 200


def test_the_member_revokes_the_app_from_their_settings(browser, app):
    verifier = secrets.token_urlsafe(48)
    pair = exchange(APIClient(), app, authorise(browser, app, verifier), verifier).json()
    assert bearer(pair["access_token"]).get("/v1/workspaces").status_code == 200

    listed = browser.get("/app/settings/authorised-apps")
    revoked = browser.post(f"/app/settings/authorised-apps/{app.pk}/revoke")

    assert "Pocket Timer" in listed.content.decode()
    assert 'class="data-table' in listed.content.decode()  # the shared table (issue 14 point 5)
    assert 'aria-label="Revoke Pocket Timer"' in listed.content.decode()
    assert revoked.status_code == 302
    assert bearer(pair["access_token"]).get("/v1/workspaces").status_code == 401
    refresh = APIClient().post(
        "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": pair["refresh_token"], "client_id": app.client_id},
    )
    assert refresh.status_code == 400
    assert "No apps act for you." in browser.get("/app/settings/authorised-apps").content.decode()


def test_another_members_app_cannot_be_revoked(browser, app, client, organisation):
    response = browser.post(f"/app/settings/authorised-apps/{app.pk}/revoke")

    assert response.status_code == 404


def test_a_deactivated_member_s_app_stops_working(browser, app, member):
    verifier = secrets.token_urlsafe(48)
    token = exchange(APIClient(), app, authorise(browser, app, verifier), verifier).json()["access_token"]

    member.status = MembershipStatus.DEACTIVATED
    member.save(update_fields=["status"])

    assert bearer(token).get("/v1/workspaces").status_code == 401


def test_two_members_of_one_app_never_share_idempotency_keys(browser, app, member, organisation, office):
    other = MembershipFactory(organisation=organisation, role=Role.OWNER)
    tokens = []
    for person in (member, other):
        browser.force_login(person.user)
        verifier = secrets.token_urlsafe(48)
        tokens.append(exchange(APIClient(), app, authorise(browser, app, verifier), verifier).json()["access_token"])
    body = {"name": "North", "office_id": office.pk}

    first = bearer(tokens[1]).post("/v1/workspaces", body, format="json", HTTP_IDEMPOTENCY_KEY="same-key")
    second = bearer(tokens[0]).post("/v1/workspaces", body, format="json", HTTP_IDEMPOTENCY_KEY="same-key")

    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in second  # the employee's own answer, never the owner's
    actor = bearer(tokens[1]).get("/v1/workspaces").renderer_context["request"].auth
    assert actor.label == f"{other.user} (app oauth:{app.client_id})"
