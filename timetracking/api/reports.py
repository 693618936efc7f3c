"""REST endpoints of the time reports (issue 15 point 6): ``/v1/reports/tracked-hours``,
``/v1/reports/timeline`` and ``/v1/reports/tasks``. Thin: :mod:`timetracking.reports` decides.
Scope ``time.read``; each sees the time entries the caller sees in ``GET /v1/time-entries``."""

from __future__ import annotations

import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.api.filters import reject_unknown_parameters

from .. import reports, selectors
from ..filters import TimeEntryFilterSet
from ..models import employee_timezone
from .serializers.reports import (
    TaskReportSerializer,
    TimelineQuerySerializer,
    TimelineSerializer,
    TrackedHoursSerializer,
)
from .views import TimeAPIView

#: the time-entry filters a report accepts (``include_active`` does not apply: running timers
#: have no hours yet)
ENTRY_FILTERS = frozenset(TimeEntryFilterSet.base_filters) - {"include_active"}
#: the task filters of ``/v1/reports/tasks`` (``client_id`` and ``project_id`` are the tasks')
TASK_FILTERS = frozenset({"project_id", "client_id", "status", "priority", "assignee_id", "name"})
#: the entry filters of ``/v1/reports/tasks`` (which hours count)
TASK_ENTRY_FILTERS = frozenset({"start_date", "end_date", "employee_id", "user_id", "office_id", "billable", "paid"})


def _entry_parameters(names) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(name, OpenApiTypes.STR, required=False, description=f"As in GET /v1/time-entries ({name}).")
        for name in sorted(names)
    ]


def _subset(query_params, names) -> dict:
    return {key: query_params.get(key) for key in query_params if key in names}


#: what a project viewer may narrow their report by (nothing that names an employee)
VIEWER_ENTRY_FILTERS = frozenset({"start_date", "end_date", "project_id", "task_id", "client_id", "billable"})
#: ``group_by`` values open to project viewers (hours of their projects, not of named people)
VIEWER_GROUP_BY = ("project", "task", "client", "day", "week")


class TrackedHoursReportView(TimeAPIView):
    viewer_access = True

    @extend_schema(
        summary="Tracked hours grouped by employee, project, task, client, day or week",
        parameters=[
            OpenApiParameter(
                "group_by",
                OpenApiTypes.STR,
                enum=list(reports.GROUP_BY),
                required=True,
                description="Days and weeks are local days in each employee's office timezone.",
            ),
            *_entry_parameters(ENTRY_FILTERS),
        ],
        responses=TrackedHoursSerializer,
    )
    def get(self, request):
        viewer = self.actor.is_viewer
        entry_filters = VIEWER_ENTRY_FILTERS if viewer else ENTRY_FILTERS
        reject_unknown_parameters(request.query_params, entry_filters | {"group_by"})
        group_by = request.query_params.get("group_by")
        choices_open = VIEWER_GROUP_BY if viewer else tuple(reports.GROUP_BY)
        if group_by not in choices_open:
            choices = ", ".join(choices_open)
            raise ValidationFailed({"group_by": [_("Choose one of: %(choices)s.") % {"choices": choices}]})
        data = reports.tracked_hours_report(
            actor=self.actor, group_by=group_by, filters=_subset(request.query_params, entry_filters)
        )
        return Response(TrackedHoursSerializer(data).data)


class TimelineReportView(TimeAPIView):
    @extend_schema(
        summary="One employee's day or week: entries in start order and the gaps between them",
        parameters=[TimelineQuerySerializer],
        responses=TimelineSerializer,
    )
    def get(self, request):
        reject_unknown_parameters(request.query_params, frozenset(TimelineQuerySerializer().fields))
        query = TimelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        employees = selectors.time_employee_list(actor=self.actor)
        if "employee_id" in query.validated_data:
            employee = employees.filter(pk=query.validated_data["employee_id"]).first()
        else:
            employee = selectors.actor_employee(actor=self.actor)
            employee = employees.filter(pk=employee.pk).first() if employee is not None else None
        if employee is None:
            raise Http404
        day = (
            query.validated_data.get("date")
            or datetime.datetime.now(employee_timezone(employee, self.actor.organisation)).date()
        )
        data = reports.timeline_report(
            actor=self.actor, employee=employee, day=day, period=query.validated_data["period"]
        )
        return Response(TimelineSerializer(data).data)


class TaskReportView(TimeAPIView):
    viewer_access = True

    @extend_schema(
        summary="Hours per task against its estimate",
        parameters=_entry_parameters(TASK_FILTERS | TASK_ENTRY_FILTERS),
        responses=TaskReportSerializer,
    )
    def get(self, request):
        entry_filters = TASK_ENTRY_FILTERS & VIEWER_ENTRY_FILTERS if self.actor.is_viewer else TASK_ENTRY_FILTERS
        task_filters = TASK_FILTERS - {"assignee_id"} if self.actor.is_viewer else TASK_FILTERS
        reject_unknown_parameters(request.query_params, task_filters | entry_filters)
        rows = reports.task_report(
            actor=self.actor,
            task_filters=_subset(request.query_params, task_filters),
            entry_filters=_subset(request.query_params, entry_filters),
        )
        return Response(TaskReportSerializer({"rows": rows}).data)
