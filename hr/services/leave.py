"""Leave requests, adjustments and the leave set-up (issue 16 points 1, 2 and 4).

- request: the employee (or HR, owners and admins for them); the working days and hours come
  from the schedule and holidays (:mod:`hr.leave_days`) and are frozen on the request; an
  overlapping request is refused; so is one the balance cannot cover, unless the policy lets the
  balance go negative (and then only as far as it says). The check runs under the employee's row
  lock, so two concurrent requests that together exceed the balance cannot both pass;
- approve / reject (with a reason): the employee's manager, a manager of their office, HR,
  owners, admins; never the employee. Approval writes the usage rows of the ledger, dated on the
  leave's own days (one row per calendar month it touches), not on the day of the decision;
- cancel: the employee before the leave starts, HR, owners and admins at any time; cancelling an
  approved request gives the hours back through cancellation rows on the same dates as its usage
  rows (never by editing a row);
- adjustments: HR, owners and admins, with a reason, audited.

Every transition locks the request row, writes its audit row and its event
(``hr.leave.requested|approved|rejected|cancelled``) in the same transaction.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from organisations.choices import Role
from trackyoursheets.exceptions import Conflict, NotPermitted

from .. import events
from ..choices import LeaveKind, LeaveRequestStatus, LeaveUnit, LedgerKind
from ..leave_days import MAX_REQUEST_DAYS, LeaveCount, hours_round
from ..leave_selectors import leave_count_for
from ..models import (
    LEAVE_REASON_MAX_LENGTH,
    Employee,
    LeaveAccount,
    LeaveLedgerEntry,
    LeavePolicy,
    LeaveRequest,
    LeaveType,
    sees_hr_portal,
)
from ..selectors import employee_lock
from .accruals import policy_for

__all__ = [
    "LeavePreview",
    "register_leave_cancel_guard",
    "can_decide_leave",
    "employee_today",
    "leave_account_for",
    "leave_adjust",
    "leave_preview",
    "leave_request_approve",
    "leave_request_cancel",
    "leave_request_create",
    "leave_request_reject",
]

ZERO = Decimal("0")
OPEN_STATUSES = (LeaveRequestStatus.REQUESTED, LeaveRequestStatus.APPROVED)

#: called before an approved request is cancelled: payroll.apps registers
#: ``payroll.services.leave_cancel_guard`` (leave in a ready or paid run is not cancelled)
_CANCEL_GUARDS: list = []


def register_leave_cancel_guard(guard) -> None:
    """Another app vetoes (raises) or notes the cancelling of an approved request (hr never imports payroll)."""
    if guard not in _CANCEL_GUARDS:
        _CANCEL_GUARDS.append(guard)


def employee_today(employee: Employee) -> datetime.date:
    """Today in the employee's office timezone (the organisation's when they have none)."""
    office = employee.office
    name = office.timezone if office is not None else employee.organisation.timezone
    return timezone.now().astimezone(zoneinfo.ZoneInfo(name or "UTC")).date()


def _is_own(actor: Actor, employee: Employee) -> bool:
    return actor.membership is not None and employee.membership_id == actor.membership.pk


def _hr(actor: Actor) -> bool:
    return not actor.impersonated_producer_id and sees_hr_portal(actor)


def can_decide_leave(actor: Actor, employee: Employee) -> bool:
    """The employee's manager, a manager of their office, HR, owners, admins and organisation-wide
    credentials; never the employee themself."""
    if _is_own(actor, employee):
        return False
    if _hr(actor):
        return True
    if actor.membership is None:
        return False
    if actor.role == Role.MANAGER and actor.membership.office_id and employee.office_id == actor.membership.office_id:
        return True
    manager = employee.manager
    return manager is not None and manager.membership_id == actor.membership.pk


def _require_may_request_for(actor: Actor, employee: Employee) -> None:
    if not (_is_own(actor, employee) or _hr(actor)):
        raise NotPermitted(_("You may request leave for yourself; HR, owners and admins for anyone."))


def leave_account_for(*, employee: Employee, leave_type: LeaveType) -> LeaveAccount:
    account, _created = LeaveAccount.objects.get_or_create(
        organisation_id=employee.organisation_id, employee=employee, leave_type=leave_type
    )
    return account


def _balance(employee: Employee, leave_type: LeaveType) -> tuple[Decimal, Decimal]:
    """(the ledger's sum, the hours of requests awaiting a decision)."""
    balance = LeaveLedgerEntry.objects.filter(account__employee=employee, account__leave_type=leave_type).aggregate(
        total=Sum("hours")
    )["total"]
    pending = LeaveRequest.objects.filter(
        employee=employee, leave_type=leave_type, status=LeaveRequestStatus.REQUESTED
    ).aggregate(total=Sum("hours"))["total"]
    return balance or ZERO, pending or ZERO


def _floor(policy: LeavePolicy | None, leave_type: LeaveType) -> Decimal | None:
    """How low the available balance may go (None: no limit, unpaid leave without a policy)."""
    if policy is None:
        return None if leave_type.kind == LeaveKind.UNPAID else ZERO
    return -policy.negative_limit_hours if policy.allow_negative else ZERO


@dataclass
class LeavePreview:
    count: LeaveCount
    balance: Decimal
    pending: Decimal
    floor: Decimal | None

    @property
    def available(self) -> Decimal:
        return self.balance - self.pending

    @property
    def after(self) -> Decimal:
        return self.available - self.count.hours

    @property
    def allowed(self) -> bool:
        return self.floor is None or self.after >= self.floor


def _check_dates(start: datetime.date, end: datetime.date, unit: str, hours_per_day) -> None:
    if end < start:
        raise ValidationError({"end_date": _("Cannot be before the first day.")})
    if (end - start).days >= MAX_REQUEST_DAYS:
        raise ValidationError({"end_date": _("At most %(n)s days per request.") % {"n": MAX_REQUEST_DAYS}})
    if unit == LeaveUnit.HOURS:
        if start != end:
            raise ValidationError({"end_date": _("A request in hours is for one day.")})
        if not hours_per_day or hours_per_day <= 0:
            raise ValidationError({"hours_per_day": _("Say how many hours.")})
    elif hours_per_day is not None:
        raise ValidationError({"hours_per_day": _("Only for a request in hours.")})


def leave_preview(
    *,
    actor: Actor,
    employee: Employee,
    leave_type: LeaveType,
    start_date: datetime.date,
    end_date: datetime.date,
    unit: str = LeaveUnit.FULL_DAYS,
    hours_per_day: Decimal | None = None,
) -> LeavePreview:
    """What a request would take (working days, hours) and the balance it would leave."""
    _require_may_request_for(actor, employee)
    _check_dates(start_date, end_date, unit, hours_per_day)
    count = leave_count_for(employee=employee, start=start_date, end=end_date, unit=unit, hours_per_day=hours_per_day)
    balance, pending = _balance(employee, leave_type)
    return LeavePreview(
        count=count, balance=balance, pending=pending, floor=_floor(policy_for(employee, leave_type), leave_type)
    )


def _save(actor: Actor, request: LeaveRequest, before: dict | None, action: str, topic: str) -> LeaveRequest:
    request.full_clean(exclude=("organisation", "employee", "leave_type", "requested_by", "decided_by"))
    request.save()
    audit_change(
        actor=actor, action=action, obj=request, before=before, after=audit_snapshot(request, exclude=("days",))
    )
    record_event(actor.organisation, topic, events.leave_request_payload(request), actor=actor)
    return request


@transaction.atomic
def leave_request_create(
    *,
    actor: Actor,
    employee: Employee,
    leave_type: LeaveType,
    start_date: datetime.date,
    end_date: datetime.date,
    unit: str = LeaveUnit.FULL_DAYS,
    hours_per_day: Decimal | None = None,
    notes: str = "",
) -> LeaveRequest:
    """A request awaiting a decision (``hr.leave.requested``)."""
    _require_may_request_for(actor, employee)
    if not leave_type.active:
        raise ValidationError({"leave_type_id": _("This leave type is no longer offered.")})
    # every balance check of this employee waits here: concurrent requests see each other
    employee_lock(employee=employee)
    preview = leave_preview(
        actor=actor,
        employee=employee,
        leave_type=leave_type,
        start_date=start_date,
        end_date=end_date,
        unit=unit,
        hours_per_day=hours_per_day,
    )
    if not preview.count.days:
        raise ValidationError({"end_date": _("There are no working days in this range (weekends and holidays).")})
    overlapping = LeaveRequest.objects.filter(
        employee=employee, status__in=OPEN_STATUSES, start_date__lte=end_date, end_date__gte=start_date
    ).first()
    if overlapping is not None:
        raise Conflict(
            _("This overlaps your leave from %(start)s to %(end)s.")
            % {"start": overlapping.start_date.isoformat(), "end": overlapping.end_date.isoformat()},
            code="leave_overlap",
            leave_request_id=overlapping.pk,
        )
    if not preview.allowed:
        raise ValidationError(
            {
                "hours": _("Not enough balance: %(available)s h available, %(hours)s h requested.")
                % {"available": preview.available, "hours": preview.count.hours}
            }
        )
    request = LeaveRequest(
        organisation=actor.organisation,
        employee=employee,
        leave_type=leave_type,
        unit=unit,
        start_date=start_date,
        end_date=end_date,
        hours_per_day=hours_per_day,
        working_days=preview.count.working_days,
        hours=preview.count.hours,
        days=[[day.date.isoformat(), str(day.hours)] for day in preview.count.days],
        notes=(notes or "").strip()[:LEAVE_REASON_MAX_LENGTH],
        requested_by=actor.membership,
    )
    leave_account_for(employee=employee, leave_type=leave_type)
    return _save(actor, request, None, "leaverequest.create", events.LEAVE_REQUESTED)


def _locked(request: LeaveRequest) -> LeaveRequest:
    fresh = LeaveRequest.objects.select_for_update().get(pk=request.pk)
    for name in ("status", "decided_at", "rejection_reason", "cancelled_at"):
        setattr(request, name, getattr(fresh, name))
    return request


def _require_status(request: LeaveRequest, verb: str, *allowed) -> None:
    if request.status not in allowed:
        raise Conflict(
            _("A %(status)s leave request cannot be %(verb)s.")
            % {"status": request.get_status_display().lower(), "verb": verb},
            code="leave_request_status",
            leave_request_status=request.status,
        )


def _require_decider(actor: Actor, request: LeaveRequest) -> None:
    if _is_own(actor, request.employee):
        raise NotPermitted(_("You cannot approve or reject your own leave."))
    if not can_decide_leave(actor, request.employee):
        raise NotPermitted(
            _("Only the employee's manager, a manager of their office, HR, owners and admins decide leave.")
        )


def _decide(actor: Actor, request: LeaveRequest, status: str, reason: str = "") -> None:
    request.status = status
    request.decided_at = timezone.now()
    request.decided_by = actor.membership
    request.decided_by_label = actor.label[:300]
    request.rejection_reason = reason


def _ledger(
    actor: Actor, request: LeaveRequest, kind: str, hours: Decimal, reason: str, effective_date: datetime.date
) -> LeaveLedgerEntry:
    entry = LeaveLedgerEntry(
        organisation=actor.organisation,
        account=leave_account_for(employee=request.employee, leave_type=request.leave_type),
        kind=kind,
        hours=hours,
        effective_date=effective_date,
        reason=reason,
        request=request,
        created_by=actor.membership,
        created_by_label=actor.label[:300],
    )
    entry.save()
    return entry


def _usage_by_month(request: LeaveRequest) -> list[tuple[datetime.date, Decimal]]:
    """The request's hours by calendar month of its days (``request.days``), each dated on its
    first leave day in that month: usage is dated when the leave is taken, not when it is decided,
    so a year's closing balance (carry-over) and the hours used before carried hours expire count
    the leave of their own dates. The parts add up to ``request.hours`` exactly (a rounding
    remainder goes to the last month); a request without days is one part on its first day."""
    months: dict[tuple[int, int], tuple[datetime.date, Decimal]] = {}
    for day_text, hours_text in request.days or []:
        day = datetime.date.fromisoformat(day_text)
        first, total = months.get((day.year, day.month), (day, ZERO))
        months[(day.year, day.month)] = (min(first, day), total + Decimal(hours_text))
    if not months:
        return [(request.start_date, request.hours)]
    parts = [(first, hours_round(total)) for first, total in (months[key] for key in sorted(months))]
    last_day, last_hours = parts[-1]
    parts[-1] = (last_day, last_hours + request.hours - sum((hours for _, hours in parts), ZERO))
    return parts


def _book_usage(actor: Actor, request: LeaveRequest) -> None:
    """The usage rows of an approved request: its hours leave the balance on the leave's dates
    (one row per calendar month it touches, :func:`_usage_by_month`)."""
    reason = _("Leave request #%(id)s") % {"id": request.pk}
    for day, hours in _usage_by_month(request):
        _ledger(actor, request, LedgerKind.USAGE, -hours, reason, day)


def _book_cancellation(actor: Actor, request: LeaveRequest) -> None:
    """The hours of a cancelled approved request come back on the dates they were used: one
    cancellation row per usage row of the request, same date, opposite hours."""
    reason = _("Leave request #%(id)s cancelled") % {"id": request.pk}
    usage = LeaveLedgerEntry.objects.filter(request=request, kind=LedgerKind.USAGE).order_by("effective_date", "id")
    rows = list(usage.values_list("effective_date", "hours"))
    if not rows:  # approved without a usage row (never written by this module): back on its first day
        rows = [(request.start_date, -request.hours)]
    for day, hours in rows:
        _ledger(actor, request, LedgerKind.CANCELLATION, -hours, reason, day)


@transaction.atomic
def leave_request_approve(*, actor: Actor, request: LeaveRequest) -> LeaveRequest:
    """``requested → approved``: the hours leave the balance (a usage row)."""
    _require_decider(actor, request)
    _locked(request)
    before = audit_snapshot(request, exclude=("days",))
    _require_status(request, _("approved"), LeaveRequestStatus.REQUESTED)
    _decide(actor, request, LeaveRequestStatus.APPROVED)
    _book_usage(actor, request)
    return _save(actor, request, before, "leaverequest.approve", events.LEAVE_APPROVED)


def _reason(value: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({"reason": _("Give a reason.")})
    if len(text) > LEAVE_REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("At most %(max)s characters.") % {"max": LEAVE_REASON_MAX_LENGTH}})
    return text


@transaction.atomic
def leave_request_reject(*, actor: Actor, request: LeaveRequest, reason: str) -> LeaveRequest:
    """``requested → rejected`` with a reason shown to the employee."""
    _require_decider(actor, request)
    text = _reason(reason)
    _locked(request)
    before = audit_snapshot(request, exclude=("days",))
    _require_status(request, _("rejected"), LeaveRequestStatus.REQUESTED)
    _decide(actor, request, LeaveRequestStatus.REJECTED, text)
    return _save(actor, request, before, "leaverequest.reject", events.LEAVE_REJECTED)


@transaction.atomic
def leave_request_cancel(*, actor: Actor, request: LeaveRequest) -> LeaveRequest:
    """``requested|approved → cancelled``: by the employee before the leave starts, by HR, owners
    and admins at any time. An approved request's hours come back (a cancellation row)."""
    own = _is_own(actor, request.employee)
    if not (own or _hr(actor)):
        raise NotPermitted(_("Only the employee (before it starts), HR, owners and admins cancel leave."))
    _locked(request)
    before = audit_snapshot(request, exclude=("days",))
    _require_status(request, _("cancelled"), *OPEN_STATUSES)
    if not _hr(actor) and request.start_date <= employee_today(request.employee):
        raise Conflict(
            _("This leave has started: ask HR to cancel it."), code="leave_started", leave_request_status=request.status
        )
    if request.status == LeaveRequestStatus.APPROVED:
        for guard in _CANCEL_GUARDS:
            guard(actor=actor, request=request)
        _book_cancellation(actor, request)
    request.status = LeaveRequestStatus.CANCELLED
    request.cancelled_at = timezone.now()
    request.decided_by_label = actor.label[:300]
    return _save(actor, request, before, "leaverequest.cancel", events.LEAVE_CANCELLED)


@transaction.atomic
def leave_adjust(
    *,
    actor: Actor,
    employee: Employee,
    leave_type: LeaveType,
    hours: Decimal,
    reason: str,
    effective_date: datetime.date | None = None,
) -> LeaveLedgerEntry:
    """Add (or take, when negative) hours by hand: HR, owners and admins, with a reason (audited)."""
    if not _hr(actor):
        raise NotPermitted(_("Only HR, owners and admins adjust leave balances."))
    text = _reason(reason)
    if not hours:
        raise ValidationError({"hours": _("An adjustment of zero hours changes nothing.")})
    entry = LeaveLedgerEntry(
        organisation=actor.organisation,
        account=leave_account_for(employee=employee, leave_type=leave_type),
        kind=LedgerKind.ADJUSTMENT,
        hours=hours_round(hours),
        effective_date=effective_date or employee_today(employee),
        reason=text,
        created_by=actor.membership,
        created_by_label=actor.label[:300],
    )
    entry.full_clean(exclude=("organisation", "account", "request", "created_by"))
    entry.save()
    audit_change(actor=actor, action="leaveledgerentry.adjust", obj=entry, after=audit_snapshot(entry))
    return entry
