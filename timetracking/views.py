"""Pages of time tracking under ``/app/time/`` (issue 7 point 10).

- ``time:timer``   the timer (project/task pickers, a running clock), today's and this week's
  entries with inline edit and delete, and a form for a manual entry;
- ``time:week``    the week grid: project/task rows by day with daily totals;
- ``time:import``  CSV upload: a preview of every bad row before anything is committed;
- ``time:projects`` / ``time:project``  for managers and up: hours against the estimate (a chart).

Thin views: reads through selectors, writes through services (which write the audit row,
source "page", in the change's transaction: issue 12). Times are shown and typed in the
employee's timezone (their office's, else the organisation's).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Sum
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from organisations.choices import OWNER_ADMIN, Role
from trackyoursheets import storage
from trackyoursheets.exceptions import DomainError
from trackyoursheets.web import SERVICE_ERRORS, MemberPageMixin, NavItem, error_text, scoped_or_404, visible_links

from . import importer, selectors, services
from .choices import ProjectStatus
from .models import employee_timezone, local_day_bounds

MANAGERS = (*OWNER_ADMIN, Role.MANAGER)


def format_seconds(seconds: int | None) -> str:
    if not seconds:
        return "0:00"
    minutes = seconds // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


class TimePage(MemberPageMixin, TemplateView):
    """A time page: the actor's employee record and timezone, rendered in that timezone."""

    @property
    def employee(self):
        if not hasattr(self, "_employee"):
            self._employee = selectors.actor_employee(actor=self.actor)
        return self._employee

    @property
    def tz(self):
        return employee_timezone(self.employee, self.actor.organisation)

    def today(self) -> datetime.date:
        return timezone.now().astimezone(self.tz).date()

    def render_to_response(self, context, **response_kwargs):
        response = TemplateView.render_to_response(self, context, **response_kwargs)
        with timezone.override(self.tz):
            response.render()
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # the area's links, each shown to the roles its page declares (issue 12 point 5)
        context["time_links"] = visible_links(self.actor, TIME_LINKS, self.request.path)
        return context

    def back(self, name: str = "time:timer") -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse(name))

    def pickers(self) -> dict:
        projects = list(selectors.project_list(actor=self.actor).filter(status=ProjectStatus.ACTIVE))
        tasks = list(
            selectors.task_list(actor=self.actor).filter(project__status=ProjectStatus.ACTIVE).exclude(status="done")
        )
        return {"projects": projects, "tasks": tasks}

    def local_datetime(self, day: str, clock: str) -> datetime.datetime:
        try:
            date = datetime.date.fromisoformat(day)
            time = datetime.time.fromisoformat(clock)
        except (TypeError, ValueError):
            raise ValidationError(_("Give a date (YYYY-MM-DD) and times (HH:MM).")) from None
        return datetime.datetime.combine(date, time, tzinfo=self.tz).astimezone(datetime.UTC)


#: the time area's sub-navigation (who sees a link: its page's ``allowed_roles``)
TIME_LINKS = (
    NavItem(gettext_lazy("Timer and entries"), "time:timer"),
    NavItem(gettext_lazy("Week"), "time:week"),
    NavItem(gettext_lazy("My timesheet"), "time:timesheet"),
    NavItem(gettext_lazy("Approvals"), "time:approvals"),
    NavItem(gettext_lazy("Import CSV"), "time:import"),
    NavItem(gettext_lazy("Projects"), "time:projects"),
)


def _entry_rows(entries, tz, locks: services.PeriodLocks | None = None) -> list[dict]:
    """Rows of the entries table; an entry in a locked period (issue 15) says so instead of
    offering edit and delete."""
    rows = []
    for entry in entries:
        locked = ""
        if locks is not None:
            found = locks.locked_period(entry.employee_id, entry.start_time.astimezone(tz).date(), tz)
            if found is not None:
                locked = _("Locked: the period %(start)s to %(end)s is approved or closed.") % {
                    "start": found[0].start.isoformat(),
                    "end": found[0].end.isoformat(),
                }
        start = entry.start_time.astimezone(tz)
        end = entry.end_time.astimezone(tz) if entry.end_time else None
        rows.append(
            {
                "entry": entry,
                "key": str(entry.pk),
                "date": start.date().isoformat(),
                "start": start.strftime("%H:%M"),
                "end": end.strftime("%H:%M") if end else "",
                "duration": format_seconds(entry.duration_seconds),
                "locked": locked,
            }
        )
    return rows


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
            context["today_rows"] = _entry_rows(
                [e for e in entries if today_start <= e.start_time < today_end], self.tz, locks
            )
            context["week_rows"] = _entry_rows(entries, self.tz, locks)
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


class EntryAddPage(TimePage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if self.employee is None:
            return self.back()
        data = request.POST
        try:
            project = selectors.project_get(actor=self.actor, pk=int(data.get("project_id") or 0))
            task = selectors.task_get(actor=self.actor, pk=int(data["task_id"])) if data.get("task_id") else None
            start = self.local_datetime(data.get("date"), data.get("start"))
            end = self.local_datetime(data.get("date"), data.get("end"))
            if end <= start:
                end += datetime.timedelta(days=1)  # an end before the start is the next day
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
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Entry added."))
        return self.back()


class EntryPage(TimePage):
    http_method_names = ["post"]

    def entry(self):
        return scoped_or_404(selectors.time_entry_get, actor=self.actor, pk=self.kwargs["pk"])


class EntryEditPage(EntryPage):
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
            fields["task"] = (
                selectors.task_get(actor=self.actor, pk=int(data["task_id"])) if data.get("task_id") else None
            )
            if data.get("date") and data.get("start") and data.get("end"):
                start = self.local_datetime(data["date"], data["start"])
                end = self.local_datetime(data["date"], data["end"])
                fields.update(start_time=start, end_time=end if end > start else end + datetime.timedelta(days=1))
            services.time_entry_update(actor=self.actor, entry=entry, data=fields)
        except (ObjectDoesNotExist, ValueError):
            messages.error(request, _("Choose a project (and optionally one of its tasks)."))
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Entry saved."))
        return HttpResponseRedirect(
            data.get("next") if data.get("next", "").startswith("/app/time/") else reverse("time:timer")
        )


class EntryDeletePage(EntryPage):
    def post(self, request, *args, **kwargs):
        entry = self.entry()
        try:
            services.time_entry_delete(actor=self.actor, entry=entry)
        except SERVICE_ERRORS as error:  # a locked period (issue 15 point 2)
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Entry deleted."))
        return self.back()


class WeekView(TimePage):
    template_name = "timetracking/week.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["employee"] = self.employee
        try:
            chosen = datetime.date.fromisoformat(self.request.GET.get("week", ""))
        except ValueError:
            chosen = self.today()
        monday = chosen - datetime.timedelta(days=chosen.weekday())
        context["monday"] = monday
        context["previous_week"] = (monday - datetime.timedelta(days=7)).isoformat()
        context["next_week"] = (monday + datetime.timedelta(days=7)).isoformat()
        if self.employee is not None:
            grid = selectors.week_grid(actor=self.actor, employee=self.employee, monday=monday)
            context["days"] = grid.days
            # issue 15: days of a locked period (approved, or closed automatically) say so
            tz = employee_timezone(self.employee, self.actor.organisation)
            locks = services.PeriodLocks(self.actor.organisation)
            found = [locks.locked_period(self.employee.pk, day, tz) for day in grid.days]
            context["day_heads"] = [(day, lock is not None) for day, lock in zip(grid.days, found, strict=True)]
            context["locked_periods"] = sorted({lock[0] for lock in found if lock is not None}, key=lambda p: p.start)
            context["rows"] = [
                {
                    "project": row.project,
                    "task": row.task,
                    "cells": [format_seconds(s) if s else "" for s in row.seconds],
                    "total": format_seconds(row.total),
                }
                for row in grid.rows
            ]
            context["daily_totals"] = [format_seconds(s) for s in grid.daily_totals]
            context["week_total"] = format_seconds(grid.total)
        return context


class ImportPage(TimePage):
    template_name = "timetracking/import.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = importer.COLUMNS
        return context

    def post(self, request, *args, **kwargs):
        upload = request.FILES.get("file")
        text = request.POST.get("csv_text", "")
        try:
            if upload is not None:
                text = importer.decode_csv(storage.read_upload(upload))
            if not text.strip():
                raise ValidationError({"file": _("Choose a CSV file.")})
            commit = request.POST.get("commit") == "1"
            rows = importer.count_rows(text)
            if commit and rows > importer.async_threshold():
                job = importer.import_job_create(actor=self.actor, text=text, total_rows=rows, dry_run=False)
                messages.success(
                    request, _("The import of %(n)s rows is running as job %(id)s.") % {"n": rows, "id": job.pk}
                )
                return self.back("time:import")
            if commit:
                report = importer.import_csv(actor=self.actor, text=text)
                messages.success(request, _("Imported %(n)s entries.") % {"n": report.created})
                return self.back()
            report = importer.validate(self.actor, text)
        except storage.UploadTooLarge as error:
            messages.error(request, error_text(error))
            return self.back("time:import")
        except DomainError as error:
            report = importer.ImportReport(
                dry_run=True,
                total_rows=error.extra.get("total_rows", 0),
                valid_rows=error.extra.get("valid_rows", 0),
                row_errors=error.extra.get("row_errors", []),
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
            return self.back("time:import")
        return self.render_to_response(self.get_context_data(report=report, csv_text=text))


class ProjectListView(TimePage):
    template_name = "timetracking/projects.html"
    allowed_roles = MANAGERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        projects = selectors.project_list(actor=self.actor).exclude(status=ProjectStatus.ARCHIVED)
        tracked = dict(
            selectors.time_entry_list(actor=self.actor)
            .filter(end_time__isnull=False)
            .order_by()
            .values("project_id")
            .annotate(seconds=Sum("duration_seconds"))
            .values_list("project_id", "seconds")
        )
        context["rows"] = [{"project": p, "hours": selectors.hours(tracked.get(p.pk) or 0)} for p in projects]
        return context


class ProjectDetailView(TimePage):
    template_name = "timetracking/project.html"
    allowed_roles = MANAGERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            project = selectors.project_get(actor=self.actor, pk=self.kwargs["pk"])
        except ObjectDoesNotExist as error:
            raise Http404(_("Not found.")) from error
        entries = selectors.time_entry_list(actor=self.actor).filter(project=project, end_time__isnull=False)
        total = entries.aggregate(seconds=Sum("duration_seconds"))["seconds"] or 0
        by_task = {
            row["task_id"]: row["seconds"]
            for row in entries.order_by().values("task_id").annotate(seconds=Sum("duration_seconds"))
        }
        tasks = list(selectors.task_list(actor=self.actor).filter(project=project))
        task_rows = [
            {"task": t, "hours": selectors.hours(by_task.get(t.pk) or 0), "estimate": t.estimated_hours} for t in tasks
        ]
        summary = selectors.summary_report(actor=self.actor, project_id=project.pk)
        chart = {
            "labels": [str(t.name) for t in tasks] + [_("Whole project")],
            "hours": [float(r["hours"]) for r in task_rows] + [float(selectors.hours(total))],
            "estimates": [float(t.estimated_hours) if t.estimated_hours is not None else None for t in tasks]
            + [float(project.estimated_hours) if project.estimated_hours is not None else None],
            "hours_label": _("Hours tracked"),
            "estimate_label": _("Estimate"),
        }
        context.update(
            project=project,
            total_hours=selectors.hours(total),
            task_rows=task_rows,
            by_employee=summary["by_employee"],
            chart_data=chart,
            percent=(int(selectors.hours(total) * 100 / project.estimated_hours) if project.estimated_hours else None),
        )
        return context
