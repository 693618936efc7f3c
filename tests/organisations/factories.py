"""Factories for the organisations app. Tenant-owned rows take their organisation
from their parents, so one object graph never spans two tenants (STYLE §7.2)."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from organisations.choices import MembershipStatus, Role
from organisations.models import (
    Membership,
    OAuthApplication,
    Office,
    Organisation,
    Producer,
    User,
    Workspace,
    WorkspaceAgent,
)
from organisations.plans import PlanCode

DEFAULT_PASSWORD = "correct-horse-battery-42"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")
    plan = PlanCode.SCALE


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OfficeFactory(DjangoModelFactory):
    class Meta:
        model = Office

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Office {n}")
    timezone = "America/New_York"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.EMPLOYEE
    status = MembershipStatus.ACTIVE
    office = None


class WorkspaceFactory(DjangoModelFactory):
    class Meta:
        model = Workspace

    office = factory.SubFactory(OfficeFactory)
    organisation = factory.SelfAttribute("office.organisation")
    name = factory.Sequence(lambda n: f"Workspace {n}")


class WorkspaceAgentFactory(DjangoModelFactory):
    class Meta:
        model = WorkspaceAgent

    workspace = factory.SubFactory(WorkspaceFactory)
    organisation = factory.SelfAttribute("workspace.organisation")
    membership = factory.SubFactory(MembershipFactory, organisation=factory.SelfAttribute("..organisation"))


class ProducerFactory(DjangoModelFactory):
    class Meta:
        model = Producer

    workspace = factory.SubFactory(WorkspaceFactory)
    organisation = factory.SelfAttribute("workspace.organisation")
    display_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"producer{n}@example.test")
    producer_code = factory.Sequence(lambda n: f"P{n:05d}")
    default_split_percent = Decimal("100.00")


class OAuthApplicationFactory(DjangoModelFactory):
    class Meta:
        model = OAuthApplication

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Integration {n}")
    client_type = OAuthApplication.CLIENT_CONFIDENTIAL
    authorization_grant_type = OAuthApplication.GRANT_CLIENT_CREDENTIALS
    client_secret = "s3cret-" + "x" * 40
    scopes = ""
