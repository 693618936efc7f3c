"""Services: team management (issue 4) -- invitations, roles, deactivation and the seat limit.

The rules, enforced here for the team pages and ``/v1/members`` alike:

- only owners and admins, as people (a browser session or their personal API token),
  manage members; OAuth clients and impersonations may read members but never change them;
- only owners make (or unmake) owners and admins; nobody grants a role above their own;
  an admin cannot change an owner or another admin (they may step down themselves);
- the last active owner can be neither demoted nor deactivated;
- members are deactivated, never deleted; a deactivated member cannot log in to the
  organisation nor use its API (authentication checks the membership's status);
- active *and* invited members take a seat; the plan's seat limit is a hard cap;
- an invitation is a random token of which only the SHA-256 is stored; the email carries
  the link and never a password; it expires after seven days.
"""

from __future__ import annotations

from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from trackyoursheets.exceptions import Conflict

from .. import events
from ..actors import Actor
from ..audit import audit_change
from ..choices import MembershipStatus, Role
from ..models import Invitation, Membership, Office
from .invitations import _invited_payload, _issue_invitation
from .seats import (
    _lock,
    _require_may_change,
    _require_may_grant,
    _require_not_last_owner,
    _require_office_for_manager,
    _state,
    _take_seat,
    member_require_manager,
)

_UNSET = object()


def member_update(
    *,
    actor: Actor,
    membership: Membership,
    role: str | None = None,
    office: Office | None | object = _UNSET,
    status: str | None = None,
    base_url: str = "",
) -> Membership:
    """Change a member's role, office and/or status (``active`` or ``deactivated``), by the rules above."""
    return _member_update(
        actor=actor,
        membership=membership,
        role=role,
        office=office,
        status=status,
        base_url=base_url,
        action="membership.update",
    )


@transaction.atomic
def member_timezone_set(*, actor: Actor, membership: Membership, zone: str) -> Membership:
    """Set the timezone a member reads and types times in (issue 14 point 3). A member sets their
    own; owners and admins anyone's. Empty means their office's (else the organisation's)."""
    if actor.membership is None or actor.membership.pk != membership.pk:
        member_require_manager(actor=actor)
    before = {"timezone": membership.timezone}
    membership.timezone = (zone or "").strip()
    membership.full_clean(exclude=["user", "office", "organisation"], validate_constraints=False)
    if membership.timezone != before["timezone"]:
        membership.save(update_fields=["timezone", "updated_at"])
        audit_change(
            actor=actor,
            action="membership.timezone",
            obj=membership,
            before=before,
            after={"timezone": membership.timezone},
        )
    return membership


@transaction.atomic
def _member_update(
    *,
    actor: Actor,
    membership: Membership,
    role: str | None,
    office: Office | None | object,
    status: str | None,
    base_url: str,
    action: str,
) -> Membership:
    member_require_manager(actor=actor)
    membership = _lock(membership)
    before = _state(membership)
    _require_may_change(actor, membership)
    new_role = membership.role if role is None else role
    new_office = membership.office if office is _UNSET else cast("Office | None", office)
    if role is not None and role != membership.role:
        _require_may_grant(actor, role)
        if membership.role == Role.OWNER:
            _require_not_last_owner(membership)
    if new_office is not None and new_office.organisation_id != actor.organisation.pk:
        raise ValidationError({"office": _("Not found in this organisation.")})
    if role is not None or office is not _UNSET:
        _require_office_for_manager(new_role, new_office)
    if (new_role, getattr(new_office, "pk", None)) != (membership.role, membership.office_id):
        membership.role = new_role
        membership.office = new_office
        membership.full_clean()
        membership.save(update_fields=["role", "office", "updated_at"])
    if status is not None and status != membership.status:
        if status == MembershipStatus.DEACTIVATED:
            membership = _deactivate(actor, membership)
        elif status == MembershipStatus.ACTIVE:
            membership = _reactivate(actor, membership, base_url=base_url)
        else:
            raise ValidationError(
                {"status": _("Invite a person to make them invited; a member can be set active or deactivated.")}
            )
    audit_change(actor=actor, action=action, obj=membership, before=before, after=_state(membership))
    return membership


def _deactivate(actor: Actor, membership: Membership) -> Membership:
    if membership.status == MembershipStatus.INVITED:
        Invitation.objects.filter(membership=membership, revoked_at__isnull=True, accepted_at__isnull=True).update(
            revoked_at=timezone.now(), updated_at=timezone.now()
        )
    elif membership.status == MembershipStatus.ACTIVE:
        _require_not_last_owner(membership)
    membership.status = MembershipStatus.DEACTIVATED
    membership.save(update_fields=["status", "updated_at"])
    return membership


def _reactivate(actor: Actor, membership: Membership, *, base_url: str) -> Membership:
    """A deactivated member takes a seat again. One who never accepted their invitation (no password
    yet) is invited again with a fresh link instead of becoming active."""
    if membership.status == MembershipStatus.INVITED:
        raise Conflict(_("An invited member becomes active by accepting the invitation."))
    _take_seat(membership.organisation)
    if (
        not membership.user.has_usable_password()
        and not Invitation.objects.filter(membership=membership, accepted_at__isnull=False).exists()
    ):
        if not base_url:
            raise ValidationError(_("A base URL is needed to send the new invitation."))
        membership.status = MembershipStatus.INVITED
        membership.save(update_fields=["status", "updated_at"])
        invitation, _raw = _issue_invitation(actor=actor, membership=membership, base_url=base_url)
        record_event(
            membership.organisation, events.MEMBER_INVITED, _invited_payload(membership, invitation), actor=actor
        )
        return membership
    membership.status = MembershipStatus.ACTIVE
    membership.save(update_fields=["status", "updated_at"])
    return membership


def member_deactivate(*, actor: Actor, membership: Membership) -> Membership:
    """Deactivate (never delete): no more logins to this organisation, no API access, the seat is freed."""
    return _member_update(
        actor=actor,
        membership=membership,
        role=None,
        office=_UNSET,
        status=MembershipStatus.DEACTIVATED,
        base_url="",
        action="membership.deactivate",
    )


def member_reactivate(*, actor: Actor, membership: Membership, base_url: str) -> Membership:
    """Re-activate a deactivated member, within the seat limit (or invite them again, see ``_reactivate``)."""
    return _member_update(
        actor=actor,
        membership=membership,
        role=None,
        office=_UNSET,
        status=MembershipStatus.ACTIVE,
        base_url=base_url,
        action="membership.reactivate",
    )
