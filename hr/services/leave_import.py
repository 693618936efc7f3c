"""Leave approved in another system (TrackTik's schedule-off-periods): imported as an **approved**
leave request, idempotently by the other system's id, so it flows into timesheets and payroll like
leave approved here. The days and hours come from the employee's schedule and holidays, as for a
request made here; the balance is not checked (the other system approved it: the usage is booked
and the balance may go negative). A changed record cancels the request (its hours come back) and
imports the new one; :func:`withdraw_external_leave` cancels the requests of records gone there.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organisations.actors import Actor
from organisations.audit import audit_snapshot
from trackyoursheets.exceptions import Conflict

from .. import events
from ..choices import LeaveRequestStatus, LeaveUnit
from ..models import LEAVE_REASON_MAX_LENGTH, Employee, LeaveRequest, LeaveType
from ..selectors import employee_lock
from .leave import (
    OPEN_STATUSES,
    _book_usage,
    _decide,
    _hr,
    _save,
    leave_account_for,
    leave_preview,
    leave_request_cancel,
)

__all__ = ["ImportedLeave", "import_external_leave", "withdraw_external_leave"]


@dataclass
class ImportedLeave:
    request: LeaveRequest
    #: created, updated (the old request cancelled, a new one approved) or unchanged
    outcome: str


def _live(organisation, source: str, external_ids: list[str]):
    return LeaveRequest.objects.for_organisation(organisation).filter(
        external_source=source, external_id__in=external_ids, status__in=OPEN_STATUSES
    )


@transaction.atomic
def import_external_leave(
    *,
    actor: Actor,
    source: str,
    external_id: str,
    employee_id: int,
    leave_type_id: int,
    start_date: datetime.date,
    end_date: datetime.date,
    notes: str = "",
) -> ImportedLeave:
    """An approved request for ``external_id`` of ``source`` (HR, owners, admins, the
    organisation's jobs). The same record again changes nothing."""
    if not _hr(actor):
        raise ValidationError(_("Only HR, owners, admins and the organisation's jobs import leave."))
    employee = Employee.objects.for_organisation(actor.organisation).get(pk=employee_id)
    leave_type = LeaveType.objects.for_organisation(actor.organisation).get(pk=leave_type_id)
    employee_lock(employee=employee)
    current = _live(actor.organisation, source, [external_id]).select_for_update().first()
    if current is not None:
        same = (current.employee_id, current.leave_type_id, current.start_date, current.end_date) == (
            employee.pk,
            leave_type.pk,
            start_date,
            end_date,
        )
        if same and current.status == LeaveRequestStatus.APPROVED:
            return ImportedLeave(current, "unchanged")
        leave_request_cancel(actor=actor, request=current)
    preview = leave_preview(
        actor=actor, employee=employee, leave_type=leave_type, start_date=start_date, end_date=end_date
    )
    if not preview.count.days:
        raise ValidationError({"end_date": _("There are no working days in this range (weekends and holidays).")})
    overlapping = (
        LeaveRequest.objects.filter(
            employee=employee, status__in=OPEN_STATUSES, start_date__lte=end_date, end_date__gte=start_date
        )
        .exclude(external_source=source, external_id=external_id)
        .first()
    )
    if overlapping is not None:
        raise Conflict(
            _("This overlaps leave from %(start)s to %(end)s.")
            % {"start": overlapping.start_date.isoformat(), "end": overlapping.end_date.isoformat()},
            code="leave_overlap",
            leave_request_id=overlapping.pk,
        )
    request = LeaveRequest(
        organisation=actor.organisation,
        employee=employee,
        leave_type=leave_type,
        unit=LeaveUnit.FULL_DAYS,
        start_date=start_date,
        end_date=end_date,
        working_days=preview.count.working_days,
        hours=preview.count.hours,
        days=[[day.date.isoformat(), str(day.hours)] for day in preview.count.days],
        notes=(notes or "").strip()[:LEAVE_REASON_MAX_LENGTH],
        requested_by=actor.membership,
        external_source=source,
        external_id=external_id,
    )
    leave_account_for(employee=employee, leave_type=leave_type)
    _save(actor, request, None, "leaverequest.import", events.LEAVE_REQUESTED)
    before = audit_snapshot(request, exclude=("days",))
    _decide(actor, request, LeaveRequestStatus.APPROVED)
    _book_usage(actor, request)
    _save(actor, request, before, "leaverequest.approve", events.LEAVE_APPROVED)
    return ImportedLeave(request, "updated" if current is not None else "created")


@transaction.atomic
def withdraw_external_leave(
    *, actor: Actor, source: str, keep_external_ids: set[str], starting_after: datetime.date
) -> int:
    """Cancel the live imported requests of ``source`` starting after ``starting_after`` whose
    external id is not in ``keep_external_ids`` (gone, or no longer approved there)."""
    if not _hr(actor):
        raise ValidationError(_("Only HR, owners, admins and the organisation's jobs import leave."))
    gone = (
        LeaveRequest.objects.for_organisation(actor.organisation)
        .filter(external_source=source, status__in=OPEN_STATUSES, start_date__gt=starting_after)
        .exclude(external_id="")
        .exclude(external_id__in=keep_external_ids)
        .select_related("employee")
    )
    count = 0
    for request in gone:
        leave_request_cancel(actor=actor, request=request)
        count += 1
    return count
