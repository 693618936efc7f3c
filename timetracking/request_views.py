"""Time request pages under ``/app/time/`` (issue 15 point 9, second part):

- ``time:requests``        my time requests: the form to ask for past time (the timer page's
  project and task pickers, a day, clock times, overnight, the reason) and my requests with their
  status, the approver's reason, and a cancel button while pending;
- ``time:request-action``  cancel (the requester), approve, reject with a reason (the approvers);
  the approval inbox (``time:approvals``) lists the pending requests of the approver's people.

Thin: reads through the request selectors, writes through the same services as REST and GraphQL.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trackyoursheets.web import SERVICE_ERRORS, error_text, scoped_or_404
from trackyoursheets.web.forms import add_service_errors
from trackyoursheets.web.tables import BADGE, DATE, DURATION, Column, Table, TablePageMixin

from . import request_selectors, selectors, services
from .choices import ProjectStatus, TimeRequestStatus
from .forms import TimeRequestForm
from .models import employee_timezone
from .tables import _clock
from .views import TimePage

ACTIONS = {
    "cancel": (services.time_request_cancel, False, gettext_lazy("Time request cancelled.")),
    "approve": (services.time_request_approve, False, gettext_lazy("Time request approved: the time is recorded.")),
    "reject": (services.time_request_reject, True, gettext_lazy("Time request rejected.")),
}


def _end(request) -> str:
    text = _clock(request.end_time)
    if timezone.localdate(request.end_time) > timezone.localdate(request.start_time):
        text = f"{text} ({_('next day')})"
    return text


def _duration(request) -> int:
    return int((request.end_time - request.start_time).total_seconds())


def _decision(request) -> str:
    if request.status == TimeRequestStatus.REJECTED:
        return request.rejection_reason
    return request.decided_by_label if request.status == TimeRequestStatus.APPROVED else ""


REQUEST_COLUMNS = (
    Column("date", gettext_lazy("Day"), accessor="start_time", kind=DATE, sort="start_time"),
    Column("start", gettext_lazy("From"), accessor=lambda r: _clock(r.start_time)),
    Column("end", gettext_lazy("To"), accessor=_end),
    Column("duration", gettext_lazy("Duration"), accessor=_duration, kind=DURATION),
    Column("project", gettext_lazy("Project"), accessor="project.name", sort=("project__name",)),
    Column("task", gettext_lazy("Task"), accessor="task.name"),
    Column("reason", gettext_lazy("Reason")),
)


class MyTimeRequestTable(Table):
    """The reader's own requests: status, the approver's reason, cancel while pending."""

    name = "time-requests"
    default_sort = "-date"
    noun = gettext_lazy("requests")
    empty_text = gettext_lazy("No time requests yet.")
    columns = (
        *REQUEST_COLUMNS,
        Column("status", gettext_lazy("Status"), kind=BADGE, sort="status"),
        Column("decision", gettext_lazy("Decided by / rejection reason"), accessor=_decision),
        Column("actions", gettext_lazy("Actions"), template="timetracking/_request_cancel_cell.html", export=False),
    )


class PendingRequestTable(Table):
    """Pending requests of an approver's people (the approval inbox): approve, reject with a reason;
    a request in a locked period says who may approve it (``locks`` option: the org's locks)."""

    name = "time-requests-to-decide"
    default_sort = "date"
    noun = gettext_lazy("requests")
    empty_text = gettext_lazy("No time requests to decide.")
    exportable = False
    columns = (
        Column("person", gettext_lazy("Person"), accessor=lambda r: str(r.employee)),
        *REQUEST_COLUMNS,
        Column("actions", gettext_lazy("Decide"), template="timetracking/_request_decide_cell.html", export=False),
    )

    def row(self, obj):
        locks = self.options["locks"]
        zone = employee_timezone(obj.employee, obj.organisation)
        found = locks.locked_period(obj.employee_id, obj.start_time.astimezone(zone).date(), zone)
        obj.locked_note = ""
        obj.may_approve = True
        if found is not None:
            obj.may_approve = services.can_reopen(self.options["actor"])
            obj.locked_note = _("In the locked period %(start)s to %(end)s: only owners and admins approve it.") % {
                "start": found[0].start.isoformat(),
                "end": found[0].end.isoformat(),
            }
        return super().row(obj)


def pending_request_table(page: TimePage) -> PendingRequestTable:
    """The inbox's "Time requests" section: pending requests the reader may decide (not their own)."""
    rows = request_selectors.time_request_list(actor=page.actor).filter(status=TimeRequestStatus.PENDING)
    rows = rows.select_related("task")
    if page.actor.membership is not None:
        rows = rows.exclude(employee__membership=page.actor.membership)
    return PendingRequestTable(
        page.request, rows, prefix="requests-", locks=services.PeriodLocks(page.actor.organisation), actor=page.actor
    )


class TimeRequestsPage(TablePageMixin, TimePage):
    template_name = "timetracking/requests.html"

    def form(self, data=None) -> TimeRequestForm:
        projects = selectors.project_list(actor=self.actor).filter(status=ProjectStatus.ACTIVE)
        tasks = selectors.task_list(actor=self.actor).filter(project__status=ProjectStatus.ACTIVE)
        return TimeRequestForm(data, projects=projects, tasks=tasks, initial={"date": self.today()})

    def get_context_data(self, form: TimeRequestForm | None = None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["employee"] = self.employee
        if self.employee is None:
            return context
        form = form or self.form()
        chosen = {name: form[name].value() for name in ("project_id", "task_id")}
        rows = request_selectors.time_request_list(actor=self.actor).filter(employee=self.employee)
        context.update(
            self.pickers(),
            form=form,
            selected_project=int(chosen["project_id"]) if str(chosen["project_id"] or "").isdigit() else None,
            selected_task=int(chosen["task_id"]) if str(chosen["task_id"] or "").isdigit() else None,
            table=MyTimeRequestTable(self.request, rows.select_related("task")),
            reader_zone=str(self.tz),
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.employee is None:
            return self.back("time:requests")
        form = self.form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                start, end = services.time_entry_span(
                    day=data["date"], start=data["start"], end=data["end"], tz=self.tz, overnight=data["overnight"]
                )
                services.time_request_create(
                    actor=self.actor,
                    employee=self.employee,
                    project=data["project_id"],
                    task=data["task_id"],
                    start_time=start,
                    end_time=end,
                    reason=data["reason"],
                )
            except SERVICE_ERRORS as error:
                add_service_errors(form, error, TimeRequestForm.SERVICE_FIELDS)
            else:
                messages.success(request, _("Time requested: your approver decides it."))
                return self.back("time:requests")
        return self.render_to_response(self.get_context_data(form=form))


class TimeRequestActionPage(TimePage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        found = ACTIONS.get(self.kwargs["action"])
        if found is None:
            raise Http404(_("Not found."))
        service, needs_reason, done = found
        time_request = scoped_or_404(request_selectors.time_request_get, actor=self.actor, pk=self.kwargs["pk"])
        try:
            extra = {"reason": request.POST.get("reason", "")} if needs_reason else {}
            service(actor=self.actor, request=time_request, **extra)
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, done)
        back = request.POST.get("next", "")
        if not back.startswith("/app/time/") or "//" in back:
            back = reverse("time:requests")
        return HttpResponseRedirect(back)
