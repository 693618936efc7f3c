"""Who may see what in HR: one policy function per rule (issue 12 point 5).

Serializers, GraphQL types, pages, forms and CSV exports ask these functions instead of
checking roles themselves, so the rule is stated once.
"""

from __future__ import annotations

from organisations.actors import Actor
from organisations.choices import Role

__all__ = ["can_see_hr_portal", "can_see_pay"]


def can_see_hr_portal(actor: Actor) -> bool:
    """Owners, admins, HR and organisation-wide credentials: the directory, documents, coverage."""
    return actor.sees_whole_organisation or actor.role == Role.HR


def can_see_pay(actor: Actor, employee=None) -> bool:
    """Pay type and rate (of ``employee``, or of anyone when not given): HR, owners and admins, and
    integrations, only (issue 8 point 8) — not the employee themselves, not their manager."""
    return can_see_hr_portal(actor)
