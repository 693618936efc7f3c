"""Who may see what in hr: the HR portal roles, ticket handlers, integration credentials."""

from __future__ import annotations

from organisations.choices import Role

from ..policies import can_see_hr_portal


def is_integration(actor) -> bool:
    """An organisation-wide credential with no person behind it (OAuth client, system job)."""
    return actor.membership is None and actor.sees_whole_organisation


def sees_hr_portal(actor) -> bool:
    """Owners, admins, HR and organisation-wide credentials (the rule: ``hr.policies.can_see_hr_portal``)."""
    return can_see_hr_portal(actor)


def handles_complaints(actor) -> bool:
    """HR people and integrations handle tickets; owners and admins do not read them by role."""
    return actor.role == Role.HR or is_integration(actor)
