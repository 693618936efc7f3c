"""``GET /v1/me`` (issue 13 point 8): who the credential is, for every kind of credential,
and never anything of another organisation."""

from __future__ import annotations

import pytest

from organisations.choices import Role
from tests.hr.factories import EmployeeFactory
from tests.organisations.factories import MembershipFactory, OfficeFactory, UserFactory
from tests.timetracking.conftest import token_client

pytestmark = pytest.mark.django_db


def test_a_personal_token_is_its_member_and_employee(organisation, other_organisation):
    office = OfficeFactory(organisation=organisation)
    membership = MembershipFactory(
        organisation=organisation, office=office, role=Role.MANAGER, user=UserFactory(email="mo@example.test")
    )
    employee = EmployeeFactory(organisation=organisation, office=office, membership=membership, first_name="Mo")
    EmployeeFactory(organisation=other_organisation, office__organisation=other_organisation, membership=membership)

    body = token_client(membership, scopes=["time.read", "hr.read"]).get("/v1/me").json()

    assert body["credential"] == "token"
    assert body["user"] == {
        "id": membership.user.pk,
        "email": "mo@example.test",
        "full_name": membership.user.full_name,
    }
    assert body["employee"]["id"] == employee.pk
    assert body["employee"]["office_id"] == office.pk
    assert body["organisation"]["id"] == organisation.pk
    assert (body["role"], body["roles"]) == ("manager", ["manager"])
    assert body["scopes"] == ["hr.read", "time.read"]
    assert body["application"] is None


def test_an_oauth_client_is_its_application(api, organisation):
    body = api.get("/v1/me").json()

    assert body["credential"] == "oauth"
    assert (body["user"], body["employee"], body["role"], body["roles"]) == (None, None, None, [])
    assert body["organisation"]["id"] == organisation.pk
    assert body["application"]["client_id"] == api.application.client_id
    assert "time.read" in body["scopes"]


def test_me_needs_no_scope_but_a_credential(make_api_client, organisation, anonymous_api):
    assert make_api_client(organisation, scopes=[]).get("/v1/me").status_code == 200
    assert anonymous_api.get("/v1/me").status_code == 401


def test_me_is_in_the_schema(api):
    schema = api.get("/v1/schema", HTTP_ACCEPT="application/json").json()

    assert "/v1/me" in schema["paths"]
    assert schema["paths"]["/v1/me"]["get"]["operationId"] == "me"
