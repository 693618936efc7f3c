"""The shared per-request path stays cheap and correct (issue 13 point 14): a bearer token is
resolved in one query with nothing cached between requests (a revoked token or a withdrawn grant
counts at once, however warm the worker), FilterSets share nothing between requests, and the
orjson renderer writes what DRF's JSONRenderer writes."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy
from oauth2_provider.models import AccessToken
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from organisations import services
from organisations.choices import Role
from organisations.models import OAuthApplicationGrant
from tests.conftest import ALL_SCOPES, issue_token
from tests.organisations.factories import MembershipFactory, OAuthApplicationFactory, OrganisationFactory
from timetracking.filters import TimeEntryFilterSet
from trackyoursheets.api.renderers import ORJSONRenderer

pytestmark = pytest.mark.django_db

PATH = "/v1/workspaces"


def test_a_bearer_token_costs_one_query(organisation, api):
    api.get(PATH)  # warm: content types, settings
    with CaptureQueriesContext(connection) as warm:
        api.get(PATH)
    token_queries = [q for q in warm.captured_queries if "oauth2_provider_accesstoken" in q["sql"]]

    assert len(token_queries) == 1
    assert not [q for q in warm.captured_queries if "oauthapplicationgrant" in q["sql"] and q not in token_queries]
    assert not [q for q in warm.captured_queries if q["sql"].strip().upper() == "SELECT 1"]


def test_a_revoked_token_is_refused_at_once_even_when_warm(client):
    organisation = OrganisationFactory()
    created = services.api_client_create(organisation=organisation, name="Sync", scopes=["workspaces.read"])
    client_id, secret = created.application.client_id, created.client_secret
    body = {"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"}
    token = client.post("/oauth/token", data=json.dumps(body), content_type="application/json").json()["access_token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    warm = [client.get(PATH, **auth).status_code for _ in range(3)]

    revoke = client.post("/oauth/revoke", {"token": token, "client_id": client_id, "client_secret": secret})
    after = client.get(PATH, **auth)

    assert warm == [200, 200, 200]
    assert revoke.status_code == 200
    assert after.status_code == 401


def test_an_expired_token_is_refused_at_once_even_when_warm(organisation, api):
    assert api.get(PATH).status_code == 200
    AccessToken.objects.filter(application=api.application).update(
        expires=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )

    assert api.get(PATH).status_code == 401


def test_a_grant_counts_from_the_next_request_and_so_does_its_withdrawal(organisation, api):
    other = OrganisationFactory(slug="granted")
    assert api.get(PATH).status_code == 200

    grant = OAuthApplicationGrant.objects.create(application=api.application, organisation=other)
    must_pick = api.get(PATH)
    picked = api.get(PATH, HTTP_X_TRACKYOURSHEETS_ORGANISATION="granted")
    grant.delete()
    withdrawn = api.get(PATH, HTTP_X_TRACKYOURSHEETS_ORGANISATION="granted")
    own_again = api.get(PATH)

    assert must_pick.status_code == 422
    assert picked.status_code == 200
    assert withdrawn.status_code == 403
    assert own_again.status_code == 200


def test_a_deactivated_granted_organisation_is_not_a_choice(organisation, api):
    other = OrganisationFactory(slug="asleep", is_active=False)
    OAuthApplicationGrant.objects.create(application=api.application, organisation=other)

    assert api.get(PATH).status_code == 200  # only its own organisation is left: no header needed
    assert api.get(PATH, HTTP_X_TRACKYOURSHEETS_ORGANISATION="asleep").status_code == 403


def test_filtersets_share_no_filter_between_requests():
    first = TimeEntryFilterSet(data={"project_id": "1"})
    second = TimeEntryFilterSet(data={"project_id": "2", "tags": "a"})

    for name, declared in TimeEntryFilterSet.base_filters.items():
        assert first.filters[name] is not second.filters[name]
        assert first.filters[name].parent is first and second.filters[name].parent is second
        assert getattr(declared, "parent", None) is None
    assert first.is_valid() and second.is_valid()
    assert first.form.fields["project_id"] is not second.form.fields["project_id"]
    first_where = str(first.qs.query).split(" WHERE ", 1)[1]
    second_where = str(second.qs.query).split(" WHERE ", 1)[1]
    assert '"project_id" = 1' in first_where and "tags" not in first_where
    assert '"project_id" = 2' in second_where and "tags" in second_where


def test_orjson_writes_what_drf_writes():
    data = ReturnDict(
        {
            "id": 1,
            "amount": decimal.Decimal("12.50"),
            "at": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
            "at_us": datetime.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=datetime.UTC),
            "offset": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=5))),
            "day": datetime.date(2026, 1, 2),
            "time": datetime.time(9, 30),
            "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            "lazy": gettext_lazy("Not found."),
            "text": "Zoë — ✓ </script>",
            "nested": ReturnList([{"a": None, "b": [1, 2.5, True]}], serializer=None),
            "span": datetime.timedelta(seconds=90),
            3: "an int key",
        },
        serializer=None,
    )

    assert ORJSONRenderer().render(data) == JSONRenderer().render(data)
    assert ORJSONRenderer().render(None) == b""
    assert json.loads(ORJSONRenderer().render(data, "application/json; indent=2")) == json.loads(
        JSONRenderer().render(data)
    )


def test_a_token_of_a_user_reads_the_user_in_the_same_query(organisation):
    # a member-bound token (authorization code, issue 13 point 7) acts in its member's own
    # organisation, whichever organisation registered the app
    application = OAuthApplicationFactory(organisation=organisation, scopes=" ".join(ALL_SCOPES))
    member = MembershipFactory(organisation=organisation, role=Role.OWNER)
    stranger = MembershipFactory(role=Role.OWNER)
    api = APIClient()

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(application, user=member.user)}")
    as_member = api.get("/v1/organisations/current")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(application, user=stranger.user)}")
    as_stranger = api.get("/v1/organisations/current")

    assert as_member.status_code == 200
    assert as_member.json()["id"] == organisation.pk
    assert as_stranger.status_code == 200
    assert as_stranger.json()["id"] == stranger.organisation_id
