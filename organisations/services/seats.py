"""Team management shared by invitations and member changes: the seat limit, roles' standing, who may change whom."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from trackyoursheets.exceptions import Conflict, DomainError, LimitExceeded, NotPermitted

from ..actors import Actor
from ..choices import MembershipStatus, Role
from ..models import Invitation, Membership, Office, Organisation

logger = logging.getLogger(__name__)
#: how long an invitation link works
INVITATION_TTL = timedelta(days=7)
#: bytes of randomness in an invitation token (43 URL-safe characters)
INVITATION_TOKEN_BYTES = 32
#: a role's standing: nobody grants a role ranked above their own
ROLE_RANK: dict[str, int] = {
    Role.OWNER: 4,
    Role.ADMIN: 3,
    Role.MANAGER: 2,
    Role.HR: 2,
    Role.PRODUCER: 1,
    Role.EMPLOYEE: 1,
    Role.VIEWER: 0,
}
_OWNER_TIER = (Role.OWNER, Role.ADMIN)
_MANAGING_KINDS = frozenset({"session", "token", "system"})
#: seats are taken by these statuses (issue 4: "active + invited count as seats")
_SEAT_STATUSES = (MembershipStatus.ACTIVE, MembershipStatus.INVITED)


class InvitationInvalid(DomainError):
    """An invitation link that cannot be used; ``reason`` is unknown, expired, used or revoked."""

    status = 410
    slug = "invitation-invalid"
    title = "Invitation cannot be used"

    def __init__(self, detail: str, *, reason: str, invitation: Invitation | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.invitation = invitation


@dataclass(frozen=True)
class MemberInvited:
    membership: Membership
    invitation: Invitation
    token: str  # only in the emailed link; never stored, never returned by the API


def member_seat_usage(*, organisation: Organisation) -> dict:
    """Seats of the plan: ``limit``, ``active``, ``invited``, ``used`` (active + invited), ``available``."""
    counts = Membership.objects.for_organisation(organisation).aggregate(
        active=Count("id", filter=Q(status=MembershipStatus.ACTIVE)),
        invited=Count("id", filter=Q(status=MembershipStatus.INVITED)),
    )
    limit = organisation.plan_details.max_seats
    used = counts["active"] + counts["invited"]
    return {
        "limit": limit,
        "active": counts["active"],
        "invited": counts["invited"],
        "used": used,
        "available": max(0, limit - used),
    }


def _lock_organisation(organisation: Organisation) -> None:
    """Serialise member changes of one organisation (two invitations cannot both take the last seat)."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def _take_seat(organisation: Organisation) -> None:
    """Refuse when every seat is taken; call with the organisation locked."""
    _lock_organisation(organisation)
    usage = member_seat_usage(organisation=organisation)
    if usage["used"] >= usage["limit"]:
        plan = organisation.plan_details
        raise LimitExceeded(
            _(
                "The %(plan)s plan includes %(limit)s seats and all are taken (%(active)s active, %(invited)s "
                "invited). Deactivate a member, revoke an invitation or move to a larger plan."
            )
            % {"plan": plan.name, "limit": usage["limit"], "active": usage["active"], "invited": usage["invited"]},
            limit=usage["limit"],
            used=usage["used"],
        )


def _acts_as_owner(actor: Actor) -> bool:
    return actor.kind == "system" or actor.role == Role.OWNER


def member_require_manager(*, actor: Actor) -> None:
    """Only owners and admins, as people, manage members (OAuth clients and impersonations read only)."""
    if actor.kind not in _MANAGING_KINDS or actor.impersonated_producer_id:
        raise NotPermitted(_("Only owners and admins can manage members; API clients may only read them."))
    if actor.kind != "system" and actor.role not in _OWNER_TIER:
        raise NotPermitted(_("Only owners and admins can manage members."))


def member_grantable_roles(*, actor: Actor) -> list[str]:
    """The roles ``actor`` may give: owners any; admins those below admin."""
    if _acts_as_owner(actor):
        return list(Role.values)
    if actor.role == Role.ADMIN:
        return [r for r in Role.values if r not in _OWNER_TIER]
    return []


def _require_may_grant(actor: Actor, role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role in _OWNER_TIER and not _acts_as_owner(actor):
        raise NotPermitted(_("Only owners can make someone an owner or admin."))
    if not _acts_as_owner(actor) and ROLE_RANK[role] > ROLE_RANK.get(actor.role or "", 0):
        raise NotPermitted(_("You cannot grant a role above your own."))


def _require_may_change(actor: Actor, membership: Membership) -> None:
    """Owners change anyone; admins change members below admin, and themselves."""
    if membership.organisation_id != actor.organisation.pk:
        raise Membership.DoesNotExist("Membership matching query does not exist.")  # scoped lookups never get here
    if _acts_as_owner(actor):
        return
    if membership.role == Role.OWNER:
        raise NotPermitted(_("Only owners can change an owner."))
    if membership.role == Role.ADMIN and membership.pk != getattr(actor.membership, "pk", None):
        raise NotPermitted(_("Only owners can change an admin."))


def _require_not_last_owner(membership: Membership) -> None:
    """Called with the organisation row locked, so two owners cannot demote each other at once."""
    if membership.role != Role.OWNER or membership.status != MembershipStatus.ACTIVE:
        return
    others = (
        Membership.objects.for_organisation(membership.organisation_id)
        .filter(role=Role.OWNER, status=MembershipStatus.ACTIVE)
        .exclude(pk=membership.pk)
        .exists()
    )
    if not others:
        raise Conflict(
            _("The last owner cannot be demoted or deactivated. Make another member an owner first."),
        )


def _require_office_for_manager(role: str, office: Office | None) -> None:
    if role == Role.MANAGER and office is None:
        raise ValidationError({"office": _("A manager needs an office: they see the people of their office.")})


def _lock(membership: Membership) -> Membership:
    _lock_organisation(membership.organisation)
    return Membership.objects.select_for_update(of=("self",)).select_related("user", "office").get(pk=membership.pk)


def _state(membership: Membership) -> dict:
    """What the audit trail records of a membership."""
    return {"role": membership.role, "office_id": membership.office_id, "status": membership.status}
