"""``hr.policies``: who may see pay, stated once (issue 12 point 5)."""

import pytest

from hr.policies import can_see_pay
from organisations.actors import Actor, system_actor
from organisations.choices import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "sees"),
    [(Role.OWNER, True), (Role.ADMIN, True), (Role.HR, True), (Role.MANAGER, False), (Role.EMPLOYEE, False)],
)
def test_pay_is_for_hr_owners_and_admins(organisation, make_member, role, sees):
    membership = make_member(organisation, role)

    assert can_see_pay(Actor(organisation=organisation, membership=membership, kind="session")) is sees


def test_integrations_see_pay(organisation):
    assert can_see_pay(system_actor(organisation)) is True
