"""Who may see what in time tracking: one policy function per rule (issue 12 point 5).

Serializers, GraphQL types, pages and exports ask these functions instead of checking
roles themselves, so the rule is stated once.
"""

from __future__ import annotations

from organisations.actors import Actor
from organisations.choices import Role

__all__ = ["can_see_rates"]


def can_see_rates(actor: Actor | None) -> bool:
    """Client default rates, project and task hourly rates and budgets: owners, admins, managers
    and organisation-wide credentials; not employees or project viewers. No actor (a system
    representation, e.g. an event payload) sees them."""
    return actor is None or actor.sees_whole_organisation or actor.role == Role.MANAGER
