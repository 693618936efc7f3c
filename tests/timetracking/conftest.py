"""People for the time-tracking tests: an employee, a colleague in the same office, a manager of
that office, someone in another office, an admin; each with an employee record and a login,
and API clients holding a personal token of theirs."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from organisations import services as organisation_services
from organisations.actors import system_actor
from organisations.choices import Role
from tests.hr.factories import EmployeeFactory
from tests.organisations.factories import MembershipFactory, OfficeFactory, UserFactory

from .factories import ClientFactory, ProjectFactory, TaskFactory

TIME_SCOPES = ("time.read", "time.write")


def person(organisation, office, role=Role.EMPLOYEE, name="Eli"):
    email = f"{name.lower()}@example.test"
    membership = MembershipFactory(organisation=organisation, office=office, role=role, user=UserFactory(email=email))
    return EmployeeFactory(
        organisation=organisation, office=office, membership=membership, first_name=name, email=email
    )


def token_client(employee_or_membership, scopes=TIME_SCOPES) -> APIClient:
    membership = getattr(employee_or_membership, "membership", None) or employee_or_membership
    token = organisation_services.api_token_create(
        actor=system_actor(membership.organisation), membership=membership, name="Script", scopes=list(scopes)
    ).token
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def ny_office(organisation):
    return OfficeFactory(organisation=organisation, name="New York", timezone="America/New_York")


@pytest.fixture
def london_office(organisation):
    return OfficeFactory(organisation=organisation, name="London", timezone="Europe/London")


@pytest.fixture
def employee(organisation, ny_office):
    return person(organisation, ny_office, name="Eli")


@pytest.fixture
def colleague(organisation, ny_office):
    return person(organisation, ny_office, name="Cleo")


@pytest.fixture
def manager(organisation, ny_office):
    return person(organisation, ny_office, Role.MANAGER, name="Morgan")


@pytest.fixture
def londoner(organisation, london_office):
    return person(organisation, london_office, name="Lou")


@pytest.fixture
def admin(organisation, ny_office):
    return person(organisation, None, Role.ADMIN, name="Ada")


@pytest.fixture
def as_employee(employee):
    return token_client(employee)


@pytest.fixture
def as_manager(manager):
    return token_client(manager)


@pytest.fixture
def as_admin(admin):
    return token_client(admin)


@pytest.fixture
def client_row(organisation):
    return ClientFactory(organisation=organisation, name="Acme Corp", default_rate="80.00")


@pytest.fixture
def project(client_row):
    return ProjectFactory(client=client_row, name="Website", hourly_rate="100.00", estimated_hours="10.00")


@pytest.fixture
def task(project):
    return TaskFactory(project=project, name="Homepage")
