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

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from trackyoursheets.exceptions import Conflict, DomainError, LimitExceeded, NotPermitted

from .. import events, hooks
from ..actors import Actor, AuditContext
from ..audit import audit_change
from ..choices import MembershipStatus, Role
from ..models import Invitation, Membership, Office, Organisation, User
from ..selectors import token_hash

logger = logging.getLogger(__name__)

__all__ = [
    "INVITATION_TTL",
    "ROLE_RANK",
    "InvitationInvalid",
    "MemberInvited",
    "invitation_accept",
    "invitation_for_token",
    "invitation_resend",
    "invitation_revoke",
    "member_deactivate",
    "member_grantable_roles",
    "member_invite",
    "member_reactivate",
    "member_require_manager",
    "member_seat_usage",
    "member_update",
]

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


# =============================================================================
# Seats and permission checks
# =============================================================================


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
    if not _acts_as_owner(actor) and ROLE_RANK[role] > ROLE_RANK.get(actor.role, 0):
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


# =============================================================================
# Invitations
# =============================================================================


def _new_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(INVITATION_TOKEN_BYTES)
    return raw, token_hash(raw)


def _invitation_link(base_url: str, raw_token: str) -> str:
    return base_url.rstrip("/") + reverse("app:invitation-accept", args=[raw_token])


def _send_invitation_email(
    *, invitation: Invitation, organisation: Organisation, role_label: str, link: str, invited_by: str
) -> None:
    """Sent after commit (no email for a rolled-back invitation); a mail failure is logged, and the
    invitation can be re-sent from the team page."""
    context = {
        "organisation_name": organisation.name,
        "role": role_label,
        "link": link,
        "expires_at": invitation.expires_at,
        "invited_by": invited_by,
    }
    subject = _("You are invited to join %(organisation)s on TrackYourSheets") % {"organisation": organisation.name}
    subject = " ".join(subject.split())  # a header: no line breaks
    body = render_to_string("registration/invitation_email.txt", context)

    def send() -> None:
        try:
            send_mail(subject, body, None, [invitation.email])
        except Exception:
            logger.exception("Could not send the invitation email for membership %s", invitation.membership_id)

    transaction.on_commit(send)


def _issue_invitation(*, actor: Actor, membership: Membership, base_url: str) -> tuple[Invitation, str]:
    """Create or renew the membership's invitation with a fresh token (an older link stops working)."""
    raw, digest = _new_token()
    invitation = Invitation.objects.filter(membership=membership).first() or Invitation(
        organisation=membership.organisation, membership=membership
    )
    invitation.email = membership.user.email
    invitation.token_hash = digest
    invitation.invited_by = actor.user if getattr(actor.user, "pk", None) else None
    invitation.expires_at = timezone.now() + INVITATION_TTL
    invitation.accepted_at = None
    invitation.revoked_at = None
    invitation.full_clean()
    invitation.save()
    _send_invitation_email(
        invitation=invitation,
        organisation=membership.organisation,
        role_label=membership.get_role_display(),
        link=_invitation_link(base_url, raw),
        invited_by=actor.user.get_full_name() if getattr(actor.user, "pk", None) else membership.organisation.name,
    )
    return invitation, raw


def _invited_payload(membership: Membership, invitation: Invitation) -> dict:
    return {
        "id": membership.pk,
        "user_id": membership.user_id,
        "email": membership.user.email,
        "role": membership.role,
        "office_id": membership.office_id,
        "status": membership.status,
        "invited_by_user_id": invitation.invited_by_id,
        "expires_at": invitation.expires_at,
    }


def _new_invited_user(email: str) -> User:
    """An account without a usable password (set when accepting). Another organisation inviting the
    same new email at the same moment wins the insert; then both invitations share that account."""
    user = User(email=email)
    user.set_unusable_password()
    user.full_clean(validate_unique=False)
    try:
        with transaction.atomic():  # a savepoint: the unique violation must not abort the caller's transaction
            user.save()
    except IntegrityError:
        return User.objects.get(email__iexact=email)
    return user


@transaction.atomic
def member_invite(*, actor: Actor, email: str, role: str, office: Office | None = None, base_url: str) -> MemberInvited:
    """Invite a person by email: an ``invited`` membership taking a seat, an invitation (7 days) and an email
    with the link. A person new to TrackYourSheets gets an account without a usable password; they set it
    when accepting. ``base_url`` is where the link points (``https://app.example.com``)."""
    member_require_manager(actor=actor)
    _require_may_grant(actor, role)
    _require_office_for_manager(role, office)
    if office is not None and office.organisation_id != actor.organisation.pk:
        raise ValidationError({"office": _("Not found in this organisation.")})
    email = User.objects.normalize_email((email or "").strip()).lower()
    if not email:
        raise ValidationError({"email": _("Enter an email address.")})
    organisation = actor.organisation
    _lock_organisation(organisation)  # also serialises two invitations of one new email
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        existing = Membership.objects.for_organisation(organisation).filter(user=user).first()
        if existing is not None:
            if existing.status == MembershipStatus.DEACTIVATED:
                message = _("%(email)s was deactivated. Re-activate them from the team page instead.")
            elif existing.status == MembershipStatus.INVITED:
                message = _("%(email)s is already invited. Resend the invitation from the team page instead.")
            else:
                message = _("%(email)s is already a member of this organisation.")
            raise ValidationError({"email": message % {"email": email}})
    _take_seat(organisation)
    if user is None:
        user = _new_invited_user(email)
    membership = Membership(
        organisation=organisation, user=user, role=role, office=office, status=MembershipStatus.INVITED
    )
    membership.full_clean()
    membership.save()
    invitation, raw = _issue_invitation(actor=actor, membership=membership, base_url=base_url)
    audit_change(actor=actor, action="membership.invite", obj=membership, after=_state(membership))
    record_event(organisation, events.MEMBER_INVITED, _invited_payload(membership, invitation), actor=actor)
    return MemberInvited(membership=membership, invitation=invitation, token=raw)


@transaction.atomic
def invitation_resend(*, actor: Actor, membership: Membership, base_url: str) -> MemberInvited:
    """A fresh link (and seven more days) for an invited member; the previous link stops working."""
    member_require_manager(actor=actor)
    membership = _lock(membership)
    _require_may_change(actor, membership)
    if membership.status != MembershipStatus.INVITED:
        raise Conflict(_("Only an invited member's invitation can be resent."))
    invitation, raw = _issue_invitation(actor=actor, membership=membership, base_url=base_url)
    audit_change(actor=actor, action="membership.invitation_resend", obj=membership, changes={})
    return MemberInvited(membership=membership, invitation=invitation, token=raw)


@transaction.atomic
def invitation_revoke(*, actor: Actor, membership: Membership) -> Membership:
    """Withdraw an open invitation: the link stops working, the seat is freed and the membership is
    kept as ``deactivated`` (never deleted; it can be re-activated, which invites again)."""
    member_require_manager(actor=actor)
    membership = _lock(membership)
    _require_may_change(actor, membership)
    if membership.status != MembershipStatus.INVITED:
        raise Conflict(_("Only an invited member's invitation can be revoked."))
    Invitation.objects.filter(membership=membership, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), updated_at=timezone.now()
    )
    membership.status = MembershipStatus.DEACTIVATED
    membership.save(update_fields=["status", "updated_at"])
    audit_change(
        actor=actor,
        action="membership.invitation_revoke",
        obj=membership,
        changes={"status": [MembershipStatus.INVITED, membership.status]},
    )
    return membership


def invitation_for_token(*, raw_token: str) -> Invitation:
    """The invitation behind a link, if it can still be accepted; else :class:`InvitationInvalid`
    saying why (unknown, used, revoked or expired)."""
    invitation = (
        Invitation.objects.select_related("organisation", "membership__user", "membership__office")
        .filter(token_hash=token_hash(raw_token or ""))
        .first()
    )
    if invitation is None:
        raise InvitationInvalid(
            _("The link does not match any invitation. Check that you copied the whole link from the email."),
            reason="unknown",
        )
    if invitation.accepted_at is not None:
        raise InvitationInvalid(
            _("This invitation has already been accepted. Log in with your email and password."),
            reason="used",
            invitation=invitation,
        )
    if invitation.revoked_at is not None or invitation.membership.status != MembershipStatus.INVITED:
        raise InvitationInvalid(
            _("This invitation was withdrawn. Ask an owner or admin of %(organisation)s for a new one.")
            % {"organisation": invitation.organisation.name},
            reason="revoked",
            invitation=invitation,
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid(
            _("This invitation has expired. Ask an owner or admin of %(organisation)s to send a new one.")
            % {"organisation": invitation.organisation.name},
            reason="expired",
            invitation=invitation,
        )
    if not invitation.organisation.is_active:
        raise InvitationInvalid(_("This organisation is no longer active."), reason="revoked", invitation=invitation)
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    raw_token: str,
    full_name: str = "",
    password: str | None = None,
    user: User | None = None,
    audit_context: AuditContext | None = None,
) -> Membership:
    """Accept an invitation: the membership becomes active (its seat was taken when inviting).

    The accepting member is the actor of the audit row (``audit_context``: where they accepted).

    A person new to TrackYourSheets sets their name and password here (Django's validators apply).
    A person who already has an account accepts while logged in as the invited email (``user``);
    the link never changes an existing password.
    """
    invitation = invitation_for_token(raw_token=raw_token)
    Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    invitation = invitation_for_token(raw_token=raw_token)  # re-checked under the lock: one use only
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "organisation")
        .get(pk=invitation.membership_id)
    )
    invited_user = membership.user
    if invited_user.has_usable_password():
        if user is None or user.pk != invited_user.pk:
            raise NotPermitted(_("Log in as %(email)s to accept this invitation.") % {"email": invited_user.email})
    else:
        full_name = (full_name or "").strip()
        if not full_name:
            raise ValidationError({"full_name": _("Enter your name.")})
        invited_user.full_name = full_name
        password_validation.validate_password(password or "", invited_user)
        invited_user.set_password(password)
        invited_user.full_clean()
        invited_user.save()
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=now, updated_at=now)
    membership.status = MembershipStatus.ACTIVE
    membership.save(update_fields=["status", "updated_at"])
    actor = Actor(organisation=membership.organisation, user=invited_user, membership=membership, kind="session")
    audit_change(
        actor=actor.with_audit(audit_context) if audit_context is not None else actor,
        action="membership.invitation_accept",
        obj=membership,
        changes={"status": [MembershipStatus.INVITED, membership.status]},
    )
    hooks.member_joined(membership)  # the apps above (hr) react in this transaction
    return membership


# =============================================================================
# Roles, offices and status
# =============================================================================

_UNSET = object()


def _state(membership: Membership) -> dict:
    """What the audit trail records of a membership."""
    return {"role": membership.role, "office_id": membership.office_id, "status": membership.status}


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
    new_office = membership.office if office is _UNSET else office
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
