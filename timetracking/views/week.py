"""The week grid (issue 7 point 10; editable since issue 14 point 2): durations per project/task
and day, Harvest/Toggl style, with daily and weekly totals."""

from __future__ import annotations

import datetime
import re

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from trackyoursheets.exceptions import DomainError
from trackyoursheets.web import SERVICE_ERRORS

from .. import selectors, services
from ..models import employee_timezone
from .base import TimePage, format_seconds

CELL = re.compile(r"^cell-(\d+)-(\d+)-([0-6])$")


def _monday(text: str | None, today: datetime.date) -> datetime.date:
    try:
        chosen = datetime.date.fromisoformat(text or "")
    except ValueError:
        chosen = today
    return chosen - datetime.timedelta(days=chosen.weekday())


class WeekView(TimePage):
    template_name = "timetracking/week.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["employee"] = self.employee
        monday = _monday(self.request.GET.get("week"), self.today())
        context["monday"] = monday
        context["previous_week"] = (monday - datetime.timedelta(days=7)).isoformat()
        context["next_week"] = (monday + datetime.timedelta(days=7)).isoformat()
        if self.employee is not None:
            context.update(self.pickers())
            grid = selectors.week_grid(actor=self.actor, employee=self.employee, monday=monday, tz=self.tz)
            # issue 15: days of a locked period (approved, or closed automatically) say so
            zone = employee_timezone(self.employee, self.actor.organisation)
            locks = services.PeriodLocks(self.actor.organisation)
            found = [locks.locked_period(self.employee.pk, day, zone) for day in grid.days]
            context["days"] = [
                {"date": day, "index": n, "locked": lock is not None}
                for n, (day, lock) in enumerate(zip(grid.days, found, strict=True))
            ]
            context["locked_periods"] = sorted({lock[0] for lock in found if lock is not None}, key=lambda p: p.start)
            context["rows"] = [
                {
                    "project": row.project,
                    "task": row.task,
                    "key": f"{row.project.pk}-{row.task.pk if row.task else 0}",
                    "cells": [{"index": n, "text": format_seconds(s) if s else ""} for n, s in enumerate(row.seconds)],
                    "total": format_seconds(row.total),
                }
                for row in grid.rows
            ]
            context["daily_totals"] = [format_seconds(s) for s in grid.daily_totals]
            context["week_total"] = format_seconds(grid.total)
        return context

    def post(self, request, *args, **kwargs):
        monday = _monday(request.POST.get("week"), self.today())
        back = HttpResponseRedirect(f"{reverse('time:week')}?week={monday.isoformat()}")
        if self.employee is None:
            return back
        try:
            cells = self.cells(request.POST, monday)
            counts = services.week_grid_save(actor=self.actor, employee=self.employee, tz=self.tz, cells=cells)
        except (ObjectDoesNotExist, ValueError):
            messages.error(request, _("Choose a project (and optionally one of its tasks)."))
        except SERVICE_ERRORS as error:
            messages.error(request, str(error.detail) if isinstance(error, DomainError) else " ".join(error.messages))
        else:
            if any(counts.values()):
                messages.success(
                    request,
                    _("Week saved: %(created)s entries added, %(changed)s changed, %(deleted)s deleted.") % counts,
                )
            else:
                messages.info(request, _("Nothing to save: the week is unchanged."))
        return back

    def cells(self, data, monday: datetime.date) -> list:
        """The typed cells: ``cell-<project>-<task or 0>-<day>`` of the grid's rows, plus the
        new row (``new_project_id``/``new_task_id`` with ``new-<day>``)."""
        projects, tasks, cells = {}, {}, []

        def project(pk):
            if pk not in projects:
                projects[pk] = selectors.project_get(actor=self.actor, pk=pk)
            return projects[pk]

        def task(pk):
            if not pk:
                return None
            if pk not in tasks:
                tasks[pk] = selectors.task_get(actor=self.actor, pk=pk)
            return tasks[pk]

        errors = []

        def add(project_pk, task_pk, index, text):
            try:
                seconds = services.parse_duration(text)
            except ValidationError as error:
                errors.extend(error.messages)
                return
            day = monday + datetime.timedelta(days=index)
            cells.append(services.WeekCell(project=project(project_pk), task=task(task_pk), day=day, seconds=seconds))

        for name, text in data.items():
            if match := CELL.match(name):
                add(int(match[1]), int(match[2]), int(match[3]), text)
        if data.get("new_project_id"):
            new_project = int(data["new_project_id"])
            new_task = int(data.get("new_task_id") or 0)
            for index in range(7):
                if (data.get(f"new-{index}") or "").strip():
                    add(new_project, new_task, index, data[f"new-{index}"])
        if errors:
            raise ValidationError(errors)
        return cells
