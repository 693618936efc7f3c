"""Issue 12 point 4: services write the audit row in the same transaction as the change, so
REST, GraphQL and pages record the same row, and a change whose row cannot be written does
not happen."""

import pytest
from graphql_relay import to_global_id

from integrations.models import OutboxEvent
from organisations import services
from organisations.actors import Actor, AuditContext
from organisations.models import AuditEvent, OAuthApplication, Workspace
from tests.organisations.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

UPDATE_WORKSPACE = "mutation($input: WorkspaceUpdateInput!) { updateWorkspace(input: $input) { databaseId } }"


def test_the_same_change_through_rest_graphql_and_a_page_writes_the_same_row(
    organisation, office, owner, session_client, gql
):
    rest, graphql, page = (WorkspaceFactory(office=office, name=f"Pod {n}", description="before") for n in range(3))
    client = session_client(owner)

    client.patch(
        f"/v1/workspaces/{rest.pk}",
        {"description": "after"},
        content_type="application/json",
        HTTP_X_TRACKYOURSHEETS_REQUEST_ID="same-change-rest-0001",
    )
    gql(
        client,
        UPDATE_WORKSPACE,
        {"input": {"id": to_global_id("Workspace", graphql.pk), "description": "after"}},
        HTTP_X_TRACKYOURSHEETS_REQUEST_ID="same-change-graphql-01",
    )
    client.post(
        f"/app/structure/workspaces/{page.pk}",
        {"office": office.pk, "name": "Pod 2", "description": "after"},
        HTTP_X_TRACKYOURSHEETS_REQUEST_ID="same-change-page-0001",
    )

    rows = {row.source: row for row in AuditEvent.objects.all()}
    assert AuditEvent.objects.count() == 3
    assert {
        source: (row.object_type, row.changes, row.organisation_id, row.actor_user_id, row.actor_label)
        for source, row in rows.items()
    } == {
        source: (
            "organisations.Workspace",
            {"description": ["before", "after"]},
            organisation.pk,
            owner.user_id,
            owner.user.email,
        )
        for source in ("api", "graphql", "page")
    }
    assert {source: (row.object_id, row.request_id) for source, row in rows.items()} == {
        "api": (str(rest.pk), "same-change-rest-0001"),
        "graphql": (str(graphql.pk), "same-change-graphql-01"),
        "page": (str(page.pk), "same-change-page-0001"),
    }
    # one service action (``workspace.update``), recorded under each entry point's public name
    assert {source: row.action for source, row in rows.items()} == {
        "api": "workspace.partial_update",
        "graphql": "WorkspaceUpdate",
        "page": "workspace.update",
    }
    assert {source: (row.method, row.status_code) for source, row in rows.items()} == {
        "api": ("PATCH", 200),
        "graphql": ("POST", 200),
        "page": ("POST", None),
    }


def test_a_change_whose_audit_row_cannot_be_written_is_rolled_back(organisation, office):
    # an OAuth client that was never saved: its audit row cannot reference it
    ghost = OAuthApplication(organisation=organisation, name="Ghost", client_id="ghost-client")
    actor = Actor(organisation=organisation, kind="oauth", application=ghost).with_audit(AuditContext(source="api"))

    with pytest.raises(ValueError, match="unsaved related object 'application'"):
        services.workspace_create(actor=actor, office=office, name="Never")

    assert not Workspace.objects.filter(name="Never").exists()
    assert AuditEvent.objects.count() == 0
    assert OutboxEvent.objects.count() == 0


def test_a_refused_write_is_audited_once_with_its_status_and_no_changes(api, office):
    WorkspaceFactory(office=office, name="Taken")

    response = api.post("/v1/workspaces", {"name": "Taken", "office_id": office.pk}, format="json")

    event = AuditEvent.objects.get()
    assert response.status_code == 422
    assert (event.status_code, event.changes, event.object_id, event.path) == (422, {}, "", "/v1/workspaces")


def test_a_refused_graphql_mutation_is_audited_with_the_problems_status(api, gql, office):
    WorkspaceFactory(office=office, name="Taken")

    gql(
        api,
        "mutation($input: WorkspaceInput!) { createWorkspace(input: $input) { databaseId } }",
        {"input": {"name": "Taken", "officeId": office.pk}},
    )

    event = AuditEvent.objects.get()
    assert (event.source, event.action, event.status_code, event.changes) == ("graphql", "WorkspaceCreate", 422, {})
