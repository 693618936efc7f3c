"""The hook registries of organisations (issue 12 point 2): how the layer below lets the apps above
react, registered from their ``apps.py`` (no Django signals, no imports of the apps above)."""

from __future__ import annotations

import pytest

from organisations import hooks, services
from organisations.actors import Actor
from organisations.choices import MembershipStatus, Role

pytestmark = pytest.mark.django_db


def test_the_apps_register_their_demo_seeds_in_order():
    names = [entry.name for entry in hooks.demo_seeds()]
    assert names == ["hr.demo.seed", "payroll.demo.seed", "timetracking.demo.seed"]


def test_registering_a_demo_seed_again_replaces_it(monkeypatch):
    monkeypatch.setattr(hooks, "_DEMO_SEEDS", dict(hooks._DEMO_SEEDS))

    def seed(organisation):
        pass

    hooks.register_demo_seed(seed, order=99)
    hooks.register_demo_seed(seed, order=5)
    orders = {entry.name: entry.order for entry in hooks.demo_seeds()}
    assert orders[f"{__name__}.test_registering_a_demo_seed_again_replaces_it.<locals>.seed"] == 5


def test_an_accepted_invitation_calls_the_member_joined_hooks(owner, monkeypatch):
    monkeypatch.setattr(hooks, "_MEMBER_JOINED", [])
    joined = []
    hooks.register_member_joined(joined.append)
    hooks.register_member_joined(joined.append)  # once only
    actor = Actor(organisation=owner.organisation, user=owner.user, membership=owner, kind="session")
    invited = services.member_invite(
        actor=actor, email="new.person@example.test", role=Role.EMPLOYEE, office=None, base_url="http://testserver/"
    )
    assert joined == []
    membership = services.invitation_accept(raw_token=invited.token, full_name="New Person", password="a-fresh-91-pass")
    assert joined == [membership]
    assert joined[0].status == MembershipStatus.ACTIVE
