"""Issue 13 point 11: a new organisation works at once. It is created with a head office (by the
service, the command and the admin), and an organisation with exactly one office may leave
``office_id`` out when it creates a workspace (REST, GraphQL, pages)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from organisations import services
from organisations.choices import Role
from organisations.models import Office, Organisation, Workspace
from tests.conftest import graphql
from tests.organisations.factories import MembershipFactory, OfficeFactory

pytestmark = pytest.mark.django_db


def test_organisation_create_makes_a_head_office_in_its_timezone():
    created = services.organisation_create(
        name="Blue Sky", owner_email="a@blue.test", owner_password="x-long-pw-1", timezone="Europe/Paris"
    )

    office = Office.objects.get(organisation=created.organisation)
    assert (office.name, office.timezone) == ("Head office", "Europe/Paris")


def test_the_command_makes_a_head_office():
    call_command(
        "create_organisation",
        "--name",
        "Acme Cover",
        "--owner-email",
        "o@acme.test",
        "--owner-password",
        "violet-anchor-harbour-7",
        stdout=StringIO(),
        stderr=StringIO(),
    )

    assert list(Office.objects.values_list("name", flat=True)) == ["Head office"]


def test_the_admin_gives_an_organisation_without_offices_a_head_office(admin_client):
    page = admin_client.get("/admin/organisations/organisation/add/")
    data = {"name": "Admin Made", "slug": "admin-made", "plan": "starter", "is_active": "on"}
    data.update({"timezone": "Asia/Tokyo", "currency": "JPY", "api_rate_limit_per_minute": 120})
    data["feature_toggles"] = "{}"
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name, field in management.fields.items():
            data[f"{management.prefix}-{name}"] = management.initial.get(name, field.initial) or 0

    response = admin_client.post("/admin/organisations/organisation/add/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    organisation = Organisation.objects.get(slug="admin-made")
    assert list(Office.objects.filter(organisation=organisation).values_list("name", "timezone")) == [
        ("Head office", "Asia/Tokyo")
    ]


def test_the_first_workspace_needs_no_office_id(organisation, api):
    office = OfficeFactory(organisation=organisation)

    response = api.post("/v1/workspaces", {"name": "First"}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["office_id"] == office.pk


def test_with_several_offices_office_id_is_required(organisation, api):
    OfficeFactory.create_batch(2, organisation=organisation)

    response = api.post("/v1/workspaces", {"name": "First"}, format="json")

    assert response.status_code == 422
    assert response.json()["errors"] == {"office_id": ["Required: the organisation has several offices."]}
    assert Workspace.objects.count() == 0


def test_graphql_create_workspace_without_office_id(organisation, api):
    office = OfficeFactory(organisation=organisation)

    body = graphql(
        api, 'mutation { createWorkspace(input: {name: "Via GraphQL"}) { name office { databaseId } } }'
    ).json()

    assert "errors" not in body, body
    assert Workspace.objects.get().office == office


def test_the_page_defaults_to_the_one_office(organisation, session_client):
    office = OfficeFactory(organisation=organisation)
    owner = MembershipFactory(organisation=organisation, role=Role.OWNER)

    response = session_client(owner).post("/app/structure/workspaces/new", {"name": "From the page"})

    assert response.status_code == 302
    assert Workspace.objects.get().office == office
