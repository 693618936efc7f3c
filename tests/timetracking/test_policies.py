"""``timetracking.policies``: who may see rates and budgets, stated once (issue 12 point 5)."""

import pytest

from organisations.actors import Actor
from organisations.choices import Role
from timetracking.policies import can_see_rates

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "sees"),
    [(Role.OWNER, True), (Role.ADMIN, True), (Role.MANAGER, True), (Role.HR, False), (Role.EMPLOYEE, False)],
)
def test_rates_are_for_managers_and_up(organisation, make_member, role, sees):
    membership = make_member(organisation, role)

    assert can_see_rates(Actor(organisation=organisation, membership=membership, kind="session")) is sees
