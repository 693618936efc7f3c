"""Writes of HR tickets (complaints): filing, assignment, workflow, notes; anonymity kept."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from organisations.choices import MembershipStatus, Role
from organisations.models import Membership
from trackyoursheets.db import model_update
from trackyoursheets.exceptions import Conflict, NotPermitted

from .. import events
from ..choices import COMPLAINT_TRANSITIONS, ComplaintStatus
from ..models import (
    Complaint,
    ComplaintNote,
    ComplaintReply,
    Employee,
)
from ..selectors import complaint_can_handle, complaint_for_token, follow_token_hash
from ._common import _save

#: bytes of randomness in an anonymous ticket's follow token
FOLLOW_TOKEN_BYTES = 24


#: what the audit trail keeps of a ticket: never its text (subject, description, resolution)
COMPLAINT_AUDITED = ("category", "priority", "status", "about_employee", "assignee", "is_anonymous")


@dataclass(frozen=True)
class ComplaintCreated:
    complaint: Complaint
    #: the private follow token of an anonymous ticket: shown once, only its hash is stored
    follow_token: str | None


def complaint_require_handler(*, actor: Actor, complaint: Complaint) -> None:
    """403 unless the actor may act on the ticket (HR who is not its subject, the assignee, integrations)."""
    _require_handler(actor, complaint)


def _require_handler(actor: Actor, complaint: Complaint) -> None:
    if not complaint_can_handle(actor=actor, complaint=complaint):
        raise NotPermitted(_("Only HR and the assignee can act on a ticket."))


@transaction.atomic
def complaint_create(
    *,
    actor: Actor,
    subject: str,
    description: str,
    category: str = "other",
    priority: str = "normal",
    anonymous: bool = False,
    about_employee: Employee | None = None,
) -> ComplaintCreated:
    """Any member files a ticket. Anonymous: the reporter is not stored anywhere (not on the
    ticket, the event or its actor) and gets a private follow token instead."""
    if actor.membership is None or actor.impersonated_producer_id:
        raise NotPermitted(_("HR tickets are filed by people, with their own login."))
    token = secrets.token_urlsafe(FOLLOW_TOKEN_BYTES) if anonymous else None
    complaint = Complaint(
        organisation=actor.organisation,
        reporter=None if anonymous else actor.membership,
        is_anonymous=anonymous,
        follow_token_hash=follow_token_hash(token) if token else "",
        subject=subject.strip(),
        description=description.strip(),
        category=category,
        priority=priority,
        about_employee=about_employee,
    )
    _save(complaint)
    # an anonymous ticket's audit row names nobody (the entry point's context is kept): one row
    audit_change(
        actor=Actor(organisation=actor.organisation, kind="system", audit=actor.audit) if anonymous else actor,
        action="complaint.create",
        obj=complaint,
        after=audit_snapshot(complaint, only=COMPLAINT_AUDITED),
    )
    # actor=None: the outbox row must not name the reporter either
    record_event(actor.organisation, events.COMPLAINT_CREATED, events.complaint_payload(complaint), actor=None)
    return ComplaintCreated(complaint=complaint, follow_token=token)


#: what HR may re-triage on a ticket
COMPLAINT_UPDATE_FIELDS = ["category", "priority", "about_employee"]


@transaction.atomic
def complaint_update(*, actor: Actor, complaint: Complaint, data: dict) -> Complaint:
    """HR re-triages a ticket: category, priority, who it is about."""
    _require_handler(actor, complaint)
    for key in data:
        if key not in COMPLAINT_UPDATE_FIELDS:
            raise ValidationError({key: [_("Cannot be changed here.")]})
    complaint, changes = model_update(instance=complaint, fields=COMPLAINT_UPDATE_FIELDS, data=data)
    audit_change(actor=actor, action="complaint.update", obj=complaint, changes=changes)
    return complaint


@transaction.atomic
def complaint_assign(*, actor: Actor, complaint: Complaint, assignee: Membership) -> Complaint:
    """Give the ticket to an active HR member, never to the person it is about."""
    _require_handler(actor, complaint)
    if complaint.status == ComplaintStatus.CLOSED:
        raise Conflict(_("A closed ticket cannot be reassigned."))
    if assignee.organisation_id != actor.organisation.pk:
        raise ValidationError({"assignee_id": [_("Not found in this organisation.")]})
    if assignee.role != Role.HR or assignee.status != MembershipStatus.ACTIVE:
        raise ValidationError({"assignee_id": [_("Tickets are assigned to active HR members only.")]})
    if complaint.about_employee is not None and complaint.about_employee.membership_id == assignee.pk:
        raise ValidationError({"assignee_id": [_("A ticket is never assigned to the person it is about.")]})
    previous = complaint.assignee_id
    complaint.assignee = assignee
    _save(complaint)
    audit_change(
        actor=actor, action="complaint.assign", obj=complaint, changes={"assignee_id": [previous, assignee.pk]}
    )
    record_event(actor.organisation, events.COMPLAINT_ASSIGNED, events.complaint_payload(complaint), actor=actor)
    return complaint


@transaction.atomic
def complaint_transition(
    *, actor: Actor, complaint: Complaint, status: str, resolution: str | None = None
) -> Complaint:
    """Move along open -> in_progress -> waiting -> resolved -> closed (409 otherwise);
    resolving needs a resolution, which the reporter reads."""
    _require_handler(actor, complaint)
    if status not in COMPLAINT_TRANSITIONS:
        raise ValidationError({"status": [_("Unknown status.")]})
    if status not in COMPLAINT_TRANSITIONS[complaint.status]:
        raise Conflict(
            # labels, never codes (issue 14 point 9): "In progress", not "in_progress"
            _("A ticket cannot go from %(old)s to %(new)s.")
            % {"old": ComplaintStatus(complaint.status).label, "new": ComplaintStatus(status).label},
            allowed=sorted(COMPLAINT_TRANSITIONS[complaint.status]),
        )
    if resolution is not None:
        complaint.resolution = resolution.strip()
    now = timezone.now()
    if status == ComplaintStatus.RESOLVED:
        if not complaint.resolution:
            raise ValidationError({"resolution": [_("Say how the ticket was resolved.")]})
        complaint.resolved_at = now
    elif status == ComplaintStatus.CLOSED:
        complaint.closed_at = now
    elif complaint.status == ComplaintStatus.RESOLVED:
        complaint.resolved_at = None  # reopened
    previous = complaint.status
    complaint.status = status
    _save(complaint)
    # the resolution is text the reporter reads: never in the audit trail
    audit_change(actor=actor, action="complaint.transition", obj=complaint, changes={"status": [previous, status]})
    record_event(actor.organisation, events.COMPLAINT_STATUS_CHANGED, events.complaint_payload(complaint), actor=actor)
    return complaint


@transaction.atomic
def complaint_note_add(*, actor: Actor, complaint: Complaint, body: str) -> ComplaintNote:
    """An internal note (HR and the assignee read it; the reporter never does)."""
    _require_handler(actor, complaint)
    note = ComplaintNote(
        organisation=actor.organisation,
        complaint=complaint,
        author=actor.membership,
        author_label=actor.label[:255],
        body=body.strip(),
    )
    _save(note)
    Complaint.objects.filter(pk=complaint.pk).update(updated_at=timezone.now())
    audit_change(actor=actor, action="complaint.note", obj=complaint, changes={"note_id": [None, note.pk]})
    return note


# =============================================================================
# The reply thread between HR and the reporter (issue 14 point 9)
# =============================================================================


def _reply_save(actor: Actor, complaint: Complaint, *, from_hr: bool, author, body: str) -> ComplaintReply:
    if complaint.status == ComplaintStatus.CLOSED:
        raise Conflict(_("This ticket is closed; it takes no more replies."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write a reply.")]})
    reply = ComplaintReply(
        organisation=complaint.organisation, complaint=complaint, from_hr=from_hr, author=author, body=body
    )
    _save(reply)
    Complaint.objects.filter(pk=complaint.pk).update(updated_at=timezone.now())
    # the reply's text is for the two sides only: the audit row keeps its id, never its body
    audit_change(actor=actor, action="complaint.reply", obj=complaint, changes={"reply_id": [None, reply.pk]})
    return reply


@transaction.atomic
def complaint_reply_add(*, actor: Actor, complaint: Complaint, body: str) -> ComplaintReply:
    """A reply both sides read: HR (or the assignee) answers, or the named reporter writes back.
    Anonymous reporters reply through :func:`complaint_reply_add_by_token`; a closed ticket is a 409."""
    if complaint_can_handle(actor=actor, complaint=complaint):
        return _reply_save(actor, complaint, from_hr=True, author=actor.membership, body=body)
    if actor.membership is not None and complaint.reporter_id == actor.membership.pk and not complaint.is_anonymous:
        return _reply_save(actor, complaint, from_hr=False, author=actor.membership, body=body)
    raise NotPermitted(_("Only HR, the assignee and the reporter can reply on a ticket."))


@transaction.atomic
def complaint_reply_add_by_token(*, actor: Actor, token: str, body: str) -> ComplaintReply:
    """The anonymous reporter replies through their private follow link: the reply, its audit row
    and everything else about it name nobody (a wrong or foreign token is ``DoesNotExist``)."""
    complaint = complaint_for_token(actor=actor, token=token)
    nobody = Actor(organisation=actor.organisation, kind="system", audit=actor.audit)
    return _reply_save(nobody, complaint, from_hr=False, author=None, body=body)
