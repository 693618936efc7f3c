"""Invitations: invite, resend, revoke, look up by token and accept (only the token's SHA-256 is stored)."""

from __future__ import annotations

import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from trackyoursheets.exceptions import Conflict, NotPermitted

from .. import events, hooks
from ..actors import Actor, AuditContext
from ..audit import audit_change
from ..choices import MembershipStatus, Role
from ..models import Invitation, Membership, Office, Organisation, User
from ..selectors import token_hash
from .seats import (
    _MANAGING_KINDS,
    INVITATION_TOKEN_BYTES,
    INVITATION_TTL,
    InvitationInvalid,
    MemberInvited,
    _lock,
    _lock_organisation,
    _require_may_change,
    _require_may_grant,
    _require_office_for_manager,
    _state,
    _take_seat,
    logger,
    member_require_manager,
)


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
        invited_by=(
            actor.user.get_full_name() if actor.user is not None and actor.user.pk else membership.organisation.name
        ),
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


#: who may invite a project viewer (timetracking checks that they manage the project)
VIEWER_INVITERS = (Role.OWNER, Role.ADMIN, Role.MANAGER)


@transaction.atomic
def viewer_invite(*, actor: Actor, email: str, base_url: str) -> tuple[Membership, MemberInvited | None]:
    """The ``viewer`` membership of ``email`` (issue 15 point 4): invited by link like a member
    (an invitation, a seat, the same email and acceptance page), by owners, admins and managers.
    An existing viewer is returned as it is (no second invitation); a member with another role
    is refused, since a viewer is a client contact who must not inherit anyone's rights."""
    if actor.kind not in _MANAGING_KINDS or actor.impersonated_producer_id:
        raise NotPermitted(_("Only owners, admins and managers can invite project viewers."))
    if actor.kind != "system" and actor.role not in VIEWER_INVITERS:
        raise NotPermitted(_("Only owners, admins and managers can invite project viewers."))
    email = User.objects.normalize_email((email or "").strip()).lower()
    if not email:
        raise ValidationError({"email": _("Enter an email address.")})
    organisation = actor.organisation
    _lock_organisation(organisation)
    user = User.objects.filter(email__iexact=email).first()
    existing = Membership.objects.for_organisation(organisation).filter(user=user).first() if user else None
    if existing is not None:
        if existing.role != Role.VIEWER:
            message = _("%(email)s is already a member of this organisation (%(role)s), not a project viewer.")
            raise ValidationError({"email": message % {"email": email, "role": existing.get_role_display()}})
        if existing.status == MembershipStatus.DEACTIVATED:
            message = _("%(email)s was deactivated. Re-activate them from the team page first.")
            raise ValidationError({"email": message % {"email": email}})
        return existing, None
    _take_seat(organisation)
    if user is None:
        user = _new_invited_user(email)
    membership = Membership(organisation=organisation, user=user, role=Role.VIEWER, status=MembershipStatus.INVITED)
    membership.full_clean()
    membership.save()
    invitation, raw = _issue_invitation(actor=actor, membership=membership, base_url=base_url)
    audit_change(actor=actor, action="membership.invite", obj=membership, after=_state(membership))
    record_event(organisation, events.MEMBER_INVITED, _invited_payload(membership, invitation), actor=actor)
    return membership, MemberInvited(membership=membership, invitation=invitation, token=raw)


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
