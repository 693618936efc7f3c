"""Manual time requests (issue 15 point 3).

- create: an employee (or whoever may record their time) asks to add a finished span in the past,
  with a reason. It is validated as the time entry it would become, by the same function
  (:func:`timetracking.services.entries.validate_entry`: project and task rules, bounds, leavers,
  overlap, contract hours limits); a request may name a locked period (that is what it is for);
- approve: the approvers of timesheets (:func:`timetracking.services.timesheets.can_approve`:
  the employee's manager, a manager of their office, owners, admins; never the employee). The
  time entry (``source=request``) is created by :func:`time_entry_create` in the same transaction,
  validated again. Inside a locked period only someone who may reopen it (owners and admins,
  :func:`can_reopen`) approves, and the entry is then created despite the lock;
- reject (with a reason): the same approvers; cancel: the requester (or the employee) while pending.

Each transition locks the request row (two approvers racing: one wins, the other gets a 409),
writes its audit row and its outbox event (``time.request.created|approved|rejected``).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hr import selectors as hr_selectors
from integrations.outbox import record_event
from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from trackyoursheets.exceptions import Conflict, NotPermitted

from .. import events, selectors
from ..choices import EntrySource, TimeRequestStatus
from ..models import Project, Task, TimeEntry, TimeRequest, normalise_tags
from .common import _require_tracks_for
from .entries import time_entry_create, validate_entry
from .locks import PeriodLocks
from .timesheets import _is_own, _reason, can_approve, can_reopen

__all__ = ["time_request_create", "time_request_approve", "time_request_reject", "time_request_cancel"]


def _save(actor: Actor, request: TimeRequest, before: dict | None, action: str, topic: str | None) -> TimeRequest:
    request.full_clean(
        exclude=("organisation", "employee", "project", "task", "requested_by", "decided_by", "time_entry"),
        validate_constraints=False,
    )
    request.save()
    audit_change(actor=actor, action=action, obj=request, before=before, after=audit_snapshot(request))
    if topic is not None:
        record_event(actor.organisation, topic, events.time_request_payload(request), actor=actor)
    return request


@transaction.atomic
def time_request_create(
    *,
    actor: Actor,
    employee,
    project: Project,
    start_time: datetime.datetime,
    end_time: datetime.datetime,
    reason: str,
    task: Task | None = None,
    notes: str = "",
    tags=None,
    billable: bool | None = None,
) -> TimeRequest:
    """A pending request for time the employee did not record (``time.request.created``)."""
    _require_tracks_for(actor, employee)
    text = _reason(reason)
    if end_time > timezone.now():
        raise ValidationError({"end_time": _("A time request is for past time: the end time is in the future.")})
    draft = TimeEntry(
        organisation=actor.organisation,
        employee=employee,
        project=project,
        task=task,
        start_time=start_time,
        end_time=end_time,
        notes=notes or "",
        tags=normalise_tags(tags),
        billable=project.billable if billable is None else billable,
        source=EntrySource.REQUEST,
    )
    validate_entry(
        organisation=actor.organisation,
        entry=draft,
        settings=selectors.time_settings_get(organisation=actor.organisation),
        sheet_settings=selectors.timesheet_settings_get(organisation=actor.organisation),
    )
    request = TimeRequest(
        organisation=actor.organisation,
        employee=employee,
        project=project,
        task=task,
        start_time=start_time,
        end_time=end_time,
        notes=draft.notes,
        tags=draft.tags,
        billable=draft.billable,
        reason=text,
        requested_by=actor.membership,
    )
    return _save(actor, request, None, "timerequest.create", events.TIME_REQUEST_CREATED)


def _locked(request: TimeRequest) -> TimeRequest:
    fresh = TimeRequest.objects.select_for_update().get(pk=request.pk)
    for name in ("status", "decided_at", "rejection_reason", "time_entry_id"):
        setattr(request, name, getattr(fresh, name))
    return request


def _require_pending(request: TimeRequest, verb: str) -> None:
    if request.status != TimeRequestStatus.PENDING:
        raise Conflict(
            _("A %(status)s time request cannot be %(verb)s.") % {"status": request.status, "verb": verb},
            code="time_request_status",
            time_request_status=request.status,
        )


def _require_approver(actor: Actor, request: TimeRequest) -> None:
    if _is_own(actor, request.employee):
        raise NotPermitted(_("You cannot approve or reject your own time request."))
    if not can_approve(actor, request.employee):
        raise NotPermitted(
            _("Only the employee's manager, a manager of their office, owners and admins decide time requests.")
        )


def _decide(actor: Actor, request: TimeRequest, status: str, reason: str = "") -> None:
    request.status = status
    request.decided_at = timezone.now()
    request.decided_by = actor.membership
    request.decided_by_label = actor.label[:300]
    request.rejection_reason = reason


@transaction.atomic
def time_request_approve(*, actor: Actor, request: TimeRequest) -> TimeRequest:
    """``pending → approved``: the time entry is created now (``source=request``), validated again
    (another entry may overlap since). Into a locked period: owners and admins only (a 409 naming
    the period for everyone else), and the entry is created despite the lock."""
    _require_approver(actor, request)
    _locked(request)
    before = audit_snapshot(request)
    _require_pending(request, _("approved"))
    # under the employee's row lock, as every write of their time: a timesheet approval racing this
    # one either committed first (and is seen here) or waits
    hr_selectors.employee_lock(employee=request.employee)
    locks = PeriodLocks(actor.organisation)
    locked: dict | None = None
    try:
        locks.check(request.employee, [request.start_time])
    except Conflict as refusal:
        if not can_reopen(actor):
            refusal.detail = f"{refusal.detail} {_('Only owners and admins may approve a time request into it.')}"
            raise
        locked = refusal.extra["locked_period"]
    entry = time_entry_create(
        actor=actor,
        employee=request.employee,
        project=request.project,
        task=request.task,
        start_time=request.start_time,
        end_time=request.end_time,
        notes=request.notes,
        tags=request.tags,
        billable=request.billable,
        source=EntrySource.REQUEST,
        allow_locked=locked is not None,
        approver_checked=True,
    )
    request.time_entry = entry
    _decide(actor, request, TimeRequestStatus.APPROVED)
    if locked is not None:  # the lock was overridden: said in its own audit row
        period = f"{locked['period_start']} to {locked['period_end']}"
        audit_change(
            actor=actor,
            action="timerequest.approve_into_locked_period",
            obj=request,
            changes={"locked_period_overridden": [None, period], "time_entry_id": [None, entry.pk]},
        )
    return _save(actor, request, before, "timerequest.approve", events.TIME_REQUEST_APPROVED)


@transaction.atomic
def time_request_reject(*, actor: Actor, request: TimeRequest, reason: str) -> TimeRequest:
    """``pending → rejected`` with a reason shown to the employee (``time.request.rejected``)."""
    _require_approver(actor, request)
    text = _reason(reason)
    _locked(request)
    before = audit_snapshot(request)
    _require_pending(request, _("rejected"))
    _decide(actor, request, TimeRequestStatus.REJECTED, text)
    return _save(actor, request, before, "timerequest.reject", events.TIME_REQUEST_REJECTED)


@transaction.atomic
def time_request_cancel(*, actor: Actor, request: TimeRequest) -> TimeRequest:
    """``pending → cancelled`` by the requester (or the employee the request is for)."""
    mine = actor.membership is not None and (
        request.requested_by_id == actor.membership.pk or _is_own(actor, request.employee)
    )
    if not mine:
        raise NotPermitted(_("Only the person who asked may cancel a time request."))
    _locked(request)
    before = audit_snapshot(request)
    _require_pending(request, _("cancelled"))
    _decide(actor, request, TimeRequestStatus.CANCELLED)
    return _save(actor, request, before, "timerequest.cancel", None)
