"""The admin console pages (issue 4 point 5): organisation settings, offices and workspaces,
producers. Through the Django test client as signed-in members; nothing of ours is mocked."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from integrations.models import OutboxEvent
from organisations.choices import MembershipStatus, ProducerStatus, Role, WorkspaceStatus
from organisations.models import AuditEvent, Office, Organisation, Producer, Workspace, WorkspaceAgent
from organisations.plans import PlanCode
from tests.organisations.factories import (
    MembershipFactory,
    OfficeFactory,
    ProducerFactory,
    WorkspaceAgentFactory,
    WorkspaceFactory,
)

pytestmark = pytest.mark.django_db

FORBIDDEN_TEXT = "You can't open this page"
SETTINGS_URL = "/app/settings/organisation"
STRUCTURE_URL = "/app/structure"
PRODUCERS_URL = "/app/producers"
INTEGRATIONS_URL = "/app/integrations"
TOKENS_URL = "/app/settings/api-tokens"


@pytest.fixture
def as_role(organisation, office, make_member, session_client):
    """``as_role(role)`` -> (test client signed in as a new member with that role, the membership).
    Managers get the "Head Office" office."""

    def make(role, **kwargs):
        kwargs.setdefault("office", office if role == Role.MANAGER else None)
        membership = make_member(organisation, role, **kwargs)
        return session_client(membership), membership

    return make


def page_audits(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(source=AuditEvent.Source.PAGE, action=action))


def nav_links(response) -> set[str]:
    nav = re.search(r'<nav aria-label="App">(.*?)</nav>', response.content.decode(), re.S).group(1)
    return set(re.findall(r'href="([^"]+)"', nav))


def non_field_errors(response) -> list[str]:
    form = response.context["form"]
    return [str(e) for e in form.non_field_errors()]


# =============================================================================
# Who may open what
# =============================================================================

PAGE_ROLES = {
    SETTINGS_URL: {Role.OWNER, Role.ADMIN},
    STRUCTURE_URL: {Role.OWNER, Role.ADMIN, Role.MANAGER},
    "/app/structure/workspaces/new": {Role.OWNER, Role.ADMIN, Role.MANAGER},
    "/app/structure/offices/new": {Role.OWNER, Role.ADMIN},
    PRODUCERS_URL: {Role.OWNER, Role.ADMIN, Role.MANAGER, Role.HR},
    "/app/producers/new": {Role.OWNER, Role.ADMIN, Role.MANAGER},
}


@pytest.mark.parametrize("url", sorted(PAGE_ROLES))
@pytest.mark.parametrize("role", Role.values)
def test_each_console_page_opens_for_its_roles_and_is_forbidden_to_others(as_role, url, role):
    client, _membership = as_role(role)

    response = client.get(url)

    if role in PAGE_ROLES[url]:
        assert response.status_code == 200
        assert FORBIDDEN_TEXT not in response.content.decode()
    elif role == Role.VIEWER:  # a project viewer opens only their portal: every other page does not exist
        assert response.status_code == 404
    else:
        assert response.status_code == 403
        assert FORBIDDEN_TEXT in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(STRUCTURE_URL)

    assert response.status_code == 302
    assert response["Location"] == "/app/login?next=/app/structure"


MY_LINKS = {SETTINGS_URL, STRUCTURE_URL, PRODUCERS_URL, INTEGRATIONS_URL, TOKENS_URL}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.OWNER, MY_LINKS),
        (Role.ADMIN, MY_LINKS),
        (Role.MANAGER, {STRUCTURE_URL, PRODUCERS_URL, TOKENS_URL}),
        (Role.HR, {PRODUCERS_URL, TOKENS_URL}),
        (Role.PRODUCER, {TOKENS_URL}),
        (Role.EMPLOYEE, {TOKENS_URL}),
    ],
)
def test_the_navigation_shows_only_the_pages_the_role_may_open(as_role, role, expected):
    client, _membership = as_role(role)

    response = client.get(TOKENS_URL)

    assert nav_links(response) & MY_LINKS == expected
    assert f'href="{TOKENS_URL}" aria-current="page"' in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [SETTINGS_URL, STRUCTURE_URL, "/app/structure/offices/new", "/app/structure/workspaces/new", "/app/producers/new"],
)
def test_every_form_carries_a_csrf_token(as_role, url):
    client, _owner = as_role(Role.OWNER)

    assert 'name="csrfmiddlewaretoken"' in client.get(url).content.decode()


def test_a_post_without_the_csrf_token_is_refused(organisation, make_member):
    owner = make_member(organisation, Role.OWNER)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)

    response = client.post(SETTINGS_URL, {"timezone": "Europe/London", "currency": "EUR"})

    assert response.status_code == 403
    assert Organisation.objects.get(pk=organisation.pk).timezone == "UTC"


# =============================================================================
# Organisation settings
# =============================================================================


def test_an_owner_saves_timezone_currency_and_feature_toggles(as_role, organisation):
    client, owner = as_role(Role.OWNER)
    features = {
        f"feature_{name}": "on" for name in ("api", "graphql", "producer_portal", "time_tracking", "hr")
    }  # webhooks and tracktik left unticked

    response = client.post(SETTINGS_URL, {"timezone": "Europe/London", "currency": "EUR", **features})

    assert response.status_code == 302
    assert response["Location"] == SETTINGS_URL
    organisation.refresh_from_db()
    assert (organisation.timezone, organisation.currency) == ("Europe/London", "EUR")
    assert organisation.feature_toggles == {
        "api": True,
        "graphql": True,
        "webhooks": False,
        "producer_portal": True,
        "time_tracking": True,
        "hr": True,
        "tracktik": False,
    }
    assert organisation.has_feature("webhooks") is False
    audit = AuditEvent.objects.get()
    assert (audit.source, audit.action, audit.method, audit.path) == (
        "page",
        "organisation.update_settings",
        "POST",
        SETTINGS_URL,
    )
    assert (audit.actor_user, audit.object_type, audit.object_id) == (
        owner.user,
        "organisations.Organisation",
        str(organisation.pk),
    )
    assert audit.changes["timezone"] == ["UTC", "Europe/London"]
    assert audit.changes["currency"] == ["USD", "EUR"]
    assert "Organisation settings saved." in client.get(SETTINGS_URL).content.decode()


def test_settings_offer_only_the_plans_features_and_show_its_limits_and_usage(
    organisation, office, make_member, session_client
):
    organisation.plan = PlanCode.STARTER
    organisation.save()
    owner = make_member(organisation, Role.OWNER)
    make_member(organisation, Role.EMPLOYEE)
    make_member(organisation, Role.EMPLOYEE, status=MembershipStatus.DEACTIVATED)  # not a seat
    WorkspaceFactory(office=office)
    client = session_client(owner)

    body = client.get(SETTINGS_URL).content.decode()
    client.post(SETTINGS_URL, {"timezone": "UTC", "currency": "USD", "feature_api": "on", "feature_webhooks": "on"})

    assert 'name="feature_api"' in body
    assert 'name="feature_webhooks"' not in body
    assert "Not included in the Starter plan: Webhooks, TrackTik connector." in body
    assert "2 of 5 seats in use on the Starter plan." in body
    assert "1 of 3 active workspaces in use on the Starter plan; 2 more can be created." in body
    assert "Each workspace can have up to 5 agents on the Starter plan." in body
    organisation.refresh_from_db()
    assert "webhooks" not in organisation.feature_toggles  # not offered, so never sent to the service
    assert organisation.feature_toggles["graphql"] is False  # offered and left unticked
    assert organisation.has_feature("webhooks") is False


def test_an_invalid_currency_is_a_form_error_and_changes_nothing(as_role, organisation):
    client, _owner = as_role(Role.OWNER)

    response = client.post(SETTINGS_URL, {"timezone": "Europe/Paris", "currency": "DOL"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "currency": ["Select a valid choice. DOL is not one of the available choices."]
    }
    organisation.refresh_from_db()
    assert (organisation.timezone, organisation.currency) == ("UTC", "USD")
    assert AuditEvent.objects.count() == 0


def test_an_unknown_timezone_is_not_a_choice(as_role, organisation):
    client, _owner = as_role(Role.OWNER)

    response = client.post(SETTINGS_URL, {"timezone": "Mars/Olympus", "currency": "USD"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["timezone"]
    assert Organisation.objects.get(pk=organisation.pk).timezone == "UTC"


# =============================================================================
# Offices
# =============================================================================


def test_an_admin_creates_and_edits_an_office(as_role, organisation):
    client, admin = as_role(Role.ADMIN)

    created = client.post(
        "/app/structure/offices/new", {"name": "Boston", "timezone": "America/New_York", "address": "1 Main St"}
    )
    office = Office.objects.get(organisation=organisation, name="Boston")
    edited = client.post(
        f"/app/structure/offices/{office.pk}",
        {"name": "Boston HQ", "timezone": "America/New_York", "address": "1 Main St"},
    )

    assert (created.status_code, created["Location"]) == (302, STRUCTURE_URL)
    assert edited.status_code == 302
    office.refresh_from_db()
    assert (office.name, office.timezone, office.address) == ("Boston HQ", "America/New_York", "1 Main St")
    (create_audit,) = page_audits("office.create")
    (update_audit,) = page_audits("office.update")
    assert create_audit.object_id == str(office.pk)
    assert create_audit.actor_user == admin.user
    assert update_audit.changes == {"name": ["Boston", "Boston HQ"]}


def test_a_duplicate_office_name_is_shown_on_the_form(as_role, office):
    client, _owner = as_role(Role.OWNER)

    response = client.post("/app/structure/offices/new", {"name": "Head Office", "timezone": "UTC"})

    assert response.status_code == 200
    assert non_field_errors(response) == ["Office with this Organisation and Name already exists."]
    assert Office.objects.count() == 1
    assert AuditEvent.objects.count() == 0


def test_another_organisations_office_is_a_404(as_role, other_organisation):
    client, _owner = as_role(Role.OWNER)
    foreign = OfficeFactory(organisation=other_organisation, name="Rival HQ")

    get = client.get(f"/app/structure/offices/{foreign.pk}")
    post = client.post(f"/app/structure/offices/{foreign.pk}", {"name": "Taken", "timezone": "UTC"})

    assert (get.status_code, post.status_code) == (404, 404)
    assert Office.objects.get(pk=foreign.pk).name == "Rival HQ"


# =============================================================================
# Workspaces
# =============================================================================


def test_an_owner_creates_a_workspace_with_its_event_and_audit_row(as_role, organisation, office):
    client, owner = as_role(Role.OWNER)

    response = client.post(
        "/app/structure/workspaces/new", {"office": office.pk, "name": "North Pod", "description": "Inbound"}
    )

    workspace = Workspace.objects.get(organisation=organisation)
    assert (response.status_code, response["Location"]) == (302, f"/app/structure/workspaces/{workspace.pk}")
    assert (workspace.name, workspace.office, workspace.description, workspace.status) == (
        "North Pod",
        office,
        "Inbound",
        WorkspaceStatus.ACTIVE,
    )
    event = OutboxEvent.objects.get()
    assert (event.topic, event.payload["id"], event.payload["name"]) == (
        "organisation.workspace.created",
        workspace.pk,
        "North Pod",
    )
    (audit,) = page_audits("workspace.create")
    assert (audit.object_type, audit.object_id, audit.actor_user) == (
        "organisations.Workspace",
        str(workspace.pk),
        owner.user,
    )
    assert audit.changes["name"] == [None, "North Pod"]


def test_the_workspace_limit_of_the_plan_is_a_clear_message(as_role, organisation, office):
    organisation.plan = PlanCode.STARTER
    organisation.save()
    WorkspaceFactory.create_batch(3, office=office)
    client, _owner = as_role(Role.OWNER)

    listing = client.get(STRUCTURE_URL).content.decode()
    response = client.post("/app/structure/workspaces/new", {"office": office.pk, "name": "Fourth"})

    assert (
        "All 3 active workspaces of the Starter plan are in use: archive one or change plan before creating another."
    ) in listing
    assert response.status_code == 200
    assert non_field_errors(response) == ["The Starter plan allows 3 active workspaces; archive one or change plan."]
    assert Workspace.objects.count() == 3
    assert OutboxEvent.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_editing_a_workspace_records_the_changed_fields(as_role, office):
    workspace = WorkspaceFactory(office=office, name="Old name")
    other_office = OfficeFactory(organisation=office.organisation, name="Branch")
    client, _owner = as_role(Role.OWNER)

    response = client.post(
        f"/app/structure/workspaces/{workspace.pk}", {"office": other_office.pk, "name": "New name", "description": ""}
    )

    assert response.status_code == 302
    workspace.refresh_from_db()
    assert (workspace.name, workspace.office) == ("New name", other_office)
    assert OutboxEvent.objects.get().topic == "organisation.workspace.updated"
    (audit,) = page_audits("workspace.update")
    assert audit.changes == {"name": ["Old name", "New name"], "office_id": [office.pk, other_office.pk]}


def test_archiving_and_reactivating_a_workspace_within_the_plan(as_role, organisation, office):
    organisation.plan = PlanCode.STARTER
    organisation.save()
    workspace = WorkspaceFactory(office=office)
    client, _owner = as_role(Role.OWNER)

    archived = client.post(f"/app/structure/workspaces/{workspace.pk}/status", {"status": "archived"}, follow=True)
    workspace.refresh_from_db()
    status_after_archive = workspace.status
    WorkspaceFactory.create_batch(3, office=office)  # the plan's 3 active workspaces are now taken
    refused = client.post(f"/app/structure/workspaces/{workspace.pk}/status", {"status": "active"}, follow=True)
    workspace.refresh_from_db()

    assert [str(m) for m in archived.context["messages"]] == [f"Workspace “{workspace.name}” archived."]
    assert status_after_archive == WorkspaceStatus.ARCHIVED
    assert workspace.status == WorkspaceStatus.ARCHIVED
    assert [str(m) for m in refused.context["messages"]] == [
        "The Starter plan allows 3 active workspaces; archive one or change plan."
    ]
    assert [a.changes for a in page_audits("workspace.archive")] == [{"status": ["active", "archived"]}]
    assert page_audits("workspace.reactivate") == []


def test_reactivating_an_archived_workspace(as_role, office):
    workspace = WorkspaceFactory(office=office, status=WorkspaceStatus.ARCHIVED)
    client, _owner = as_role(Role.OWNER)

    response = client.post(f"/app/structure/workspaces/{workspace.pk}/status", {"status": "active"}, follow=True)

    workspace.refresh_from_db()
    assert workspace.status == WorkspaceStatus.ACTIVE
    assert [str(m) for m in response.context["messages"]] == [f"Workspace “{workspace.name}” is active again."]
    assert [a.changes for a in page_audits("workspace.reactivate")] == [{"status": ["archived", "active"]}]


def test_workspaces_are_searched_filtered_and_paginated(as_role, organisation, office):
    branch = OfficeFactory(organisation=organisation, name="Branch")
    north = WorkspaceFactory(office=office, name="North Pod")
    south = WorkspaceFactory(office=branch, name="South Pod", status=WorkspaceStatus.ARCHIVED)
    WorkspaceFactory.create_batch(28, office=office)
    client, _owner = as_role(Role.OWNER)

    def names(query: str) -> list[str]:
        return [w.name for w in client.get(STRUCTURE_URL + query).context["workspaces"].pager.rows]

    first_page = client.get(STRUCTURE_URL).context["workspaces"].pager
    second_page = client.get(STRUCTURE_URL + "?page=2").context["workspaces"].pager

    assert names("?name=pod") == ["North Pod", "South Pod"]
    assert names("?status=archived") == [south.name]
    assert names(f"?office_id={branch.pk}") == [south.name]
    assert names(f"?office_id={office.pk}&name=north") == [north.name]
    assert (len(first_page.rows), len(second_page.rows)) == (25, 5)
    assert first_page.next_url == "?page=2"
    assert client.get(STRUCTURE_URL + "?status=archived&page=1").context["workspaces"].pager.page.paginator.count == 1


def test_agents_are_chosen_among_active_members(as_role, organisation, office, make_member):
    workspace = WorkspaceFactory(office=office)
    alice = make_member(organisation, Role.PRODUCER)
    bob = make_member(organisation, Role.EMPLOYEE)
    gone = make_member(organisation, Role.EMPLOYEE, status=MembershipStatus.DEACTIVATED)
    client, owner = as_role(Role.OWNER)

    page = client.get(f"/app/structure/workspaces/{workspace.pk}")
    response = client.post(f"/app/structure/workspaces/{workspace.pk}/agents", {"memberships": [alice.pk, bob.pk]})

    candidates = set(page.context["agents_form"].fields["memberships"].queryset)
    assert candidates == {alice, bob, owner}
    assert gone not in candidates
    assert response.status_code == 302
    assert set(WorkspaceAgent.objects.filter(workspace=workspace).values_list("membership_id", flat=True)) == {
        alice.pk,
        bob.pk,
    }
    event = OutboxEvent.objects.get()
    assert (event.topic, event.payload["agent_membership_ids"]) == (
        "organisation.workspace.updated",
        sorted([alice.pk, bob.pk]),
    )
    (audit,) = page_audits("workspace.assign_agents")
    assert audit.changes == {"agent_membership_ids": [[], sorted([alice.pk, bob.pk])]}


def test_the_agent_limit_of_the_plan_is_a_clear_message(as_role, organisation, office, make_member):
    organisation.plan = PlanCode.STARTER
    organisation.save()
    workspace = WorkspaceFactory(office=office)
    WorkspaceAgentFactory.create_batch(5, workspace=workspace)
    newcomer = make_member(organisation, Role.EMPLOYEE)
    client, _owner = as_role(Role.OWNER)

    page = client.get(f"/app/structure/workspaces/{workspace.pk}").content.decode()
    response = client.post(f"/app/structure/workspaces/{workspace.pk}/agents", {"memberships": [newcomer.pk]})

    assert "This workspace has 5 of the 5 agents a workspace can have on the Starter plan." in page
    assert response.status_code == 200
    assert [str(e) for e in response.context["agents_form"].non_field_errors()] == [
        "A workspace on the Starter plan can have 5 agents; it has 5."
    ]
    assert WorkspaceAgent.objects.filter(workspace=workspace).count() == 5
    assert AuditEvent.objects.count() == 0


def test_ids_of_another_organisation_are_refused_in_workspace_forms(as_role, organisation, office, other_organisation):
    foreign_office = OfficeFactory(organisation=other_organisation)
    foreign_workspace = WorkspaceFactory(office=foreign_office, name="Rival pod")
    foreign_member = MembershipFactory(organisation=other_organisation)
    workspace = WorkspaceFactory(office=office)
    client, _owner = as_role(Role.OWNER)

    create = client.post("/app/structure/workspaces/new", {"office": foreign_office.pk, "name": "Sneaky"})
    assign = client.post(f"/app/structure/workspaces/{workspace.pk}/agents", {"memberships": [foreign_member.pk]})
    edit_foreign = client.post(
        f"/app/structure/workspaces/{foreign_workspace.pk}", {"office": office.pk, "name": "Mine now"}
    )
    archive_foreign = client.post(f"/app/structure/workspaces/{foreign_workspace.pk}/status", {"status": "archived"})
    open_foreign = client.get(f"/app/structure/workspaces/{foreign_workspace.pk}")

    assert create.status_code == 200
    assert create.context["form"].errors == {
        "office": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert assign.status_code == 200
    assert assign.context["agents_form"].errors == {
        "memberships": [f"Select a valid choice. {foreign_member.pk} is not one of the available choices."]
    }
    assert (edit_foreign.status_code, archive_foreign.status_code, open_foreign.status_code) == (404, 404, 404)
    foreign_workspace.refresh_from_db()
    assert (foreign_workspace.name, foreign_workspace.office, foreign_workspace.status) == (
        "Rival pod",
        foreign_office,
        WorkspaceStatus.ACTIVE,
    )
    assert Workspace.objects.filter(name="Sneaky").count() == 0
    assert WorkspaceAgent.objects.count() == 0
    assert OutboxEvent.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_manager_sees_and_changes_only_their_office(as_role, organisation, office):
    branch = OfficeFactory(organisation=organisation, name="Branch")
    mine = WorkspaceFactory(office=office, name="Mine")
    theirs = WorkspaceFactory(office=branch, name="Theirs")
    client, manager = as_role(Role.MANAGER)

    listing = client.get(STRUCTURE_URL)
    into_branch = client.post("/app/structure/workspaces/new", {"office": branch.pk, "name": "Sneaky"})
    into_mine = client.post("/app/structure/workspaces/new", {"office": office.pk, "name": "New in mine"})
    edit_theirs = client.post(f"/app/structure/workspaces/{theirs.pk}", {"office": office.pk, "name": "Grabbed"})
    edit_mine = client.post(f"/app/structure/workspaces/{mine.pk}", {"office": office.pk, "name": "Mine renamed"})
    move_mine = client.post(f"/app/structure/workspaces/{mine.pk}", {"office": branch.pk, "name": "Mine renamed"})

    assert [o.name for o in listing.context["offices"].pager.rows] == ["Head Office"]
    assert [w.name for w in listing.context["workspaces"].pager.rows] == ["Mine"]
    assert "Add an office" not in listing.content.decode()
    assert list(listing.context["filter_form"].fields["office_id"].choices) == [
        ("", "All offices"),
        (office.pk, "Head Office"),
    ]
    assert into_branch.context["form"].errors == {
        "office": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert into_mine.status_code == 302
    assert edit_theirs.status_code == 404
    assert edit_mine.status_code == 302
    assert move_mine.status_code == 200 and "office" in move_mine.context["form"].errors
    assert set(Workspace.objects.values_list("name", "office")) == {
        ("Mine renamed", office.pk),
        ("Theirs", branch.pk),
        ("New in mine", office.pk),
    }
    assert [e.topic for e in OutboxEvent.objects.order_by("id")] == [
        "organisation.workspace.created",
        "organisation.workspace.updated",
    ]
    assert {a.actor_user for a in AuditEvent.objects.all()} == {manager.user}
    assert sorted(a.action for a in AuditEvent.objects.all()) == ["workspace.create", "workspace.update"]


def test_a_manager_cannot_create_or_edit_offices(as_role, office):
    client, _manager = as_role(Role.MANAGER)

    create = client.post("/app/structure/offices/new", {"name": "Mine", "timezone": "UTC"})
    edit = client.post(f"/app/structure/offices/{office.pk}", {"name": "Renamed", "timezone": "UTC"})

    assert (create.status_code, edit.status_code) == (403, 403)
    assert list(Office.objects.values_list("name", flat=True)) == ["Head Office"]


def test_user_content_is_escaped(as_role, office):
    WorkspaceFactory(office=office, name="<script>alert(1)</script>")
    client, _owner = as_role(Role.OWNER)

    body = client.get(STRUCTURE_URL).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)</script>" not in body


# =============================================================================
# Producers
# =============================================================================


def producer_data(**overrides) -> dict:
    data = {
        "display_name": "Pat Smith",
        "email": "pat@example.test",
        "producer_code": "PS-1",
        "default_split_percent": "60.00",
        "portal_access": "on",
        "status": ProducerStatus.ACTIVE,
        "workspace": "",
        "membership": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_owner_creates_a_producer_with_its_event_and_audit_row(as_role, organisation, office, make_member):
    workspace = WorkspaceFactory(office=office)
    login = make_member(organisation, Role.PRODUCER)
    client, owner = as_role(Role.OWNER)

    response = client.post("/app/producers/new", producer_data(workspace=workspace.pk, membership=login.pk))

    producer = Producer.objects.get(organisation=organisation)
    assert (response.status_code, response["Location"]) == (302, f"/app/producers/{producer.pk}")
    assert (producer.display_name, producer.email, producer.producer_code, producer.default_split_percent) == (
        "Pat Smith",
        "pat@example.test",
        "PS-1",
        Decimal("60.00"),
    )
    assert (producer.portal_access, producer.status, producer.workspace, producer.membership) == (
        True,
        ProducerStatus.ACTIVE,
        workspace,
        login,
    )
    event = OutboxEvent.objects.get()
    assert (event.topic, event.payload["id"], event.payload["producer_code"]) == (
        "organisation.producer.created",
        producer.pk,
        "PS-1",
    )
    (audit,) = page_audits("producer.create")
    assert (audit.object_type, audit.object_id, audit.actor_user) == (
        "organisations.Producer",
        str(producer.pk),
        owner.user,
    )


def test_editing_a_producer_records_the_changed_fields(as_role, office):
    producer = ProducerFactory(
        workspace__office=office,
        display_name="Pat",
        portal_access=False,
        default_split_percent=Decimal("100.00"),
        producer_code="P1",
        email="p@example.test",
    )
    client, _admin = as_role(Role.ADMIN)

    response = client.post(
        f"/app/producers/{producer.pk}/edit",
        producer_data(
            display_name="Pat",
            email="p@example.test",
            producer_code="P1",
            default_split_percent="75.50",
            portal_access="on",
            workspace=producer.workspace_id,
            status=ProducerStatus.INACTIVE,
        ),
    )

    assert response.status_code == 302
    producer.refresh_from_db()
    assert (producer.default_split_percent, producer.portal_access, producer.status) == (
        Decimal("75.50"),
        True,
        ProducerStatus.INACTIVE,
    )
    assert OutboxEvent.objects.get().topic == "organisation.producer.updated"
    (audit,) = page_audits("producer.update")
    assert audit.changes == {
        "default_split_percent": ["100.00", "75.50"],
        "portal_access": [False, True],
        "status": ["active", "inactive"],
    }


def test_a_split_over_100_is_shown_on_its_field(as_role):
    client, _owner = as_role(Role.OWNER)

    response = client.post("/app/producers/new", producer_data(default_split_percent="150"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "default_split_percent": ["Ensure this value is less than or equal to 100."]
    }
    assert Producer.objects.count() == 0


def test_producers_are_searched_and_filtered(as_role, organisation, office):
    branch = OfficeFactory(organisation=organisation, name="Branch")
    smith = ProducerFactory(workspace__office=office, display_name="Pat Smith", portal_access=True)
    jones = ProducerFactory(workspace__office=branch, display_name="Alex Jones", status=ProducerStatus.INACTIVE)
    client, _owner = as_role(Role.OWNER)

    def names(query: str) -> list[str]:
        return [p.display_name for p in client.get(PRODUCERS_URL + query).context["table"].pager.rows]

    assert names("") == ["Alex Jones", "Pat Smith"]
    assert names("?search=smith") == ["Pat Smith"]
    assert names(f"?search={jones.producer_code}") == ["Alex Jones"]
    assert names("?status=inactive") == ["Alex Jones"]
    assert names(f"?workspace_id={smith.workspace_id}") == ["Pat Smith"]
    assert names("?portal_access=true") == ["Pat Smith"]


def test_producers_are_paginated_by_25(as_role, office):
    workspace = WorkspaceFactory(office=office)
    ProducerFactory.create_batch(26, workspace=workspace)
    client, _owner = as_role(Role.OWNER)

    first = client.get(PRODUCERS_URL).context["table"].pager
    second = client.get(PRODUCERS_URL + "?page=2").context["table"].pager

    assert (len(first.rows), len(second.rows), first.page.paginator.count) == (25, 1, 26)


def test_hr_reads_producers_but_cannot_change_them(as_role, office):
    producer = ProducerFactory(workspace__office=office, display_name="Pat")
    client, _hr = as_role(Role.HR)

    listing = client.get(PRODUCERS_URL)
    detail = client.get(f"/app/producers/{producer.pk}")
    edit_page = client.get(f"/app/producers/{producer.pk}/edit")
    edit = client.post(f"/app/producers/{producer.pk}/edit", producer_data(display_name="Changed"))
    create = client.post("/app/producers/new", producer_data())

    assert [p.display_name for p in listing.context["table"].pager.rows] == ["Pat"]
    assert "New producer" not in listing.content.decode()
    assert detail.status_code == 200
    assert f"/app/producers/{producer.pk}/edit" not in detail.content.decode()
    assert (edit_page.status_code, edit.status_code, create.status_code) == (403, 403, 403)
    assert Producer.objects.get().display_name == "Pat"
    assert AuditEvent.objects.count() == 0


def test_ids_of_another_organisation_are_refused_in_producer_forms(as_role, organisation, other_organisation, office):
    foreign_workspace = WorkspaceFactory(office__organisation=other_organisation)
    foreign_member = MembershipFactory(organisation=other_organisation)
    foreign_producer = ProducerFactory(workspace=foreign_workspace, display_name="Rival")
    client, _owner = as_role(Role.OWNER)

    response = client.post(
        "/app/producers/new", producer_data(workspace=foreign_workspace.pk, membership=foreign_member.pk)
    )
    edit_foreign = client.post(f"/app/producers/{foreign_producer.pk}/edit", producer_data())
    open_foreign = client.get(f"/app/producers/{foreign_producer.pk}")

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "workspace": ["Select a valid choice. That choice is not one of the available choices."],
        "membership": ["Select a valid choice. That choice is not one of the available choices."],
    }
    assert (edit_foreign.status_code, open_foreign.status_code) == (404, 404)
    assert list(Producer.objects.values_list("display_name", flat=True)) == ["Rival"]
    assert OutboxEvent.objects.count() == 0


def test_a_manager_manages_producers_only_in_their_office(as_role, organisation, office):
    branch = OfficeFactory(organisation=organisation, name="Branch")
    mine = WorkspaceFactory(office=office, name="Mine")
    theirs = WorkspaceFactory(office=branch, name="Theirs")
    other_producer = ProducerFactory(workspace=theirs, display_name="Not mine")
    client, _manager = as_role(Role.MANAGER)

    in_mine = client.post("/app/producers/new", producer_data(workspace=mine.pk))
    in_theirs = client.post("/app/producers/new", producer_data(workspace=theirs.pk, producer_code="X2"))
    nowhere = client.post("/app/producers/new", producer_data(producer_code="X3"))
    listing = client.get(PRODUCERS_URL)
    edit_other = client.post(f"/app/producers/{other_producer.pk}/edit", producer_data(workspace=mine.pk))

    assert in_mine.status_code == 302
    assert in_theirs.context["form"].errors == {
        "workspace": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert non_field_errors(nowhere) == ["Your role does not allow managing producers here."]
    assert [p.display_name for p in listing.context["table"].pager.rows] == ["Pat Smith"]
    assert edit_other.status_code == 404
    assert sorted(Producer.objects.values_list("display_name", flat=True)) == ["Not mine", "Pat Smith"]
