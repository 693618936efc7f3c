"""HR test fixtures: uploads land in a temporary private directory (never var/), and a cast
of people in one organisation, each with an employee record and a REST client of their own."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from organisations import services as organisation_services
from organisations.actors import Actor, system_actor
from organisations.choices import Role
from tests.conftest import ALL_SCOPES
from tests.hr.factories import EmployeeFactory
from tests.organisations.factories import MembershipFactory, OfficeFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 32


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    return settings.PRIVATE_FILES_ROOT


def txt(name="handbook.txt", content=b"Be kind. Be on time.\n"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


def person_client(membership, scopes=ALL_SCOPES) -> APIClient:
    """A REST client holding a personal API token of ``membership``."""
    created = organisation_services.api_token_create(
        actor=system_actor(membership.organisation), membership=membership, name="tests", scopes=list(scopes)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {created.token}")
    client.membership = membership
    return client


def actor_of(membership) -> Actor:
    return Actor(
        organisation=membership.organisation,
        user=membership.user,
        membership=membership,
        scopes=frozenset(ALL_SCOPES),
        kind="session",
    )


def gql_as(client, query, variables=None):
    response = client.post(
        "/graphql", data=json.dumps({"query": query, "variables": variables or {}}), content_type="application/json"
    )
    return response.json()


@dataclass
class Cast:
    office: object
    other_office: object
    owner: object
    admin: object
    hr: object
    hr2: object
    manager: object
    employee: object
    colleague: object
    outsider_office_employee: object

    def employee_of(self, membership):
        return membership.employees.get()


@pytest.fixture
def cast(organisation):
    """Owner, admin, two HR, a manager of the head office, two employees there, one elsewhere."""
    office = OfficeFactory(organisation=organisation, name="Head Office")
    other_office = OfficeFactory(organisation=organisation, name="Harbour Office")

    def member(role, name, where=office):
        membership = MembershipFactory(
            organisation=organisation, role=role, office=where, user=UserFactory(full_name=name)
        )
        first, last = name.split(" ", 1)
        EmployeeFactory(
            office=where, first_name=first, last_name=last, membership=membership, email=membership.user.email
        )
        return membership

    return Cast(
        office=office,
        other_office=other_office,
        owner=member(Role.OWNER, "Olive Owner"),
        admin=member(Role.ADMIN, "Adam Admin"),
        hr=member(Role.HR, "Hana Hr"),
        hr2=member(Role.HR, "Hugo Hr"),
        manager=member(Role.MANAGER, "Mona Manager"),
        employee=member(Role.EMPLOYEE, "Eli Employee"),
        colleague=member(Role.EMPLOYEE, "Cleo Colleague"),
        outsider_office_employee=member(Role.EMPLOYEE, "Otto Other", other_office),
    )
