"""Role checks shared by the time-tracking services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from organisations.actors import Actor
from organisations.choices import Role
from trackyoursheets.exceptions import NotPermitted

from .. import selectors

if TYPE_CHECKING:  # annotations only: other apps read employees through hr.selectors
    from hr.models import Employee


# =============================================================================
# Role checks
# =============================================================================


def _require_admin(actor: Actor) -> None:
    if not actor.sees_whole_organisation:
        raise NotPermitted(_("Only owners and admins may change the time settings."))


def _require_manager(actor: Actor) -> None:
    """Clients, projects, tasks: owners, admins, managers and organisation-wide credentials."""
    if not (actor.sees_whole_organisation or actor.role == Role.MANAGER):
        raise NotPermitted(_("Your role does not allow managing clients, projects and tasks."))


def _require_tracks_for(actor: Actor, employee: Employee) -> None:
    """Time of ``employee`` may be recorded by the actor (themselves, their manager, the organisation)."""
    if selectors.time_employee_seen(actor=actor, employee=employee):
        return
    if not selectors.time_employee_list(actor=actor).filter(pk=employee.pk).exists():
        raise NotPermitted(_("You may only record time for yourself or, as a manager, your office."))


def _save(obj) -> None:
    obj.full_clean()
    obj.save()
