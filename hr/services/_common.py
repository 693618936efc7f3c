"""What every hr service shares: who may edit HR records, the full_clean-and-save step."""

from __future__ import annotations

from django.utils.translation import gettext as _

from organisations.actors import Actor
from trackyoursheets.exceptions import NotPermitted

from ..models import (
    sees_hr_portal,
)


def _require_hr_editor(actor: Actor) -> None:
    """HR, owners, admins and integrations edit the directory and documents."""
    if actor.impersonated_producer_id or not sees_hr_portal(actor):
        raise NotPermitted(_("Only HR, owners and admins can change HR records."))


def _save(obj) -> None:
    obj.full_clean()
    obj.save()
