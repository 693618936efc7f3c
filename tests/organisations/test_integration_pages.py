"""The integrations pages (issue 3 points 2 and 4): OAuth clients for owners and admins, and
personal API tokens at /app/settings/api-tokens for every member. Secrets are shown once and
then proven to work against the real endpoints (/oauth/token, /v1/workspaces)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from organisations import services
from organisations.actors import Actor
from organisations.choices import Role
from organisations.models import ApiToken, AuditEvent, OAuthApplication, OAuthClientSecret
from tests.organisations.factories import (
    MembershipFactory,
    OAuthApplicationFactory,
    WorkspaceAgentFactory,
    WorkspaceFactory,
)

pytestmark = pytest.mark.django_db

FORBIDDEN_TEXT = "You can't open this page"
INTEGRATIONS_URL = "/app/integrations"
NEW_CLIENT_URL = "/app/integrations/clients/new"
TOKENS_URL = "/app/settings/api-tokens"


@pytest.fixture
def as_role(organisation, make_member, session_client):
    def make(role, **kwargs):
        membership = make_member(organisation, role, **kwargs)
        return session_client(membership), membership

    return make


def once_code(response) -> str:
    return re.search(r'name="once" value="([^"]+)"', response.content.decode()).group(1)


def shown(response, element_id: str) -> str:
    return re.search(rf'id="{element_id}">([^<]+)<', response.content.decode()).group(1)


def token_request(client_id: str, secret: str):
    """The token endpoint with a form body, as an integration would call it."""
    body = urlencode({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
    return Client().post("/oauth/token", data=body, content_type="application/x-www-form-urlencoded")


def workspaces_with(**headers):
    return Client().get("/v1/workspaces", **headers)


def page_audits(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(source=AuditEvent.Source.PAGE, action=action))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def session_values(client) -> str:
    return json.dumps(dict(client.session.items()), default=str)


def session_actor(membership) -> Actor:
    return Actor(organisation=membership.organisation, user=membership.user, membership=membership, kind="session")


# =============================================================================
# Who may open what
# =============================================================================


@pytest.mark.parametrize("role", Role.values)
def test_integrations_is_for_owners_and_admins(as_role, role):
    client, _membership = as_role(role)

    responses = [client.get(INTEGRATIONS_URL), client.get(NEW_CLIENT_URL)]

    expected = 200 if role in (Role.OWNER, Role.ADMIN) else 404 if role == Role.VIEWER else 403
    assert [r.status_code for r in responses] == [expected, expected]
    assert all((FORBIDDEN_TEXT in r.content.decode()) is (expected == 403) for r in responses)


@pytest.mark.parametrize("role", [role for role in Role.values if role != Role.VIEWER])
def test_every_member_manages_their_api_tokens(as_role, role):
    """Every member but a project viewer (a 404 for them: tests/timetracking/test_project_viewers.py)."""
    client, _membership = as_role(role)

    response = client.get(TOKENS_URL)

    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_a_member_cannot_post_to_the_client_pages(as_role, organisation):
    application = OAuthApplicationFactory(organisation=organisation)
    client, _member = as_role(Role.MANAGER)

    responses = [
        client.post(NEW_CLIENT_URL, {"name": "x", "scopes": ["workspaces.read"], "once": "x"}),
        client.post(f"/app/integrations/clients/{application.pk}/rotate", {"once": "x"}),
        client.post(f"/app/integrations/clients/{application.pk}/delete"),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert OAuthApplication.objects.get() == application


# =============================================================================
# OAuth clients
# =============================================================================


def test_a_new_client_shows_its_secret_once_and_the_secret_gets_a_token(as_role, organisation):
    client, owner = as_role(Role.OWNER)
    form = client.get(NEW_CLIENT_URL)
    data = {"name": "Payroll sync", "scopes": ["workspaces.read", "producers.read"], "once": once_code(form)}

    created = client.post(NEW_CLIENT_URL, data)

    application = OAuthApplication.objects.get()
    secret = shown(created, "client-secret")
    body = created.content.decode()
    assert created.status_code == 200
    assert "no-store" in created["Cache-Control"]
    assert application.client_id in body
    assert "http://testserver/" in body
    assert "http://testserver/oauth/token" in body
    assert (application.organisation, application.name, application.scopes, application.created_by) == (
        organisation,
        "Payroll sync",
        "producers.read workspaces.read",
        owner.user,
    )
    assert application.client_secret != secret and check_password(secret, application.client_secret)

    issued = token_request(application.client_id, secret)
    assert issued.status_code == 200
    assert issued.json()["scope"] == "producers.read workspaces.read"
    workspace = WorkspaceFactory(office__organisation=organisation)
    listed = workspaces_with(HTTP_AUTHORIZATION=f"Bearer {issued.json()['access_token']}")
    assert [w["id"] for w in listed.json()["results"]] == [workspace.pk]

    (audit,) = page_audits("oauth_client.create")
    assert (audit.object_type, audit.object_id, audit.actor_user) == (
        "organisations.OAuthApplication",
        str(application.pk),
        owner.user,
    )
    assert audit.changes["client_id"] == [None, application.client_id]
    assert secret not in json.dumps(list(AuditEvent.objects.values()), default=str)


def test_the_client_secret_is_not_shown_again_nor_kept_anywhere(as_role):
    client, _owner = as_role(Role.OWNER)
    data = {"name": "Sync", "scopes": ["workspaces.read"], "once": once_code(client.get(NEW_CLIENT_URL))}
    secret = shown(client.post(NEW_CLIENT_URL, data), "client-secret")

    listing = client.get(INTEGRATIONS_URL)
    resent = client.post(NEW_CLIENT_URL, data, follow=True)  # a browser reload re-sends the POST

    assert OAuthApplication.objects.get().client_id in listing.content.decode()
    assert secret not in listing.content.decode()
    assert OAuthApplication.objects.count() == 1
    assert resent.redirect_chain == [(INTEGRATIONS_URL, 302)]
    assert secret not in resent.content.decode()
    assert messages_of(resent) == [
        "That form was already submitted. A secret is shown only once: if you did not keep it, rotate the "
        "client's secret or create a new token."
    ]
    assert secret not in session_values(client)
    assert all(secret not in morsel.value for morsel in client.cookies.values())


def test_a_client_needs_known_scopes(as_role):
    client, _owner = as_role(Role.OWNER)
    once = once_code(client.get(NEW_CLIENT_URL))

    unknown = client.post(NEW_CLIENT_URL, {"name": "Sync", "scopes": ["root"], "once": once})
    none = client.post(NEW_CLIENT_URL, {"name": "Sync", "once": once})

    assert unknown.context["form"].errors == {
        "scopes": ["Select a valid choice. root is not one of the available choices."]
    }
    assert none.context["form"].errors == {"scopes": ["Give the client at least one scope."]}
    assert OAuthApplication.objects.count() == 0


def test_the_list_shows_clients_with_scopes_and_the_grace_of_a_previous_secret(
    as_role, organisation, other_organisation
):
    rotated = services.api_client_create(organisation=organisation, name="Rotated", scopes=["hr.read"]).application
    services.api_client_create(organisation=organisation, name="Plain", scopes=["time.read", "time.write"])
    services.api_client_create(organisation=other_organisation, name="Rival client", scopes=["hr.read"])
    grace = services.oauth_client_secret_rotate(application=rotated).previous_secret_expires_at
    client, _admin = as_role(Role.ADMIN)

    response = client.get(INTEGRATIONS_URL)

    rows = response.context["clients"].pager.rows
    assert [c.name for c in rows] == ["Plain", "Rotated"]
    assert [[s.expires_at for s in c.secrets_in_grace] for c in rows] == [[], [grace]]
    body = response.content.decode()
    assert "<code>time.read</code> <code>time.write</code>" in body
    assert f"Still works until {grace:%Y-%m-%d %H:%M} UTC" in body
    assert "Rival client" not in body


def test_rotation_shows_a_new_secret_once_and_the_old_one_keeps_working(as_role, organisation):
    created = services.api_client_create(organisation=organisation, name="Sync", scopes=["workspaces.read"])
    application, old_secret = created.application, created.client_secret
    client, owner = as_role(Role.OWNER)
    url = f"/app/integrations/clients/{application.pk}/rotate"
    once = once_code(client.get(url))

    rotated = client.post(url, {"once": once})
    new_secret = shown(rotated, "client-secret")
    again = client.post(url, {"once": once}, follow=True)

    assert rotated.status_code == 200
    assert "no-store" in rotated["Cache-Control"]
    assert new_secret != old_secret
    assert token_request(application.client_id, old_secret).status_code == 200
    assert token_request(application.client_id, new_secret).status_code == 200
    assert OAuthClientSecret.objects.filter(application=application).count() == 1  # the re-sent POST did nothing
    assert new_secret not in again.content.decode()
    (audit,) = page_audits("oauth_client.rotate_secret")
    assert (audit.object_id, audit.actor_user) == (str(application.pk), owner.user)
    assert new_secret not in json.dumps(audit.changes) and old_secret not in json.dumps(audit.changes)


def test_ending_the_grace_stops_the_previous_secret(as_role, organisation):
    created = services.api_client_create(organisation=organisation, name="Sync", scopes=["workspaces.read"])
    new_secret = services.oauth_client_secret_rotate(application=created.application).client_secret
    client, _owner = as_role(Role.OWNER)

    response = client.post(f"/app/integrations/clients/{created.application.pk}/end-grace", follow=True)

    assert messages_of(response) == ["The previous secret of “Sync” no longer works."]
    assert token_request(created.application.client_id, created.client_secret).status_code == 401
    assert token_request(created.application.client_id, new_secret).status_code == 200
    (audit,) = page_audits("oauth_client.end_grace")
    assert audit.changes == {"previous_secrets_revoked": 1}


def test_deleting_a_client_asks_first_then_kills_its_tokens(as_role, organisation):
    created = services.api_client_create(organisation=organisation, name="Old sync", scopes=["workspaces.read"])
    application = created.application
    access_token = token_request(application.client_id, created.client_secret).json()["access_token"]
    client, owner = as_role(Role.OWNER)
    url = f"/app/integrations/clients/{application.pk}/delete"

    confirm = client.get(url)
    before = workspaces_with(HTTP_AUTHORIZATION=f"Bearer {access_token}").status_code
    deleted = client.post(url, follow=True)

    assert "This cannot be undone." in confirm.content.decode()
    assert before == 200
    assert messages_of(deleted) == ["Client “Old sync” deleted; its tokens no longer work."]
    assert OAuthApplication.objects.count() == 0
    assert AccessToken.objects.count() == 0
    assert workspaces_with(HTTP_AUTHORIZATION=f"Bearer {access_token}").status_code == 401
    assert token_request(application.client_id, created.client_secret).status_code == 401
    (audit,) = page_audits("oauth_client.delete")
    assert (audit.object_id, audit.actor_user, audit.changes["client_id"]) == (
        str(application.pk),
        owner.user,
        [application.client_id, None],
    )


def test_another_organisations_client_is_a_404(as_role, other_organisation):
    foreign = services.api_client_create(organisation=other_organisation, name="Rival", scopes=["hr.read"])
    application = foreign.application
    client, _owner = as_role(Role.OWNER)
    base = f"/app/integrations/clients/{application.pk}"

    responses = [
        client.get(f"{base}/rotate"),
        client.post(f"{base}/rotate", {"once": "anything"}),
        client.post(f"{base}/end-grace"),
        client.get(f"{base}/delete"),
        client.post(f"{base}/delete"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404, 404]
    assert OAuthApplication.objects.get() == application
    assert OAuthClientSecret.objects.count() == 0
    assert token_request(application.client_id, foreign.client_secret).status_code == 200
    assert AuditEvent.objects.count() == 0


# =============================================================================
# Personal API tokens
# =============================================================================


def create_token(client, **fields):
    data = {"name": "Nightly export", "scopes": ["workspaces.read"], "once": once_code(client.get(TOKENS_URL))}
    data.update(fields)
    return client.post(TOKENS_URL, data)


def test_a_personal_token_is_shown_once_and_works_as_x_api_key(as_role, organisation):
    client, member = as_role(Role.EMPLOYEE)
    workspace = WorkspaceFactory(office__organisation=organisation)
    WorkspaceAgentFactory(workspace=workspace, membership=member)  # an employee sees their workspaces

    created = create_token(client)

    token = shown(created, "api-token")
    api_token = ApiToken.objects.get()
    assert created.status_code == 200
    assert "no-store" in created["Cache-Control"]
    assert re.fullmatch(r"tys_[A-Za-z0-9]{32}", token)
    assert (api_token.membership, api_token.name, api_token.scopes, api_token.expires_at) == (
        member,
        "Nightly export",
        "workspaces.read",
        None,
    )
    assert api_token.prefix == token[:8]
    response = workspaces_with(HTTP_X_API_KEY=token)
    assert response.status_code == 200
    assert [w["id"] for w in response.json()["results"]] == [workspace.pk]
    listing = client.get(TOKENS_URL).content.decode()
    assert token not in listing
    assert f"<code>{api_token.prefix}…</code>" in listing
    assert token not in session_values(client)
    assert all(token not in morsel.value for morsel in client.cookies.values())
    (audit,) = page_audits("api_token.create")
    assert (audit.object_type, audit.object_id, audit.actor_user) == (
        "organisations.ApiToken",
        str(api_token.pk),
        member.user,
    )
    assert token not in json.dumps(list(AuditEvent.objects.values()), default=str)


def test_resending_the_token_form_makes_no_second_token(as_role):
    client, _member = as_role(Role.EMPLOYEE)
    data = {"name": "Script", "scopes": ["time.read"], "once": once_code(client.get(TOKENS_URL))}
    token = shown(client.post(TOKENS_URL, data), "api-token")

    resent = client.post(TOKENS_URL, data, follow=True)

    assert ApiToken.objects.count() == 1
    assert resent.redirect_chain == [(TOKENS_URL, 302)]
    assert token not in resent.content.decode()


def test_a_token_may_carry_any_scope_and_expires_at_the_end_of_its_day(as_role, organisation):
    organisation.timezone = "America/New_York"
    organisation.save()
    client, _member = as_role(Role.PRODUCER)
    day = timezone.localdate() + timedelta(days=10)

    create_token(client, scopes=["payroll.write", "impersonation"], expires_on=day.isoformat())

    api_token = ApiToken.objects.get()
    assert api_token.scopes == "impersonation payroll.write"
    assert api_token.expires_at == datetime.combine(
        day + timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo("America/New_York")
    )


def test_a_past_expiry_date_is_shown_on_its_field(as_role):
    client, _member = as_role(Role.EMPLOYEE)

    response = create_token(client, expires_on=date(2020, 1, 1).isoformat())

    assert response.status_code == 200
    assert response.context["form"].errors == {"expires_on": ["Must be in the future."]}
    assert ApiToken.objects.count() == 0


def test_revoking_a_token_on_the_page_stops_it(as_role):
    client, member = as_role(Role.EMPLOYEE)
    token = shown(create_token(client), "api-token")
    api_token = ApiToken.objects.get()

    response = client.post(f"{TOKENS_URL}/{api_token.pk}/revoke", follow=True)

    api_token.refresh_from_db()
    assert api_token.revoked_at is not None
    assert messages_of(response) == [f"Token “Nightly export” ({api_token.prefix}…) revoked."]
    assert workspaces_with(HTTP_X_API_KEY=token).status_code == 401
    assert "Revoked" in response.content.decode()
    (audit,) = page_audits("api_token.revoke")
    assert (audit.object_id, audit.actor_user) == (str(api_token.pk), member.user)
    assert list(audit.changes) == ["revoked_at"]


def test_an_admin_sees_and_revokes_another_members_token(as_role, organisation, make_member):
    employee = make_member(organisation, Role.EMPLOYEE)
    created = services.api_token_create(actor=session_actor(employee), name="Employee script", scopes=["time.read"])
    client, admin = as_role(Role.ADMIN)

    page = client.get(TOKENS_URL)
    revoked = client.post(f"{TOKENS_URL}/{created.api_token.pk}/revoke")

    assert [t.name for t in page.context["tokens"].pager.rows] == []
    assert [t.name for t in page.context["other_tokens"].pager.rows] == ["Employee script"]
    assert employee.user.email in page.content.decode()
    assert revoked.status_code == 302
    created.api_token.refresh_from_db()
    assert created.api_token.revoked_at is not None
    assert workspaces_with(HTTP_X_API_KEY=created.token).status_code == 401
    (audit,) = page_audits("api_token.revoke")
    assert audit.actor_user == admin.user


def test_a_member_neither_sees_nor_revokes_another_members_token(as_role, organisation, make_member):
    owner = make_member(organisation, Role.OWNER)
    created = services.api_token_create(actor=session_actor(owner), name="Owner script", scopes=["hr.read"])
    client, _member = as_role(Role.EMPLOYEE)

    page = client.get(TOKENS_URL)
    response = client.post(f"{TOKENS_URL}/{created.api_token.pk}/revoke")

    assert "other_tokens" not in page.context
    assert "Owner script" not in page.content.decode()
    assert response.status_code == 404
    created.api_token.refresh_from_db()
    assert created.api_token.revoked_at is None
    assert AuditEvent.objects.count() == 0


def test_another_organisations_token_is_a_404_even_for_an_owner(as_role, other_organisation):
    foreign_owner = MembershipFactory(organisation=other_organisation, role=Role.OWNER)
    created = services.api_token_create(actor=session_actor(foreign_owner), name="Rival", scopes=["hr.read"])
    client, _owner = as_role(Role.OWNER)

    page = client.get(TOKENS_URL)
    response = client.post(f"{TOKENS_URL}/{created.api_token.pk}/revoke")

    assert "Rival" not in page.content.decode()
    assert response.status_code == 404
    created.api_token.refresh_from_db()
    assert created.api_token.revoked_at is None


def test_tokens_are_filtered_by_status_and_paginated(as_role, make_member):
    client, member = as_role(Role.EMPLOYEE)
    actor = session_actor(member)
    for n in range(26):
        services.api_token_create(actor=actor, name=f"Token {n:02d}", scopes=["time.read"])
    revoked = services.api_token_create(actor=actor, name="Old", scopes=["time.read"]).api_token
    services.api_token_revoke(actor=actor, api_token=revoked)

    first = client.get(TOKENS_URL).context["tokens"].pager
    second = client.get(TOKENS_URL + "?page=2").context["tokens"].pager
    only_revoked = client.get(TOKENS_URL + "?status=revoked").context["tokens"].pager

    assert (len(first.rows), len(second.rows), first.page.paginator.count) == (25, 2, 27)
    assert [t.name for t in only_revoked.rows] == ["Old"]


# =============================================================================
# The "try it" example calls a path the new credential may call (issue 14 point 10)
# =============================================================================


@pytest.mark.parametrize(
    ("scopes", "path"),
    [
        (["workspaces.read"], "workspaces"),
        (["time.read", "time.write"], "time-entries"),
        (["hr.read"], "hr/employees"),
        (["organisation.read"], "organisations/current"),
        (["time.write"], "me"),
    ],
)
def test_the_try_it_example_calls_a_path_the_token_allows(as_role, scopes, path):
    client, _member = as_role(Role.ADMIN)

    created = create_token(client, scopes=scopes)

    example = re.search(r"curl http://testserver/v1/(\S+) -H", created.content.decode()).group(1)
    assert example == path
    response = Client().get(f"/v1/{example}", HTTP_X_API_KEY=shown(created, "api-token"))
    assert response.status_code == 200, response.content


def test_a_new_oauth_client_is_shown_a_path_its_scopes_allow(as_role):
    client, _owner = as_role(Role.OWNER)
    data = {"name": "Time sync", "scopes": ["time.read"], "once": once_code(client.get(NEW_CLIENT_URL))}

    created = client.post(NEW_CLIENT_URL, data)

    assert "http://testserver/v1/time-entries" in created.content.decode()
    assert "http://testserver/v1/workspaces" not in created.content.decode()
