"""REST wiring of the organisations app: shapes, scopes, roles, limits, events, filters."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import OutboxEvent
from organisations.choices import Role
from organisations.models import Producer, Workspace, WorkspaceAgent
from organisations.plans import PlanCode
from tests.organisations.factories import (
    MembershipFactory,
    OfficeFactory,
    ProducerFactory,
    WorkspaceAgentFactory,
    WorkspaceFactory,
)

pytestmark = pytest.mark.django_db


# =============================================================================
# /v1/organisations/current
# =============================================================================


def test_current_organisation_shows_plan_limits_usage_and_features(organisation, make_member, make_api_client):
    organisation.plan = PlanCode.GROWTH
    organisation.feature_toggles = {"webhooks": False}
    organisation.save()
    make_member(organisation, Role.OWNER)
    make_member(organisation, Role.EMPLOYEE)
    make_member(organisation, Role.EMPLOYEE, status="deactivated")
    WorkspaceFactory(office__organisation=organisation)
    WorkspaceFactory(office__organisation=organisation, status="archived")
    api = make_api_client(organisation, scopes=("organisation.read",))

    body = api.get("/v1/organisations/current").json()

    assert body["id"] == organisation.pk
    assert body["slug"] == "acme"
    assert body["plan"] == {
        "code": "growth",
        "name": "Growth",
        "price_per_seat": "24.99",
        "max_seats": 25,
        "max_workspaces": 15,
        "max_agents_per_workspace": 15,
    }
    assert body["limits"]["seats"] == {"limit": 25, "used": 2, "available": 23}
    assert body["limits"]["workspaces"] == {"limit": 15, "used": 1, "available": 14}
    assert body["features"]["webhooks"] is False
    assert body["features"] == {  # only what works today (issue 13 point 13)
        "api": True,
        "graphql": True,
        "webhooks": False,
        "producer_portal": True,
        "time_tracking": True,
        "hr": True,
        "tracktik": False,  # issue 19: the Scale plan's
    }
    assert body["api_rate_limit_per_minute"] == 1000
    assert body["currency"] == "USD"


# =============================================================================
# Offices
# =============================================================================


def test_create_and_update_an_office(api):
    created = api.post("/v1/offices", {"name": "Boston", "timezone": "America/New_York"}, format="json")
    patched = api.patch(f"/v1/offices/{created.json()['id']}", {"timezone": "Europe/London"}, format="json")

    assert created.status_code == 201
    assert created["Location"] == f"http://testserver/v1/offices/{created.json()['id']}"
    assert patched.json()["timezone"] == "Europe/London"


def test_office_rejects_unknown_timezone_and_duplicate_name(api, office):
    bad_tz = api.post("/v1/offices", {"name": "Mars", "timezone": "Mars/Olympus"}, format="json")
    duplicate = api.post("/v1/offices", {"name": office.name}, format="json")

    assert bad_tz.status_code == 422
    assert bad_tz.json()["errors"] == {"timezone": ["Mars/Olympus is not a known IANA timezone."]}
    assert duplicate.status_code == 422
    assert list(duplicate.json()["errors"]) == ["non_field_errors"]


# =============================================================================
# Workspaces
# =============================================================================


def test_create_workspace_records_an_event(api, office):
    response = api.post(
        "/v1/workspaces", {"name": "  North Pod ", "office_id": office.pk, "description": "Auto"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "North Pod"
    assert body["office_id"] == office.pk
    assert body["office_name"] == "Head Office"
    assert body["status"] == "active"
    assert body["agents"] == []
    assert body["created_at"].endswith("Z")
    event = OutboxEvent.objects.get()
    assert event.topic == "organisation.workspace.created"
    assert event.organisation_id == office.organisation_id
    assert event.payload["id"] == body["id"]


def test_workspace_in_another_tenants_office_is_refused(api, other_organisation):
    their_office = OfficeFactory(organisation=other_organisation)

    response = api.post("/v1/workspaces", {"name": "Sneaky", "office_id": their_office.pk}, format="json")

    assert response.status_code == 422
    assert response.json()["errors"] == {"office_id": [f'Invalid pk "{their_office.pk}" - object does not exist.']}
    assert Workspace.objects.count() == 0


def test_workspace_plan_limit_is_a_clear_problem(organisation, make_api_client, office):
    organisation.plan = PlanCode.STARTER  # 3 workspaces
    organisation.save()
    for i in range(3):
        WorkspaceFactory(office=office, name=f"Pod {i}")
    api = make_api_client(organisation)

    response = api.post("/v1/workspaces", {"name": "Pod 4", "office_id": office.pk}, format="json")

    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "https://docs.trackyoursheets.com/errors/plan-limit"
    assert body["detail"] == "The Starter plan allows 3 active workspaces; archive one or change plan."
    assert (body["limit"], body["used"]) == (3, 3)
    assert OutboxEvent.objects.count() == 0


def test_archiving_frees_a_workspace_slot(organisation, make_api_client, office):
    organisation.plan = PlanCode.STARTER
    organisation.save()
    pods = [WorkspaceFactory(office=office, name=f"Pod {i}") for i in range(3)]
    api = make_api_client(organisation)

    deleted = api.delete(f"/v1/workspaces/{pods[0].pk}")
    created = api.post("/v1/workspaces", {"name": "Pod 4", "office_id": office.pk}, format="json")

    assert deleted.status_code == 204
    assert Workspace.objects.get(pk=pods[0].pk).status == "archived"
    assert created.status_code == 201


def test_patch_workspace_renames_and_records_update(api, office):
    workspace = WorkspaceFactory(office=office, name="Old")

    response = api.patch(f"/v1/workspaces/{workspace.pk}", {"name": "New"}, format="json")

    assert response.status_code == 200
    assert response.json()["name"] == "New"
    assert OutboxEvent.objects.get().topic == "organisation.workspace.updated"


def test_assign_agents(api, organisation, office):
    workspace = WorkspaceFactory(office=office)
    alice = MembershipFactory(organisation=organisation, role=Role.PRODUCER, user__email="alice@example.test")
    bob = MembershipFactory(organisation=organisation, role=Role.MANAGER, user__email="bob@example.test")

    response = api.post(f"/v1/workspaces/{workspace.pk}/agents", {"membership_ids": [alice.pk, bob.pk]}, format="json")
    again = api.post(f"/v1/workspaces/{workspace.pk}/agents", {"membership_ids": [alice.pk]}, format="json")

    assert response.status_code == 200
    assert [(a["membership_id"], a["email"], a["role"]) for a in response.json()["agents"]] == [
        (alice.pk, "alice@example.test", "producer"),
        (bob.pk, "bob@example.test", "manager"),
    ]
    assert again.status_code == 200
    assert WorkspaceAgent.objects.filter(workspace=workspace).count() == 2


def test_assign_agents_beyond_the_plan_limit_is_refused(organisation, make_api_client, office):
    organisation.plan = PlanCode.STARTER  # 5 agents per workspace, 5 seats
    organisation.save()
    workspace = WorkspaceFactory(office=office)
    members = [MembershipFactory(organisation=organisation) for _ in range(5)]
    WorkspaceAgentFactory(workspace=workspace, membership=members[0])
    api = make_api_client(organisation)
    extra = MembershipFactory(organisation=organisation)  # a sixth member (created directly, beyond seats)

    response = api.post(
        f"/v1/workspaces/{workspace.pk}/agents",
        {"membership_ids": [m.pk for m in members[1:]] + [extra.pk]},
        format="json",
    )

    assert response.status_code == 422
    assert response.json()["detail"] == "A workspace on the Starter plan can have 5 agents; it has 1."
    assert WorkspaceAgent.objects.filter(workspace=workspace).count() == 1


def test_assign_agents_refuses_other_tenants_and_inactive_members(api, organisation, other_organisation, office):
    workspace = WorkspaceFactory(office=office)
    foreign = MembershipFactory(organisation=other_organisation)
    inactive = MembershipFactory(organisation=organisation, status="deactivated")

    foreign_response = api.post(
        f"/v1/workspaces/{workspace.pk}/agents", {"membership_ids": [foreign.pk]}, format="json"
    )
    inactive_response = api.post(
        f"/v1/workspaces/{workspace.pk}/agents", {"membership_ids": [inactive.pk]}, format="json"
    )

    assert foreign_response.status_code == 422
    assert foreign_response.json()["errors"] == {
        "membership_ids[0]": [f'Invalid pk "{foreign.pk}" - object does not exist.']
    }
    assert inactive_response.status_code == 422
    assert inactive_response.json()["detail"] == "Only active members can be agents."
    assert WorkspaceAgent.objects.count() == 0


def test_manager_sees_and_changes_only_their_office(organisation, make_member, session_client, office):
    elsewhere = OfficeFactory(organisation=organisation, name="Elsewhere")
    ours = WorkspaceFactory(office=office, name="Ours")
    theirs = WorkspaceFactory(office=elsewhere, name="Theirs")
    manager = make_member(organisation, Role.MANAGER, office=office)
    client = session_client(manager)

    listed = client.get("/v1/workspaces").json()["results"]
    hidden = client.get(f"/v1/workspaces/{theirs.pk}")
    allowed = client.patch(f"/v1/workspaces/{ours.pk}", {"description": "ok"}, content_type="application/json")
    refused = client.post(
        "/v1/workspaces", {"name": "Elsewhere 2", "office_id": elsewhere.pk}, content_type="application/json"
    )

    assert [w["name"] for w in listed] == ["Ours"]
    assert hidden.status_code == 404
    assert allowed.status_code == 200
    assert refused.status_code == 403


def test_session_writes_need_csrf(organisation, make_member, office):
    from django.test import Client

    from tests.organisations.factories import DEFAULT_PASSWORD

    owner = make_member(organisation, Role.OWNER)
    client = Client(enforce_csrf_checks=True)
    client.login(username=owner.user.email, password=DEFAULT_PASSWORD)

    response = client.post("/v1/workspaces", {"name": "X", "office_id": office.pk}, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF failed")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=archived", ["Archived"]),
        ("status=active", ["Boston pod", "London pod"]),
        ("office_id={boston}", ["Archived", "Boston pod"]),
        ("role=producer", ["London pod"]),
        ("name=boston", ["Boston pod"]),
        ("updated_after={future}", []),
        ("created_after={past}", ["Archived", "Boston pod", "London pod"]),
    ],
)
def test_workspace_filters(api, organisation, query, expected):
    boston = OfficeFactory(organisation=organisation, name="Boston")
    london = OfficeFactory(organisation=organisation, name="London")
    WorkspaceFactory(office=boston, name="Boston pod")
    WorkspaceFactory(office=boston, name="Archived", status="archived")
    london_pod = WorkspaceFactory(office=london, name="London pod")
    WorkspaceAgentFactory(workspace=london_pod, membership__role=Role.PRODUCER)
    future = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    past = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    response = api.get("/v1/workspaces?" + query.format(boston=boston.pk, future=future, past=past))

    assert response.status_code == 200
    assert [w["name"] for w in response.json()["results"]] == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=deleted", "status"),
        ("office_id=abc", "office_id"),
        ("updated_after=yesterday", "updated_after"),
        ("role=king", "role"),
    ],
)
def test_bad_filter_values_are_422(api, query, field):
    response = api.get(f"/v1/workspaces?{query}")

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


# =============================================================================
# Producers
# =============================================================================


def test_create_producer_and_toggle_portal_access(api, office):
    workspace = WorkspaceFactory(office=office)

    created = api.post(
        "/v1/producers",
        {
            "display_name": "Dana Cruz",
            "producer_code": "DC-1",
            "workspace_id": workspace.pk,
            "default_split_percent": "62.50",
        },
        format="json",
    )
    patched = api.patch(
        f"/v1/producers/{created.json()['id']}", {"portal_access": True, "display_name": "Dana C."}, format="json"
    )

    assert created.status_code == 201
    assert created.json()["default_split_percent"] == "62.50"
    assert created.json()["portal_access"] is False
    assert patched.json()["portal_access"] is True
    assert patched.json()["display_name"] == "Dana C."
    assert [e.topic for e in OutboxEvent.objects.order_by("id")] == [
        "organisation.producer.created",
        "organisation.producer.updated",
    ]


def test_producer_code_is_unique_per_organisation(api, organisation, other_organisation):
    ProducerFactory(workspace__office__organisation=organisation, producer_code="P-1")
    ProducerFactory(workspace__office__organisation=other_organisation, producer_code="P-2")

    duplicate = api.post("/v1/producers", {"display_name": "X", "producer_code": "P-1"}, format="json")
    same_as_other_tenant = api.post("/v1/producers", {"display_name": "Y", "producer_code": "P-2"}, format="json")

    assert duplicate.status_code == 422
    assert same_as_other_tenant.status_code == 201


def test_producer_sees_only_themself(organisation, make_member, session_client, office):
    member = make_member(organisation, Role.PRODUCER)
    mine = ProducerFactory(workspace__office=office, membership=member, display_name="Me")
    ProducerFactory(workspace__office=office, display_name="Someone else")
    client = session_client(member)

    response = client.get("/v1/producers")

    assert [p["id"] for p in response.json()["results"]] == [mine.pk]


def test_employee_cannot_create_producers(organisation, make_member, session_client):
    client = session_client(make_member(organisation, Role.EMPLOYEE))

    response = client.post("/v1/producers", {"display_name": "X"}, content_type="application/json")

    assert response.status_code == 403
    assert Producer.objects.count() == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=inactive", ["Ivy"]),
        ("portal_access=true", ["Pat"]),
        ("workspace_id={ws}", ["Ivy", "Pat"]),
        ("office_id={office}", ["Ivy", "Pat"]),
        ("role=producer", ["Pat"]),
        ("search=zed", ["Zed"]),
    ],
)
def test_producer_filters(api, organisation, office, query, expected):
    workspace = WorkspaceFactory(office=office)
    ProducerFactory(workspace=workspace, display_name="Ivy", status="inactive")
    ProducerFactory(
        workspace=workspace,
        display_name="Pat",
        portal_access=True,
        membership=MembershipFactory(organisation=organisation, role=Role.PRODUCER),
    )
    ProducerFactory(workspace__office__organisation=organisation, display_name="Zed")

    response = api.get("/v1/producers?" + query.format(ws=workspace.pk, office=office.pk))

    assert [p["display_name"] for p in response.json()["results"]] == expected
