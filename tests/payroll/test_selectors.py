"""Role visibility of the ledger (DESIGN §3): owners and admins see everything, managers
their office, a producer only their own lines and only with portal access, HR and
employees nothing. Checked on the selectors and through REST with a browser session."""

from __future__ import annotations

import pytest

from organisations.actors import Actor
from organisations.choices import Role
from payroll import selectors
from tests.organisations.factories import MembershipFactory, OfficeFactory, ProducerFactory, WorkspaceFactory

from .factories import CommissionRuleSetFactory, CommissionTransactionFactory, PolicyProducerFactory

pytestmark = pytest.mark.django_db


def actor_of(membership=None, *, organisation=None, impersonated_producer_id=None) -> Actor:
    organisation = organisation or membership.organisation
    return Actor(
        organisation=organisation,
        user=getattr(membership, "user", None),
        membership=membership,
        kind="impersonation" if impersonated_producer_id else "session",
        impersonated_producer_id=impersonated_producer_id,
    )


@pytest.fixture
def book(organisation):
    """Two offices, a producer with portal access in each, one without, and a line for each."""
    north, south = OfficeFactory(organisation=organisation), OfficeFactory(organisation=organisation)
    login = MembershipFactory(organisation=organisation, role=Role.PRODUCER)
    paula = ProducerFactory(workspace=WorkspaceFactory(office=north), membership=login, portal_access=True)
    rick = ProducerFactory(workspace=WorkspaceFactory(office=south), portal_access=True)
    locked_login = MembershipFactory(organisation=organisation, role=Role.PRODUCER)
    locked = ProducerFactory(workspace=paula.workspace, membership=locked_login, portal_access=False)
    return {
        "north": north,
        "paula": paula,
        "rick": rick,
        "locked": locked,
        "paula_txn": CommissionTransactionFactory(producer=paula),
        "rick_txn": CommissionTransactionFactory(producer=rick),
        "locked_txn": CommissionTransactionFactory(producer=locked),
        "paula_policy": PolicyProducerFactory(producer=paula, policy__carrier__organisation=organisation).policy,
        "rick_policy": PolicyProducerFactory(producer=rick, policy__carrier__organisation=organisation).policy,
        "rule_set": CommissionRuleSetFactory(organisation=organisation),
    }


def visible(actor) -> list[int]:
    return sorted(selectors.transaction_list(actor=actor).values_list("pk", flat=True))


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_owners_and_admins_see_every_line(organisation, book, role):
    actor = actor_of(MembershipFactory(organisation=organisation, role=role))

    assert visible(actor) == sorted(book[k].pk for k in ("paula_txn", "rick_txn", "locked_txn"))


def test_managers_see_their_offices_lines_and_policies(organisation, book):
    actor = actor_of(MembershipFactory(organisation=organisation, role=Role.MANAGER, office=book["north"]))

    assert visible(actor) == sorted([book["paula_txn"].pk, book["locked_txn"].pk])
    assert list(selectors.policy_list(actor=actor)) == [book["paula_policy"]]
    assert list(selectors.rule_set_list(actor=actor)) == [book["rule_set"]]


def test_a_producer_sees_only_their_own_lines_and_policies(book):
    actor = actor_of(book["paula"].membership)

    assert visible(actor) == [book["paula_txn"].pk]
    assert list(selectors.policy_list(actor=actor)) == [book["paula_policy"]]
    assert list(selectors.rule_set_list(actor=actor)) == []


def test_a_producer_without_portal_access_sees_nothing(book):
    actor = actor_of(book["locked"].membership)

    assert visible(actor) == []


def test_portal_access_switches_visibility_at_once(book):
    actor = actor_of(book["paula"].membership)
    book["paula"].portal_access = False
    book["paula"].save()

    assert visible(actor) == []
    assert list(selectors.policy_list(actor=actor)) == []


def test_an_impersonation_sees_its_producers_lines(organisation, book):
    actor = actor_of(organisation=organisation, impersonated_producer_id=book["rick"].pk)

    assert visible(actor) == [book["rick_txn"].pk]


@pytest.mark.parametrize("role", [Role.HR, Role.EMPLOYEE])
def test_hr_and_employees_see_no_commissions(organisation, book, role):
    actor = actor_of(MembershipFactory(organisation=organisation, role=role))

    assert visible(actor) == []
    assert list(selectors.policy_list(actor=actor)) == []
    assert list(selectors.rule_set_list(actor=actor)) == []


def test_producer_visibility_through_rest(session_client, book):
    client = session_client(book["paula"].membership)

    listed = client.get("/v1/transactions")
    own = client.get(f"/v1/transactions/{book['paula_txn'].pk}")
    other = client.get(f"/v1/transactions/{book['rick_txn'].pk}")

    assert [row["id"] for row in listed.json()["results"]] == [book["paula_txn"].pk]
    assert (own.status_code, other.status_code) == (200, 404)
