"""The timer, entries (add, edit, delete) and the full list of past entries (issue 7 point 10,
issue 14 point 2)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trackyoursheets.exceptions import DomainError
from trackyoursheets.web import SERVICE_ERRORS, PageForm, TablePageMixin, error_text, scoped_or_404

from .. import selectors, services
from ..models import employee_timezone, local_day_bounds
from ..tables import EntryTable, TeamEntryTable
from .base import MANAGERS, TimePage, entry_rows, format_seconds


class TimerView(TimePage):
    template_name = "timetracking/timer.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.pickers())
        context["employee"] = self.employee
        if self.employee is not None:
            today = self.today()
            monday = today - datetime.timedelta(days=today.weekday())
            start, end = local_day_bounds(monday, monday + datetime.timedelta(days=6), self.tz)
            entries = list(
                selectors.time_entry_list(actor=self.actor)
                .filter(employee=self.employee, start_time__gte=start, start_time__lt=end, end_time__isnull=False)
                .order_by("-start_time", "-id")
            )
            today_start, today_end = local_day_bounds(today, today, self.tz)
            context["running"] = selectors.running_timer(actor=self.actor, employee=self.employee)
            locks = services.PeriodLocks(self.actor.organisation)
            zone = employee_timezone(self.employee, self.actor.organisation)
            context["today_rows"] = entry_rows(
                [e for e in entries if today_start <= e.start_time < today_end], self.tz, locks, zone
            )
            context["week_rows"] = entry_rows(entries, self.tz, locks, zone)
            context["today_total"] = format_seconds(
                sum(r["entry"].duration_seconds or 0 for r in context["today_rows"])
            )
            context["week_total"] = format_seconds(sum(e.duration_seconds or 0 for e in entries))
            context["today"] = today.isoformat()
        return context


class TimerStartPage(TimePage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if self.employee is None:
            messages.error(request, _("You have no employee record in this organisation."))
            return self.back()
        try:
            project = selectors.project_get(actor=self.actor, pk=int(request.POST.get("project_id") or 0))
            task_id = request.POST.get("task_id")
            task = selectors.task_get(actor=self.actor, pk=int(task_id)) if task_id else None
            services.timer_start(
                actor=self.actor,
                employee=self.employee,
                project=project,
                task=task,
                notes=request.POST.get("notes", ""),
                tags=request.POST.get("tags", ""),
            )
        except (ObjectDoesNotExist, ValueError):
            messages.error(request, _("Choose a project (and optionally one of its tasks)."))
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Timer started."))
        return self.back()


class TimerStopPage(TimePage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if self.employee is None:
            return self.back()
        try:
            entry = services.timer_stop(actor=self.actor, employee=self.employee)
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request, _("Timer stopped: %(d)s recorded.") % {"d": format_seconds(entry.duration_seconds)}
            )
        return self.back()


def _entry_message(error: Exception) -> str:
    """A refusal in words, without the API's field names (``end: ...`` reads as code)."""
    if isinstance(error, DomainError):
        return str(error.detail)
    return " ".join(getattr(error, "messages", [str(error)]))


class EntryAddPage(TimePage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if self.employee is None:
            return self.back()
        data = request.POST
        try:
            project = selectors.project_get(actor=self.actor, pk=int(data.get("project_id") or 0))
            task = selectors.task_get(actor=self.actor, pk=int(data["task_id"])) if data.get("task_id") else None
            start, end = self.span(data)
            services.time_entry_create(
                actor=self.actor,
                employee=self.employee,
                project=project,
                task=task,
                start_time=start,
                end_time=end,
                notes=data.get("notes", ""),
                tags=data.get("tags", ""),
                billable=data.get("billable") == "on",
            )
        except (ObjectDoesNotExist, ValueError):
            messages.error(request, _("Choose a project (and optionally one of its tasks)."))
        except SERVICE_ERRORS as error:
            messages.error(request, _entry_message(error))
        else:
            messages.success(request, _("Entry added."))
        return self.back()


class EntryPage(TimePage):
    http_method_names = ["post"]

    def entry(self):
        return scoped_or_404(selectors.time_entry_get, actor=self.actor, pk=self.kwargs["pk"])

    def next_url(self) -> str:
        target = self.request.POST.get("next", "")
        return target if target.startswith("/app/time/") and "//" not in target else reverse("time:timer")


class EntryEditPage(EntryPage):
    """Save an entry's inline form. What the form shows unchanged stays exactly as stored (the
    seconds of a timer's start, a task the pickers no longer offer): issue 14 point 1."""

    def post(self, request, *args, **kwargs):
        entry = self.entry()
        data = request.POST
        try:
            fields = {
                "notes": data.get("notes", ""),
                "tags": data.get("tags", ""),
                "billable": data.get("billable") == "on",
            }
            if data.get("project_id"):
                fields["project"] = selectors.project_get(actor=self.actor, pk=int(data["project_id"]))
            if data.get("task_id"):
                fields["task"] = selectors.task_get(actor=self.actor, pk=int(data["task_id"]))
            elif entry.task_id is not None and entry.task_id in {t.pk for t in self.pickers()["tasks"]}:
                fields["task"] = None  # "No task" chosen (a task the pickers do not offer is kept)
            shown = entry_rows([entry], self.tz)[0]
            typed = {k: data.get(k, "") for k in ("date", "start", "end")}
            moved = typed != {k: shown[k] for k in typed} or (data.get("overnight") == "on") != shown["overnight"]
            if entry.end_time is not None and all(typed.values()) and moved:
                fields["start_time"], fields["end_time"] = self.span(data)
            services.time_entry_update(actor=self.actor, entry=entry, data=fields)
        except (ObjectDoesNotExist, ValueError):
            messages.error(request, _("Choose a project (and optionally one of its tasks)."))
        except SERVICE_ERRORS as error:
            messages.error(request, _entry_message(error))
        else:
            messages.success(request, _("Entry saved."))
        return HttpResponseRedirect(self.next_url())


class EntryDeletePage(EntryPage):
    def post(self, request, *args, **kwargs):
        entry = self.entry()
        try:
            services.time_entry_delete(actor=self.actor, entry=entry)
        except SERVICE_ERRORS as error:  # a locked period (issue 15 point 2)
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Entry deleted."))
        return HttpResponseRedirect(self.next_url())


# =============================================================================
# Every past entry (issue 14 point 2)
# =============================================================================


class EntryFilterForm(PageForm):
    start_date = forms.DateField(label=gettext_lazy("From"), required=False)
    end_date = forms.DateField(label=gettext_lazy("To"), required=False)
    project_id = forms.ChoiceField(label=gettext_lazy("Project"), required=False)
    employee_id = forms.ChoiceField(label=gettext_lazy("Person"), required=False)
    tags = forms.CharField(label=gettext_lazy("Tag"), required=False, max_length=100)

    def __init__(self, *args, projects=(), employees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project_id"].choices = [("", _("All projects")), *((str(p.pk), p.name) for p in projects)]
        if employees:
            self.fields["employee_id"].choices = [("", _("Everyone")), *((str(e.pk), str(e)) for e in employees)]
        else:
            del self.fields["employee_id"]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in self.cleaned_data.items() if v}


class EntryListView(TablePageMixin, TimePage):
    """Every finished entry the reader may see, newest first: filters, the shared table (sort,
    page size and jump, totals of the whole filtered list, CSV of the filter), and an inline edit
    and delete on every row, of any month."""

    template_name = "timetracking/entries.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.pickers())
        projects = selectors.project_list(actor=self.actor).order_by("name", "id")
        employees = []
        if self.actor.role in MANAGERS:
            employees = list(selectors.time_employee_list(actor=self.actor).order_by("first_name", "last_name", "id"))
        query = self.request.GET.copy()
        for name in ("sort", "page", "per_page", "export"):
            query.pop(name, None)
        form = EntryFilterForm(query or None, projects=projects, employees=employees)
        try:
            entries = selectors.time_entry_list(actor=self.actor, filters=form.filters())
        except SERVICE_ERRORS as error:
            form.add_error(None, _entry_message(error))
            entries = selectors.time_entry_list(actor=self.actor)
        entries = entries.filter(end_time__isnull=False)
        table_class = TeamEntryTable if employees else EntryTable
        context.update(
            form=form,
            table=table_class(self.request, entries),
            table_id="all",
            next_path=self.request.get_full_path(),
        )
        return context
