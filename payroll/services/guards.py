"""Guards payroll registers with time tracking and HR (issue 18 point 4): reopening a timesheet,
setting the paid flag of time, cancelling leave, while a payroll run holds them."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.actors import Actor
from timetracking import selectors as time_selectors
from trackyoursheets.exceptions import Conflict

from ..choices import PayrollRunStatus, SourceKind
from ..models import PayrollRun, PayrollSourceClaim

__all__ = ["timesheet_reopen_guard", "time_paid_guard", "leave_cancel_guard"]


def timesheet_reopen_guard(*, actor: Actor, timesheet) -> None:
    """Reopening a timesheet is refused while its period's time sits in a ready or paid run; a
    draft run holding it becomes stale (recalculate before approving)."""
    claims = PayrollSourceClaim.objects.filter(
        organisation=actor.organisation,
        kind=SourceKind.TIME_ENTRY,
        employee_id=timesheet.employee_id,
        day__lte=timesheet.period_end,
        day_to__gte=timesheet.period_start,
        released=False,
    )
    runs = dict(claims.values_list("run_id", "run__status").distinct())
    frozen = sorted(pk for pk, status in runs.items() if status in (PayrollRunStatus.READY, PayrollRunStatus.PAID))
    if frozen:
        raise Conflict(
            _("This period's time is in payroll run %s (ready or paid): it cannot be reopened.") % frozen[0],
            payroll_run_ids=frozen,
        )
    drafts = [pk for pk, status in runs.items() if status == PayrollRunStatus.DRAFT]
    if drafts:
        PayrollRun.objects.filter(pk__in=drafts).update(stale=True, updated_at=timezone.now())


def leave_cancel_guard(*, actor: Actor, request) -> None:
    """Cancelling approved leave is refused while a ready or paid run pays it (cancel the run
    first); a draft run holding it becomes stale (recalculate before approving)."""
    claims = PayrollSourceClaim.objects.filter(
        organisation=actor.organisation, kind=SourceKind.LEAVE, object_id=request.pk, released=False
    )
    runs = dict(claims.values_list("run_id", "run__status"))
    frozen = sorted(pk for pk, status in runs.items() if status in (PayrollRunStatus.READY, PayrollRunStatus.PAID))
    if frozen:
        raise Conflict(
            _("This leave is paid by payroll run %s (ready or paid): it cannot be cancelled.") % frozen[0],
            code="leave_in_payroll_run",
            payroll_run_ids=frozen,
        )
    drafts = [pk for pk, status in runs.items() if status == PayrollRunStatus.DRAFT]
    if drafts:
        PayrollRun.objects.filter(pk__in=drafts).update(stale=True, updated_at=timezone.now())


def time_paid_guard(*, actor: Actor, entry_ids: list[int]) -> None:
    """Time in a payroll run takes its ``paid`` flag from the run: the bulk ``set_paid`` refuses
    entries on the days of a timesheet a live run claims."""
    days = time_selectors.payroll_time.entry_local_days(organisation=actor.organisation, entry_ids=entry_ids)
    if not days:
        return
    claims = PayrollSourceClaim.objects.filter(
        organisation=actor.organisation,
        kind=SourceKind.TIME_ENTRY,
        employee_id__in={employee_id for _pk, employee_id, _day in days},
        day__lte=max(day for *_rest, day in days),
        day_to__gte=min(day for *_rest, day in days),
        released=False,
    ).values_list("employee_id", "day", "day_to")
    spans: defaultdict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    for employee_id, first, last in claims:
        if first is not None and last is not None:
            spans[employee_id].append((first, last))
    taken = sorted(
        pk for pk, employee_id, day in days if any(first <= day <= last for first, last in spans[employee_id])
    )
    if taken:
        raise Conflict(
            _("Some entries belong to a payroll run: their paid flag follows the run (mark the run paid)."),
            entry_ids=taken[:20],
        )
