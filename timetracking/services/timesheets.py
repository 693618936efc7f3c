"""Timesheets (issue 15 point 1): lazy creation of a period's timesheet, the workflow
``open → submitted → approved | rejected``, unsubmit, reopen, bulk approval, and the
organisation's timesheet settings.

Who may do what:

- open (create lazily) and submit: the employee, or anyone who may record their time (a manager of
  their office, owners, admins, OAuth clients) or manages them (``Employee.manager``);
- unsubmit: the employee themself, while submitted;
- approve, reject (with a reason): the employee's manager (``Employee.manager``), a manager of
  their office, owners, admins and organisation-wide clients; never the employee themself;
- reopen an approved timesheet (with a reason, audited): owners and admins only; refused while
  the period's time is in a ready or paid payroll run (payroll registers that check with
  :func:`register_reopen_guard`).

Every transition locks the timesheet row first (two approvers racing: one wins, the other gets a
409), records its audit row and its outbox event in the same transaction. Submitting and
approving refuse a period with a running timer.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hr import selectors as hr_selectors
from hr import services as hr_services
from integrations.outbox import record_event, record_events
from organisations.actors import Actor
from organisations.audit import audit_change, audit_changes, audit_snapshot
from organisations.choices import Role
from trackyoursheets.exceptions import Conflict, NotPermitted

from .. import events, selectors, sheet_totals
from ..choices import TimesheetPeriod, TimesheetStatus
from ..models import REASON_MAX_LENGTH, TimeEntry, Timesheet, TimesheetSettings, employee_timezone
from ..periods import Period, is_period_start, period_containing

__all__ = [
    "MAX_BULK_APPROVE",
    "BulkApproveResult",
    "register_reopen_guard",
    "timesheet_open",
    "timesheet_submit",
    "timesheet_unsubmit",
    "timesheet_approve",
    "timesheet_reject",
    "timesheet_reopen",
    "timesheet_bulk_approve",
    "timesheet_settings_update",
    "can_approve",
    "can_reopen",
]

MAX_BULK_APPROVE = 500

#: checks run before an approved timesheet is reopened; each raises (a ``Conflict``) to refuse.
#: Payroll registers one from its AppConfig.ready(): "refused with a 409 while the period's time
#: sits in a ready or paid payroll run, and marks a draft run stale" (issue 15 point 1).
#: payroll.apps registers ``payroll.services.timesheet_reopen_guard`` (issue 18).
_REOPEN_GUARDS: list[Callable[..., None]] = []


def register_reopen_guard(guard: Callable[..., None]) -> None:
    """``guard(*, actor, timesheet)`` runs inside the reopen's transaction before the change."""
    if guard not in _REOPEN_GUARDS:
        _REOPEN_GUARDS.append(guard)


# =============================================================================
# Who may act
# =============================================================================


def _is_own(actor: Actor, employee) -> bool:
    return actor.membership is not None and employee.membership_id == actor.membership.pk


def _require_opens_for(actor: Actor, employee) -> None:
    if not selectors.timesheet_employee_list(actor=actor).filter(pk=employee.pk).exists():
        raise NotPermitted(_("You may only open your own timesheets or, as a manager, your people's."))


def can_approve(actor: Actor, employee) -> bool:
    """The employee's manager, a manager of their office, owners, admins and organisation-wide
    clients; never the employee themself."""
    if _is_own(actor, employee):
        return False
    if actor.sees_whole_organisation:
        return True
    if actor.membership is None or actor.role != Role.MANAGER:
        return employee.manager_id is not None and _manages(actor, employee)
    if actor.membership.office_id and employee.office_id == actor.membership.office_id:
        return True
    return _manages(actor, employee)


def can_reopen(actor: Actor) -> bool:
    """Who may lift a period lock: owners and admins (reopen a timesheet, approve a time request
    into a locked period)."""
    return actor.role in (Role.OWNER, Role.ADMIN)


def _manages(actor: Actor, employee) -> bool:
    """The actor is the employee's manager in the directory (``Employee.manager``)."""
    if employee.manager_id is None or actor.membership is None:
        return False
    own = selectors.actor_employee(actor=actor)
    return own is not None and own.pk == employee.manager_id


def _require_approver(actor: Actor, timesheet: Timesheet) -> None:
    if _is_own(actor, timesheet.employee):
        raise NotPermitted(_("You cannot approve or reject your own timesheet."))
    if not can_approve(actor, timesheet.employee):
        raise NotPermitted(
            _("Only the employee's manager, a manager of their office, owners and admins approve timesheets.")
        )


# =============================================================================
# Lazy creation
# =============================================================================


def period_for(*, organisation, employee, day: datetime.date | None = None, period_start=None) -> Period:
    """The period holding ``day`` (default: today in the employee's timezone), or the period that
    starts on ``period_start`` (a 422 when no period starts that day)."""
    settings = selectors.timesheet_settings_get(organisation=organisation)
    if period_start is not None:
        if not is_period_start(period_start, settings.period, settings.anchor):
            expected = period_containing(period_start, settings.period, settings.anchor).start
            raise ValidationError(
                {
                    "period_start": _(
                        "No timesheet period starts on %(day)s; the period holding it starts on %(start)s."
                    )
                    % {"day": period_start.isoformat(), "start": expected.isoformat()}
                }
            )
        day = period_start
    if day is None:
        day = timezone.now().astimezone(employee_timezone(employee, organisation)).date()
    return period_containing(day, settings.period, settings.anchor)


def timesheet_open(
    *, actor: Actor, employee, day: datetime.date | None = None, period_start: datetime.date | None = None
) -> tuple[Timesheet, bool]:
    """The employee's timesheet of a period, created when it does not exist yet (``created``).

    Idempotent and race-safe: ``get_or_create`` under the unique constraint (employee, period
    start), so two concurrent first reads create one row."""
    _require_opens_for(actor, employee)
    period = period_for(organisation=actor.organisation, employee=employee, day=day, period_start=period_start)
    return Timesheet.objects.get_or_create(
        organisation=actor.organisation,
        employee=employee,
        period_start=period.start,
        defaults={"period_end": period.end},
    )


# =============================================================================
# Transitions
# =============================================================================


def _locked(timesheet: Timesheet) -> Timesheet:
    """The timesheet re-read under a row lock (PostgreSQL), so concurrent transitions serialise and
    each sees the status the other left. The employee's row is locked first, as every write of their
    time does (timetracking.services.entries), so an entry written while the timesheet is approved
    either commits before the approval or sees it and is refused."""
    hr_selectors.employee_lock(employee=timesheet.employee)
    fresh = Timesheet.objects.select_for_update().get(pk=timesheet.pk)
    for name in ("status", "submitted_at", "decided_at", "rejection_reason", "reopened_at", "reopen_reason"):
        setattr(timesheet, name, getattr(fresh, name))
    return timesheet


def _snapshot(timesheet: Timesheet) -> dict:
    """The audited values (the entries snapshot of a rejection stays out of the audit rows)."""
    return audit_snapshot(timesheet, exclude=("rejected_entries", "reminder_sent_at"))


def _require_status(timesheet: Timesheet, *allowed: str, verb: str) -> None:
    if timesheet.status not in allowed:
        raise Conflict(
            _("A %(status)s timesheet cannot be %(verb)s.") % {"status": timesheet.status, "verb": verb},
            code="timesheet_status",
            timesheet_status=timesheet.status,
        )


def _refuse_running_timer(timesheet: Timesheet, organisation) -> None:
    tz = employee_timezone(timesheet.employee, organisation)
    _start, end = Period(timesheet.period_start, timesheet.period_end).bounds(tz)
    running = (
        TimeEntry.objects.filter(employee_id=timesheet.employee_id, end_time__isnull=True, start_time__lt=end)
        .values_list("pk", flat=True)
        .first()
    )
    if running is not None:
        raise Conflict(
            _("A timer is running in this period; stop it before the timesheet is submitted or approved."),
            code="timer_running",
            running_entry_id=running,
        )


def _reason(value: str, name: str = "reason") -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({name: _("Give a reason.")})
    if len(text) > REASON_MAX_LENGTH:
        raise ValidationError({name: _("At most %(max)s characters.") % {"max": REASON_MAX_LENGTH}})
    return text


def _save(actor: Actor, timesheet: Timesheet, before: dict, action: str, topic: str | None) -> Timesheet:
    timesheet.full_clean(exclude=("organisation", "employee", "submitted_by", "decided_by"), validate_constraints=False)
    timesheet.save()
    audit_change(actor=actor, action=action, obj=timesheet, before=before, after=_snapshot(timesheet))
    if topic is not None:
        record_event(actor.organisation, topic, events.timesheet_payload(timesheet), actor=actor)
    return timesheet


@transaction.atomic
def timesheet_submit(*, actor: Actor, timesheet: Timesheet) -> Timesheet:
    """``open`` or ``rejected`` → ``submitted`` (``time.timesheet.submitted``); refused while a
    timer runs in the period."""
    _require_opens_for(actor, timesheet.employee)
    _locked(timesheet)
    before = _snapshot(timesheet)
    _require_status(timesheet, TimesheetStatus.OPEN, TimesheetStatus.REJECTED, verb=_("submitted"))
    _refuse_running_timer(timesheet, actor.organisation)
    timesheet.status = TimesheetStatus.SUBMITTED
    timesheet.submitted_at = timezone.now()
    timesheet.submitted_by = actor.membership
    return _save(actor, timesheet, before, "timesheet.submit", events.TIMESHEET_SUBMITTED)


@transaction.atomic
def timesheet_unsubmit(*, actor: Actor, timesheet: Timesheet) -> Timesheet:
    """``submitted`` → ``open``, by the employee themself (to correct it before a decision)."""
    if not _is_own(actor, timesheet.employee):
        raise NotPermitted(_("Only the employee may take back their submitted timesheet."))
    _locked(timesheet)
    before = _snapshot(timesheet)
    _require_status(timesheet, TimesheetStatus.SUBMITTED, verb=_("unsubmitted"))
    timesheet.status = TimesheetStatus.OPEN
    timesheet.submitted_at = None
    timesheet.submitted_by = None
    return _save(actor, timesheet, before, "timesheet.unsubmit", None)


def _decide(actor: Actor, timesheet: Timesheet, status: str, reason: str = "") -> None:
    timesheet.status = status
    timesheet.decided_at = timezone.now()
    timesheet.decided_by = actor.membership
    timesheet.decided_by_label = actor.label[:300]
    timesheet.rejection_reason = reason


@transaction.atomic
def timesheet_approve(*, actor: Actor, timesheet: Timesheet) -> Timesheet:
    """``submitted`` → ``approved`` (``time.timesheet.approved``): the period's time is locked."""
    _require_approver(actor, timesheet)
    _locked(timesheet)
    before = _snapshot(timesheet)
    _require_status(timesheet, TimesheetStatus.SUBMITTED, verb=_("approved"))
    _refuse_running_timer(timesheet, actor.organisation)
    _decide(actor, timesheet, TimesheetStatus.APPROVED)
    _accrue_leave(actor.organisation, [timesheet])
    return _save(actor, timesheet, before, "timesheet.approve", events.TIMESHEET_APPROVED)


def _accrue_leave(organisation, timesheets: list[Timesheet]) -> None:
    """Leave earned per approved period or per hour worked (issue 16): hr posts it (once per
    period, whatever the number of approvals). The hours worked are read in one query."""
    if not timesheets:
        return
    bounds = {
        t.pk: Period(t.period_start, t.period_end).bounds(employee_timezone(t.employee, organisation))
        for t in timesheets
    }
    seconds = dict.fromkeys(bounds, 0)
    rows = TimeEntry.objects.filter(
        employee_id__in={t.employee_id for t in timesheets},
        start_time__gte=min(start for start, _end in bounds.values()),
        start_time__lt=max(end for _start, end in bounds.values()),
        end_time__isnull=False,
    ).values_list("employee_id", "start_time", "duration_seconds")
    for employee_id, start, duration in rows:
        for t in timesheets:
            if t.employee_id == employee_id and bounds[t.pk][0] <= start < bounds[t.pk][1]:
                seconds[t.pk] += duration or 0
    items = [(t.employee, t.period_start, t.period_end, Decimal(seconds[t.pk]) / 3600) for t in timesheets]
    hr_services.accrue_for_timesheets(organisation=organisation, items=items)


@transaction.atomic
def timesheet_reject(*, actor: Actor, timesheet: Timesheet, reason: str) -> Timesheet:
    """``submitted`` → ``rejected`` with a reason (``time.timesheet.rejected``); the employee
    corrects their time and submits again."""
    _require_approver(actor, timesheet)
    text = _reason(reason)
    _locked(timesheet)
    before = _snapshot(timesheet)
    _require_status(timesheet, TimesheetStatus.SUBMITTED, verb=_("rejected"))
    _decide(actor, timesheet, TimesheetStatus.REJECTED, text)
    # what the approver saw, so the next approver sees what changed (sheet_totals.changes_since_rejection)
    timesheet.rejected_entries = sheet_totals.rejection_snapshot(timesheet=timesheet)
    return _save(actor, timesheet, before, "timesheet.reject", events.TIMESHEET_REJECTED)


@transaction.atomic
def timesheet_reopen(*, actor: Actor, timesheet: Timesheet, reason: str) -> Timesheet:
    """``approved`` → ``open`` by an owner or admin, with a reason (audited,
    ``time.timesheet.reopened``): the period's time is editable again (also when the organisation
    locks periods automatically) until the timesheet is approved again."""
    if not can_reopen(actor):
        raise NotPermitted(_("Only owners and admins may reopen an approved timesheet."))
    text = _reason(reason)
    _locked(timesheet)
    before = _snapshot(timesheet)
    _require_status(timesheet, TimesheetStatus.APPROVED, verb=_("reopened"))
    for guard in _REOPEN_GUARDS:
        guard(actor=actor, timesheet=timesheet)
    timesheet.status = TimesheetStatus.OPEN
    timesheet.reopened_at = timezone.now()
    timesheet.reopen_reason = text
    timesheet.submitted_at = None
    timesheet.submitted_by = None
    return _save(actor, timesheet, before, "timesheet.reopen", events.TIMESHEET_REOPENED)


@dataclass
class BulkApproveResult:
    approved: list[int] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


@transaction.atomic
def timesheet_bulk_approve(*, actor: Actor, timesheet_ids: list[int]) -> BulkApproveResult:
    """Approve many submitted timesheets at once. Ids the actor cannot see are skipped as
    ``not_found``; their own or others they may not approve as ``not_permitted``; those not
    submitted as ``not_submitted``; periods with a running timer as ``timer_running``. Each
    approval has its audit row and event, as one at a time, written together: a fixed number of
    statements whatever the number of timesheets (the locks, the timesheets, the running timers,
    one UPDATE, one INSERT of audit rows and one of events)."""
    if len(timesheet_ids) > MAX_BULK_APPROVE:
        raise ValidationError({"ids": _("At most %(max)s ids at once.") % {"max": MAX_BULK_APPROVE}})
    wanted = list(dict.fromkeys(timesheet_ids))
    visible = selectors.timesheet_list(actor=actor).filter(pk__in=wanted)
    employee_ids = sorted(set(visible.order_by().values_list("employee_id", flat=True)))
    list(  # the employees' locks first, in one order (see _locked)
        hr_selectors.employee_queryset(organisation=actor.organisation)
        .select_for_update()
        .filter(pk__in=employee_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    found = {
        t.pk: t
        for t in selectors.timesheet_list(actor=actor)
        .select_related(None)
        .select_related("employee__office", "employee__membership")
        .select_for_update(of=("self",))
        .filter(pk__in=wanted)
    }
    running = _running_starts({t.employee_id for t in found.values()})
    own = selectors.actor_employee(actor=actor) if not actor.sees_whole_organisation else None
    now = timezone.now()
    result = BulkApproveResult()
    audited: list[tuple[Timesheet, dict, dict]] = []
    payloads: list[tuple[str, dict]] = []
    for pk in wanted:
        timesheet = found.get(pk)
        if timesheet is None:
            result.skipped.append({"id": pk, "reason": "not_found"})
            continue
        if not _may_approve_in_bulk(actor, own, timesheet.employee):
            result.skipped.append({"id": pk, "reason": "not_permitted"})
            continue
        if timesheet.status != TimesheetStatus.SUBMITTED:
            result.skipped.append({"id": pk, "reason": "not_submitted"})
            continue
        tz = employee_timezone(timesheet.employee, actor.organisation)
        _start, end = Period(timesheet.period_start, timesheet.period_end).bounds(tz)
        if any(start < end for start in running.get(timesheet.employee_id, ())):
            result.skipped.append({"id": pk, "reason": "timer_running"})
            continue
        before = _snapshot(timesheet)
        _decide(actor, timesheet, TimesheetStatus.APPROVED)
        timesheet.decided_at = timesheet.updated_at = now
        audited.append((timesheet, before, _snapshot(timesheet)))
        payloads.append((events.TIMESHEET_APPROVED, events.timesheet_payload(timesheet)))
        result.approved.append(pk)
    if result.approved:  # one statement for the lot (the rows are locked above)
        Timesheet.objects.filter(pk__in=result.approved).update(
            status=TimesheetStatus.APPROVED,
            decided_at=now,
            decided_by=actor.membership,
            decided_by_label=actor.label[:300],
            rejection_reason="",
            updated_at=now,
        )
        # the same rows and events as one approval at a time, written together: one INSERT each,
        # and one webhook fan-out for the batch after commit (integrations.outbox.record_events)
        audit_changes(actor=actor, action="timesheet.approve", changes=audited)
        _accrue_leave(actor.organisation, [found[pk] for pk in result.approved])
        record_events(actor.organisation, payloads, actor=actor)
    return result


def _running_starts(employee_ids: set[int]) -> dict[int, list[datetime.datetime]]:
    starts: dict[int, list[datetime.datetime]] = {}
    for employee_id, start in TimeEntry.objects.filter(employee_id__in=employee_ids, end_time__isnull=True).values_list(
        "employee_id", "start_time"
    ):
        starts.setdefault(employee_id, []).append(start)
    return starts


def _may_approve_in_bulk(actor: Actor, own, employee) -> bool:
    """:func:`can_approve` without a query per timesheet (the actor's employee is read once)."""
    if _is_own(actor, employee):
        return False
    if actor.sees_whole_organisation:
        return True
    membership = actor.membership
    office_id = membership.office_id if membership is not None and actor.role == Role.MANAGER else None
    if office_id and employee.office_id == office_id:
        return True
    return own is not None and employee.manager_id == own.pk


# =============================================================================
# Settings
# =============================================================================

SETTINGS_FIELDS = ("period", "anchor", "auto_lock_days", "over_limit")


@transaction.atomic
def timesheet_settings_update(*, actor: Actor, data: dict) -> TimesheetSettings:
    """Owners and admins set the period type (and a bi-weekly anchor) and the automatic lock.
    The period type and anchor cannot change once timesheets exist (their periods would no longer
    match the setting; payroll pays by them): a 409."""
    if actor.role not in (Role.OWNER, Role.ADMIN) and not actor.sees_whole_organisation:
        raise NotPermitted(_("Only owners and admins may change the timesheet settings."))
    settings, _created = TimesheetSettings.objects.select_for_update().get_or_create(organisation=actor.organisation)
    before = audit_snapshot(settings)
    unknown = set(data) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in sorted(unknown)})
    period = data.get("period", settings.period)
    anchor = data.get("anchor", settings.anchor)
    if period != TimesheetPeriod.BIWEEKLY and "anchor" not in data:
        anchor = None if period != settings.period else anchor
    if (period, anchor) != (settings.period, settings.anchor) and (
        Timesheet.objects.for_organisation(actor.organisation).exists()
    ):
        raise Conflict(_("Timesheets exist: the period type and anchor can no longer change."), code="timesheets_exist")
    settings.period = period
    settings.anchor = anchor
    if "auto_lock_days" in data:
        settings.auto_lock_days = data["auto_lock_days"]
    if "over_limit" in data:
        settings.over_limit = data["over_limit"]
    settings.full_clean(exclude=("organisation",), validate_constraints=False)
    settings.save()
    audit_change(
        actor=actor, action="timesheetsettings.update", obj=settings, before=before, after=audit_snapshot(settings)
    )
    return settings
