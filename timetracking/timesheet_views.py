"""Timesheet pages under ``/app/time/`` (issue 15 point 9, first part):

- ``time:timesheet``         my timesheet of the period holding ``?date=`` (default today): days,
  projects, entries, status, the approver's comment; submit / unsubmit;
- ``time:timesheet-detail``  one timesheet the reader may see (an approver's view: approve, reject
  with a reason; reopen for owners and admins);
- ``time:approvals``         a manager's approval inbox: their people's timesheets (submitted by
  default), bulk approve; and their pending time requests (approve, reject with a reason).

Thin: reads through selectors, writes through the same services as REST and GraphQL.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hr import selectors as hr_selectors
from organisations import selectors as organisation_selectors
from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.web import SERVICE_ERRORS, Column, Pager, Table, error_text, scoped_or_404
from trackyoursheets.web.tables import DATE, report_export_link

from . import selectors, services, sheet_totals
from .choices import TimesheetStatus
from .expense_views import submitted_expense_table
from .models import Timesheet, employee_timezone
from .request_views import pending_request_table
from .views import MANAGERS, TimePage, format_seconds

ACTIONS = {
    "submit": (services.timesheet_submit, False, gettext_lazy("Timesheet submitted.")),
    "unsubmit": (services.timesheet_unsubmit, False, gettext_lazy("Timesheet taken back: it is open again.")),
    "approve": (services.timesheet_approve, False, gettext_lazy("Timesheet approved: its time is locked.")),
    "reject": (services.timesheet_reject, True, gettext_lazy("Timesheet rejected.")),
    "reopen": (services.timesheet_reopen, True, gettext_lazy("Timesheet reopened: its time can be edited again.")),
}


CHANGE_FIELD_LABELS = {
    "start": gettext_lazy("start"),
    "end": gettext_lazy("end"),
    "duration_seconds": gettext_lazy("duration"),
    "project": gettext_lazy("project"),
    "task": gettext_lazy("task"),
    "billable": gettext_lazy("billable"),
    "notes": gettext_lazy("notes"),
    "tags": gettext_lazy("tags"),
}


def _shown(name: str, value) -> str:
    if name == "duration_seconds":
        return format_seconds(value)
    if name == "billable":
        return _("yes") if value else _("no")
    return str(value) if value not in ("", None) else _("(empty)")


def _change_row(change: sheet_totals.EntryChange) -> dict:
    """One line of "what changed since the rejection": the entry, and for a change each field's
    value before and now."""
    entry = change.now or change.before or {}
    label = f"{entry['start']} to {entry['end'] or _('running')} · {entry['project']}"
    if entry.get("task"):
        label += f" · {entry['task']}"
    details = "; ".join(
        f"{CHANGE_FIELD_LABELS[name]}: {_shown(name, change.before[name])} → {_shown(name, change.now[name])}"
        for name in change.fields
        if change.before is not None and change.now is not None
    )
    kinds = {"added": _("Added"), "changed": _("Changed"), "removed": _("Removed")}
    return {"kind": change.kind, "kind_label": kinds[change.kind], "entry": label, "details": details}


class TimesheetPageMixin(TimePage):
    template_name = "timetracking/timesheet.html"

    def sheet_context(self, timesheet: Timesheet) -> dict:
        content = sheet_totals.timesheet_content(timesheet=timesheet)
        tz = employee_timezone(timesheet.employee, self.actor.organisation)
        own = timesheet.employee.membership_id == getattr(self.actor.membership, "pk", None)
        lock = services.PeriodLocks(self.actor.organisation).locked_period(
            timesheet.employee_id, timesheet.period_start, tz
        )
        changes = None
        if timesheet.status == TimesheetStatus.SUBMITTED:
            found = sheet_totals.changes_since_rejection(timesheet=timesheet, entries=content.entries)
            changes = None if found is None else [_change_row(change) for change in found]
        return {
            "changes": changes,
            "timesheet": timesheet,
            "own": own,
            "days": [(day, format_seconds(bucket.seconds)) for day, bucket in content.days],
            "projects": [(project, format_seconds(bucket.seconds)) for project, bucket in content.projects],
            "entries": [
                {
                    "entry": entry,
                    "date": entry.start_time.astimezone(tz).date(),
                    "start": entry.start_time.astimezone(tz).strftime("%H:%M"),
                    "end": entry.end_time.astimezone(tz).strftime("%H:%M") if entry.end_time else "",
                    "duration": format_seconds(entry.duration_seconds),
                }
                for entry in content.entries
            ],
            "total": format_seconds(content.total.seconds),
            "leave": content.leave,
            "billable": format_seconds(content.total.billable_seconds),
            "can_submit": timesheet.status in (TimesheetStatus.OPEN, TimesheetStatus.REJECTED),
            "can_unsubmit": own and timesheet.status == TimesheetStatus.SUBMITTED,
            "can_decide": timesheet.status == TimesheetStatus.SUBMITTED
            and services.can_approve(self.actor, timesheet.employee),
            "can_reopen": timesheet.status == TimesheetStatus.APPROVED and self.actor.role in ("owner", "admin"),
            "locked": lock is not None,
            "locked_automatically": lock is not None and lock[1] == "auto",
            "previous_date": (timesheet.period_start - datetime.timedelta(days=1)).isoformat(),
            "next_date": (timesheet.period_end + datetime.timedelta(days=1)).isoformat(),
        }


class MyTimesheetPage(TimesheetPageMixin):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["employee"] = self.employee
        if self.employee is None:
            return context
        try:
            day = datetime.date.fromisoformat(self.request.GET.get("date", ""))
        except ValueError:
            day = self.today()
        try:
            timesheet, _created = services.timesheet_open(actor=self.actor, employee=self.employee, day=day)
        except SERVICE_ERRORS as error:
            messages.error(self.request, error_text(error))
            return context
        context.update(self.sheet_context(selectors.timesheet_get(actor=self.actor, pk=timesheet.pk)))
        return context


class TimesheetDetailPage(TimesheetPageMixin):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["employee"] = True
        timesheet = scoped_or_404(selectors.timesheet_get, actor=self.actor, pk=self.kwargs["pk"])
        context.update(self.sheet_context(timesheet))
        return context


class TimesheetActionPage(TimePage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        found = ACTIONS.get(self.kwargs["action"])
        if found is None:
            raise Http404(_("Not found."))
        service, needs_reason, done = found
        timesheet = scoped_or_404(selectors.timesheet_get, actor=self.actor, pk=self.kwargs["pk"])
        try:
            extra = {"reason": request.POST.get("reason", "")} if needs_reason else {}
            service(actor=self.actor, timesheet=timesheet, **extra)
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, done)
        back = request.POST.get("next", "")
        if not back.startswith("/app/time/"):
            back = reverse("time:timesheet-detail", args=[timesheet.pk])
        return HttpResponseRedirect(back)


#: the inbox's filters besides ``status`` (the timesheet FilterSet's names)
INBOX_FILTERS = ("employee_id", "office_id", "period_start")


class LeaveInboxTable(Table):
    """Leave waiting for the reader's decision (issue 16; read from hr, decided on hr's page)."""

    name = "leave-to-decide"
    noun = gettext_lazy("requests")
    empty_text = gettext_lazy("No leave requests to decide.")
    exportable = False
    columns = (
        Column("person", gettext_lazy("Person"), accessor="employee.display_name"),
        Column("leave_type", gettext_lazy("Leave type"), accessor="leave_type.name"),
        Column("start_date", gettext_lazy("First day"), kind=DATE),
        Column("end_date", gettext_lazy("Last day"), kind=DATE),
        Column("hours", gettext_lazy("Hours"), accessor="hours"),
        Column("actions", gettext_lazy("Decide"), template="hr/_leave_decide_cell.html", export=False),
    )


def leave_inbox_table(page: TimePage) -> LeaveInboxTable:
    return LeaveInboxTable(page.request, hr_selectors.leave_requests_to_decide(actor=page.actor), prefix="leave-")


class ApprovalInboxPage(TimePage):
    template_name = "timetracking/approvals.html"
    allowed_roles = MANAGERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET
        status = query.get("status", TimesheetStatus.SUBMITTED)
        filters = {"status": status} if status in TimesheetStatus.values else {}
        chosen = {name: query.get(name, "").strip() for name in INBOX_FILTERS}
        filters.update({name: value for name, value in chosen.items() if value})
        rows = selectors.timesheet_list(actor=self.actor)
        try:
            rows = selectors.timesheet_list(actor=self.actor, filters=filters or None)
        except ValidationFailed:
            messages.error(self.request, _("A filter is not valid (the period start is a date, YYYY-MM-DD)."))
        if self.actor.membership is not None:
            rows = rows.exclude(employee__membership=self.actor.membership)
        pager = Pager(self.request, rows)
        context.update(
            pager=pager,
            # the timesheets report with the same filters (issue 17): the shared Export… button
            export_url=report_export_link("timesheets", [(k, [v]) for k, v in filters.items()]),
            status=status,
            statuses=TimesheetStatus.choices,
            chosen=chosen,
            employees=selectors.timesheet_employee_list(actor=self.actor).order_by("last_name", "first_name", "pk"),
            offices=organisation_selectors.office_list(actor=self.actor).order_by("name", "pk"),
            here=self.request.get_full_path(),
            requests=pending_request_table(self),
            leave=leave_inbox_table(self),
            expenses=submitted_expense_table(self),
        )
        return context

    def post(self, request, *args, **kwargs):
        ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
        if not ids:
            messages.error(request, _("Choose the timesheets to approve."))
            return HttpResponseRedirect(reverse("time:approvals"))
        try:
            result = services.timesheet_bulk_approve(actor=self.actor, timesheet_ids=ids)
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _("%(approved)s approved, %(skipped)s skipped.")
                % {"approved": len(result.approved), "skipped": len(result.skipped)},
            )
        return HttpResponseRedirect(reverse("time:approvals"))
