"""Every error under /v1/, /oauth/ and /graphql is RFC 7807 problem+json with a request id."""

import pytest

from tests.organisations.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
TYPE = "https://docs.trackyoursheets.com/errors/"


def assert_problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    request_id = response["X-TrackYourSheets-Request-Id"]
    assert body["type"] == TYPE + slug
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == f"urn:trackyoursheets:request:{request_id}"
    return body


def test_malformed_json_body_is_400(api):
    response = api.post("/v1/workspaces", data="{oops", content_type="application/json")

    assert_problem(response, 400, "malformed-body")


def test_no_credentials_is_401_with_a_challenge(anonymous_api):
    response = anonymous_api.get("/v1/workspaces")

    body = assert_problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="trackyoursheets"'
    assert body["detail"] == "Authentication credentials were not provided."


def test_unknown_token_is_401(anonymous_api):
    response = anonymous_api.get("/v1/workspaces", HTTP_AUTHORIZATION="Bearer not-a-token")

    body = assert_problem(response, 401, "unauthenticated")
    assert body["detail"] == "The access token is invalid or has expired."


def test_missing_scope_is_403_naming_the_scope(organisation, make_api_client):
    api = make_api_client(organisation, scopes=("producers.read",))

    response = api.post("/v1/workspaces", {"name": "North"}, format="json")

    body = assert_problem(response, 403, "missing-scope")
    assert body["required_scope"] == "workspaces.write"


def test_role_without_permission_is_403(organisation, make_member, session_client, office):
    employee = make_member(organisation, "employee")
    client = session_client(employee)

    response = client.post("/v1/workspaces", {"name": "North", "office_id": office.pk}, content_type="application/json")

    body = assert_problem(response, 403, "forbidden")
    assert body["detail"] == "Your role does not allow changes in this office."


def test_unknown_url_is_404(api):
    response = api.get("/v1/no-such-thing")

    body = assert_problem(response, 404, "not-found")
    assert body["detail"] == "No resource at /v1/no-such-thing."


def test_missing_object_is_404(api):
    response = api.get("/v1/workspaces/999999")

    body = assert_problem(response, 404, "not-found")
    assert body["detail"] == "Not found."


def test_unknown_oauth_url_is_404(client):
    assert_problem(client.get("/oauth/nothing-here"), 404, "not-found")


def test_method_not_allowed_is_405_with_allow(api):
    response = api.put("/v1/workspaces", {}, format="json")

    assert_problem(response, 405, "method-not-allowed")
    assert response["Allow"] == "GET, POST, HEAD, OPTIONS"


def test_method_not_allowed_on_token_endpoint_is_405(client):
    assert_problem(client.get("/oauth/token"), 405, "method-not-allowed")


def test_unsupported_media_type_is_415(api):
    response = api.post("/v1/workspaces", data="name=x", content_type="text/plain")

    assert_problem(response, 415, "unsupported-media-type")


def test_validation_is_422_with_field_errors_as_in_the_guide(api):
    response = api.post("/v1/workspaces", {"name": "North"}, format="json")

    body = assert_problem(response, 422, "validation")
    assert body["title"] == "Validation failed"
    assert body["detail"] == "office_id: This field is required."
    assert body["errors"] == {"office_id": ["This field is required."]}


def test_several_field_errors_are_all_reported(api):
    response = api.post("/v1/producers", {"default_split_percent": "150", "email": "nope"}, format="json")

    body = assert_problem(response, 422, "validation")
    assert sorted(body["errors"]) == ["default_split_percent", "display_name", "email"]
    assert body["detail"] == "3 fields failed validation: display_name, email, default_split_percent"


def test_rate_limit_is_429_with_retry_after(organisation, make_api_client):
    organisation.api_rate_limit_per_minute = 2
    organisation.save()
    api = make_api_client(organisation)

    first, second, third = (api.get("/v1/workspaces") for _ in range(3))

    assert [first.status_code, second.status_code] == [200, 200]
    assert first["X-RateLimit-Limit"] == "2"
    assert [first["X-RateLimit-Remaining"], second["X-RateLimit-Remaining"]] == ["1", "0"]
    assert_problem(third, 429, "rate-limited")
    assert 1 <= int(third["Retry-After"]) <= 60
    assert third["X-RateLimit-Remaining"] == "0"


def test_rate_limit_is_per_organisation(organisation, other_organisation, make_api_client):
    organisation.api_rate_limit_per_minute = 1
    organisation.save()
    ours, theirs = make_api_client(organisation), make_api_client(other_organisation)

    ours.get("/v1/workspaces")
    blocked = ours.get("/v1/workspaces")
    other = theirs.get("/v1/workspaces")

    assert blocked.status_code == 429
    assert other.status_code == 200


def test_unhandled_error_is_500_without_internals(api, settings):
    settings.ROOT_URLCONF = "tests.platform.crash_urls"
    api.raise_request_exception = False

    response = api.get("/v1/crash")

    body = assert_problem(response, 500, "server-error")
    assert "hunter2" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert body["request_id"] == response["X-TrackYourSheets-Request-Id"]


def test_graphql_without_credentials_is_a_401_problem(anonymous_api):
    response = anonymous_api.post("/graphql", {"query": "{ __typename }"}, format="json")

    assert_problem(response, 401, "unauthenticated")


def test_graphql_wrong_method_is_a_405_problem(api):
    assert_problem(api.put("/graphql", {}, format="json"), 405, "method-not-allowed")


def test_workspace_of_another_tenant_is_the_same_404_as_a_missing_one(api, other_organisation):
    theirs = WorkspaceFactory(office__organisation=other_organisation)

    foreign = api.get(f"/v1/workspaces/{theirs.pk}")
    missing = api.get("/v1/workspaces/999999")

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["detail"] == missing.json()["detail"]


def test_api_access_switched_off_for_the_organisation_is_403(organisation, make_api_client):
    organisation.feature_toggles = {"api": False}
    organisation.save()
    api = make_api_client(organisation)

    response = api.get("/v1/workspaces")

    body = assert_problem(response, 403, "forbidden")
    assert body["detail"] == "Your organisation's plan or settings do not include API access."
