"""The audit trail: every mutating REST call and GraphQL mutation leaves one row."""

import pytest

from organisations.models import AuditEvent
from tests.organisations.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


def test_rest_create_is_audited_with_actor_request_id_and_object(api, office):
    response = api.post(
        "/v1/workspaces",
        {"name": "North", "office_id": office.pk},
        format="json",
        HTTP_X_TRACKYOURSHEETS_REQUEST_ID="audit-create-0001",
    )

    event = AuditEvent.objects.get()
    assert event.source == "api"
    assert event.organisation_id == office.organisation_id
    assert event.application_id == api.application.pk
    assert event.actor_label == f"oauth:{api.application.client_id}"
    assert event.request_id == "audit-create-0001"
    assert (event.method, event.path, event.status_code) == ("POST", "/v1/workspaces", 201)
    assert (event.object_type, event.object_id) == ("organisations.Workspace", str(response.json()["id"]))
    assert event.action == "workspace.create"
    assert event.changes["name"] == [None, "North"]


def test_rest_update_records_only_changed_fields(api, office):
    workspace = WorkspaceFactory(office=office, name="Old", description="same")

    api.patch(f"/v1/workspaces/{workspace.pk}", {"name": "New", "description": "same"}, format="json")

    event = AuditEvent.objects.get()
    assert event.action == "workspace.partial_update"
    assert event.changes == {"name": ["Old", "New"]}


def test_archive_is_audited_as_a_status_change(api, office):
    workspace = WorkspaceFactory(office=office)

    api.delete(f"/v1/workspaces/{workspace.pk}")

    assert AuditEvent.objects.get().changes == {"status": ["active", "archived"]}


def test_failed_writes_are_audited_with_their_status(api):
    api.post("/v1/workspaces", {"name": "x"}, format="json")

    event = AuditEvent.objects.get()
    assert event.status_code == 422
    assert event.object_id == ""


def test_reads_and_anonymous_calls_are_not_audited(api, anonymous_api):
    api.get("/v1/workspaces")
    anonymous_api.post("/v1/workspaces", {}, format="json")

    assert AuditEvent.objects.count() == 0


def test_idempotent_replays_are_audited_once(api, office):
    for _ in range(2):
        api.post("/v1/workspaces", {"name": "N", "office_id": office.pk}, format="json", HTTP_IDEMPOTENCY_KEY="a-1")

    assert AuditEvent.objects.count() == 1


def test_session_changes_name_the_user(organisation, make_member, session_client, office):
    owner = make_member(organisation, "owner")
    client = session_client(owner)

    client.post("/v1/offices", {"name": "Leeds"}, content_type="application/json")

    event = AuditEvent.objects.get()
    assert event.actor_user_id == owner.user_id
    assert event.actor_label == owner.user.email


def test_graphql_queries_are_not_audited(api, gql):
    gql(api, "{ __typename }")

    assert AuditEvent.objects.count() == 0


def test_graphql_mutations_are_audited(api, gql, office):
    response = gql(
        api,
        "mutation($input: WorkspaceInput!) { createWorkspace(input: $input) { databaseId } }",
        {"input": {"name": "Via GraphQL", "officeId": office.pk}},
    )

    event = AuditEvent.objects.get()
    assert (event.action, event.object_type) == ("WorkspaceCreate", "organisations.Workspace")
    assert event.object_id == str(response.json()["data"]["createWorkspace"]["databaseId"])
    assert (event.source, event.method, event.path, event.status_code) == ("graphql", "POST", "/graphql", 200)
    assert event.actor_label == f"oauth:{api.application.client_id}"


# =============================================================================
# GET /v1/audit-events
# =============================================================================


def test_owner_reads_the_trail_with_filters(organisation, make_member, session_client, office, api):
    api.post(
        "/v1/workspaces",
        {"name": "A", "office_id": office.pk},
        format="json",
        HTTP_X_TRACKYOURSHEETS_REQUEST_ID="req-find-me-0001",
    )
    api.post("/v1/offices", {"name": "Leeds"}, format="json")
    client = session_client(make_member(organisation, "owner"))

    everything = client.get("/v1/audit-events").json()
    by_request = client.get("/v1/audit-events?request_id=req-find-me-0001").json()
    by_object = client.get("/v1/audit-events?object_type=organisations.Office").json()

    assert [e["action"] for e in everything["results"]] == ["office.create", "workspace.create"]
    assert [e["path"] for e in by_request["results"]] == ["/v1/workspaces"]
    assert by_request["results"][0]["client_id"] == api.application.client_id
    assert [e["action"] for e in by_object["results"]] == ["office.create"]


@pytest.mark.parametrize("role", ["manager", "hr", "producer", "employee"])
def test_only_owners_and_admins_read_the_trail(organisation, make_member, session_client, role):
    response = session_client(make_member(organisation, role)).get("/v1/audit-events")

    assert response.status_code == 403


def test_oauth_client_needs_organisation_read(organisation, make_api_client):
    without = make_api_client(organisation, scopes=("workspaces.read",))
    with_scope = make_api_client(organisation, scopes=("organisation.read",))

    assert without.get("/v1/audit-events").json()["required_scope"] == "organisation.read"
    assert with_scope.get("/v1/audit-events").status_code == 200


def test_bad_audit_filter_is_422(api):
    assert api.get("/v1/audit-events?created_before=soon").status_code == 422
