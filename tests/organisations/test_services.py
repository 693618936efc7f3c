"""Business rules of the organisations services."""

import pytest
from django.core.exceptions import ValidationError

from integrations.models import OutboxEvent
from organisations import services
from organisations.actors import system_actor
from organisations.choices import Role
from organisations.models import Membership, Organisation, User
from organisations.plans import PlanCode
from tests.organisations.factories import MembershipFactory, OrganisationFactory, UserFactory
from trackyoursheets.exceptions import LimitExceeded, NotPermitted

pytestmark = pytest.mark.django_db


def test_organisation_create_makes_an_owner_and_a_unique_slug():
    first = services.organisation_create(
        name="Blue Sky Agency", owner_email="A@Blue.test", owner_password="x-long-pw-1"
    )
    second = services.organisation_create(
        name="Blue Sky Agency", owner_email="b@blue.test", owner_password="x-long-pw-2"
    )

    assert first.organisation.slug == "blue-sky-agency"
    assert second.organisation.slug == "blue-sky-agency-2"
    assert first.owner.email == "a@blue.test"
    assert first.owner.check_password("x-long-pw-1")
    assert Membership.objects.get(organisation=first.organisation).role == Role.OWNER


def test_organisation_create_rolls_back_entirely_on_bad_input():
    with pytest.raises(ValidationError):
        services.organisation_create(
            name="Bad", owner_email="c@bad.test", owner_password="pw-long-123", timezone="Nowhere"
        )

    assert Organisation.objects.count() == 0
    assert User.objects.count() == 0


def test_seat_limit_is_a_hard_cap():
    organisation = OrganisationFactory(plan=PlanCode.STARTER)  # 5 seats
    MembershipFactory.create_batch(4, organisation=organisation)
    MembershipFactory(organisation=organisation, status="deactivated")  # not a seat
    services.membership_add(organisation=organisation, user=UserFactory(), role=Role.EMPLOYEE)

    with pytest.raises(LimitExceeded) as raised:
        services.membership_add(organisation=organisation, user=UserFactory(), role=Role.EMPLOYEE)

    assert str(raised.value) == "The Starter plan includes 5 seats and all are in use."
    assert Membership.objects.filter(organisation=organisation, status="active").count() == 5


def test_a_member_office_must_be_in_the_same_organisation():
    from tests.organisations.factories import OfficeFactory

    organisation, other = OrganisationFactory(), OrganisationFactory()

    with pytest.raises(ValidationError) as raised:
        services.membership_add(
            organisation=organisation, user=UserFactory(), role=Role.MANAGER, office=OfficeFactory(organisation=other)
        )

    assert raised.value.message_dict == {"office": ["Not found in this organisation."]}


def test_failed_change_leaves_no_event(office):
    actor = system_actor(office.organisation)

    with pytest.raises(ValidationError):
        services.workspace_create(actor=actor, office=office, name="")

    assert OutboxEvent.objects.count() == 0


def test_producer_upsert_matches_on_producer_code(organisation):
    actor = system_actor(organisation)

    created, was_created = services.producer_upsert(actor=actor, producer=None, display_name="Ann", producer_code="A1")
    updated, was_created_again = services.producer_upsert(
        actor=actor, producer=None, display_name="Ann B.", producer_code="A1"
    )

    assert (was_created, was_created_again) == (True, False)
    assert updated.pk == created.pk
    assert updated.display_name == "Ann B."


def test_api_client_secret_is_hashed_and_scopes_validated(organisation):
    created = services.api_client_create(organisation=organisation, name="ERP", scopes=["hr.read", "hr.read"])

    assert created.application.scopes == "hr.read"
    assert created.application.client_secret != created.client_secret
    with pytest.raises(ValidationError):
        services.api_client_create(organisation=organisation, name="Bad", scopes=["root.everything"])


def test_token_issue_never_exceeds_the_grant(organisation):
    application = services.api_client_create(organisation=organisation, name="ERP", scopes=["hr.read"]).application

    with pytest.raises(NotPermitted):
        services.access_token_issue(application=application, scopes=["hr.write"])
